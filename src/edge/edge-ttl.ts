import type { EdgeSettings } from '../config/edge.config';

/**
 * TEMPORARY: the TTLs, in seconds, of the kinds of data the service has today, for kinds without an
 * EDGE_TTL_<KIND> override. Each collection will declare its own TTL with its registration; `dashboard` is a
 * `@CacheHint` kind, not a collection. Every other kind gets EDGE_TTL_DEFAULT.
 */
export const KIND_TTL_DEFAULTS: Readonly<Record<string, number>> = {
  schools: 300,
  headmasters: 120,
  teachers: 60,
  dashboard: 30,
};

/** Seconds an edge may keep an answer containing data of `kind`. */
export function edgeTtlSeconds(edge: EdgeSettings, kind: string): number {
  return edge.ttlOverrides[kind] ?? KIND_TTL_DEFAULTS[kind] ?? edge.defaultTtlSeconds;
}
