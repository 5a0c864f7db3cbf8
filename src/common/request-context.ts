import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS, type Principal } from './principal';

/** Where an answer's data came from, weakest last: the database, what it last said (stale), the backup data. */
export type DataSource = 'database' | 'stale' | 'fallback';

/**
 * What one request's answer was made of, collected while it runs and read when the response is
 * sent: whether backup data answered (fallback), and what an edge cache needs to know (the
 * surrogate keys of the records read, the kinds of data read (for their time-to-live), and whether the
 * answer must not be cached at all).
 */
export class RequestContext {
  /** Who is asking: set from the bearer token before the request is handled. */
  principal: Principal = ANONYMOUS;
  /** Collections answered from backup data. */
  readonly fallbackCollections = new Set<string>();
  /** Collections answered from what the database last said (the last-known-good tier). */
  readonly staleCollections = new Set<string>();
  /** When the oldest last-known-good entry used was read from the database (ms since the epoch). */
  staleSince?: number;
  writeQueued = false;
  /** Surrogate keys of what the answer contains: `school:<id>` for records, `schools` for lists and counts. */
  readonly cacheKeys = new Set<string>();
  /** What the answer contains, as named in the edge TTL settings (`schools`, `dashboard`, …); the shortest TTL wins. */
  readonly cacheHints = new Set<string>();
  /** The GraphQL operations the request ran (`graphql:<name>:<hash>`), for the answer's X-Operation header. */
  readonly operations: string[] = [];
  /** Why the answer must not be cached (a mutation, an error), if it must not. */
  uncacheableReason?: string;

  /** @param request the HTTP request, when there is one (for the logs written while it runs). */
  constructor(readonly request?: FastifyRequest) {}

  get source(): DataSource {
    if (this.fallbackCollections.size > 0 || this.writeQueued) return 'fallback';
    return this.staleCollections.size > 0 ? 'stale' : 'database';
  }

  /** The age in whole seconds of the oldest last-known-good entry the answer used, if it used any. */
  get dataAgeSeconds(): number | undefined {
    return this.staleSince === undefined ? undefined : Math.max(0, Math.floor((Date.now() - this.staleSince) / 1000));
  }

  markStale(collection: string, since: number): void {
    this.staleCollections.add(collection);
    this.staleSince = Math.min(this.staleSince ?? since, since);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    context?: RequestContext;
  }
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The current request's context, if the code runs inside a request. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/**
 * Gives the request its RequestContext, reachable through `currentRequestContext()` anywhere below the handler and
 * as `request.context` in hooks (an onRequest hook of the HTTP pipeline).
 */
export function enterRequestContext(request: FastifyRequest, _reply: unknown, done: () => void): void {
  request.context ??= new RequestContext(request);
  storage.run(request.context, done);
}

/** Enters the request's context again (a preHandler hook): body parsing may have run outside it. */
export function reenterRequestContext(request: FastifyRequest, _reply: unknown, done: () => void): void {
  if (request.context && storage.getStore() !== request.context) storage.run(request.context, done);
  else done();
}
