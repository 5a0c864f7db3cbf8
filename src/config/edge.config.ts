import { z } from 'zod';
import { aboutTheVariable, commaSeparated, integer, matching } from './environment-variables';

const ttlSeconds = integer({ min: 0, max: 86_400 });

/** `EDGE_TTL_<KIND>`: a kind of data's own TTL. EDGE_TTL_DEFAULT is the TTL of every other kind. */
const TTL_OVERRIDE = /^EDGE_TTL_(?!DEFAULT$)(.+)$/;

/** Every EDGE_TTL_<KIND> variable, whatever the kind, keyed by the lower-cased kind. */
const ttlOverrides = z.looseRecord(z.string().regex(TTL_OVERRIDE), ttlSeconds).transform((variables) => ({
  ttlOverrides: Object.fromEntries(
    Object.entries(variables).flatMap(([name, seconds]) => {
      const kind = TTL_OVERRIDE.exec(name)?.[1];
      return kind === undefined ? [] : [[kind.toLowerCase(), seconds] as const];
    }),
  ),
}));

/** How responses are marked for edge caches and which edges are purged after writes (see README, "Edge cache"). */
export const edgeConfig = z
  .object({
    EDGE_PURGE_URLS: matching(
      /^(https?:\/\/[^\s,]+)(,https?:\/\/[^\s,]+)*$/,
      'must be a comma-separated list of http(s):// URLs',
    ).optional(),
    EDGE_PURGE_TIMEOUT_MS: integer({ min: 50, max: 60_000 }).default(1000),
    EDGE_TTL_DEFAULT: ttlSeconds.default(60),
    EDGE_SCOPE_SECRET: z.string().min(32, aboutTheVariable('must be at least 32 characters')).optional(),
  })
  .and(ttlOverrides)
  .transform((variables) => ({
    /** Edges (Varnish) that receive an xkey purge after every write. */
    purgeUrls: variables.EDGE_PURGE_URLS === undefined ? [] : commaSeparated(variables.EDGE_PURGE_URLS),
    purgeTimeoutMs: variables.EDGE_PURGE_TIMEOUT_MS,
    /** Seconds an edge may keep answers containing a kind of data (a collection, or a hint such as `dashboard`). */
    ttlOverrides: variables.ttlOverrides,
    /** The TTL of a kind of data with no TTL of its own; 0: never cached. */
    defaultTtlSeconds: variables.EDGE_TTL_DEFAULT,
    /**
     * The key of the opaque scope values `GET /edge/scope` gives the edge; the same on every instance so that they
     * give the same values. Unset: a random key per process (each instance's scopes then get entries of their own).
     */
    scopeSecret: variables.EDGE_SCOPE_SECRET,
  }));

export type EdgeSettings = Readonly<z.output<typeof edgeConfig>>;
