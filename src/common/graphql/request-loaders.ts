import DataLoader from 'dataloader';
import type { Principal } from '../principal';

/** What every GraphQL resolver receives as context; built once per request (per operation over WebSocket). */
export interface GraphqlContext {
  req: unknown;
  /** Who is asking: from the request's bearer token, or from the WebSocket handshake. */
  principal: Principal;
}

const loadersByRequest = new WeakMap<object, Map<string, DataLoader<unknown, unknown>>>();

/**
 * The DataLoader named `name` for this request, created on first use. Batching and caching last
 * exactly one request, so a relation read N times in one query costs one database round trip.
 */
export function perRequestLoader<K, V>(
  context: GraphqlContext,
  name: string,
  batch: (keys: readonly K[]) => Promise<ArrayLike<V | Error>>,
): DataLoader<K, V> {
  let loaders = loadersByRequest.get(context);
  if (!loaders) {
    loaders = new Map();
    loadersByRequest.set(context, loaders);
  }
  let loader = loaders.get(name) as DataLoader<K, V> | undefined;
  if (!loader) {
    loader = new DataLoader<K, V>(batch);
    loaders.set(name, loader);
  }
  return loader;
}

/** Orders batch results by key, with `fallback` for keys that matched nothing. */
export function byKeys<K, V, F>(keys: readonly K[], values: V[], keyOf: (value: V) => K, fallback: F): (V | F)[] {
  const found = new Map(values.map((value) => [keyOf(value), value]));
  return keys.map((key) => found.get(key) ?? fallback);
}

/**
 * Forgets the loaders of `context`. A subscription keeps one context for all its events: called as each event
 * is resolved, so every event reads fresh data and the cache does not grow for as long as the subscription lives.
 */
export function resetRequestLoaders(context: GraphqlContext): void {
  loadersByRequest.delete(context);
}
