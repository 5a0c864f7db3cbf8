import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS, type Principal } from './principal';

/**
 * Whom an answer is the same for, from the most shared to the least: every caller (`public`), every caller of the
 * same role and school (`scope`: every teacher of a school), or the caller alone (`user`).
 */
export type CacheScope = 'public' | 'scope' | 'user';

const SCOPE_RANK: Record<CacheScope, number> = { public: 0, scope: 1, user: 2 };

/** Every claim any principal has: a new one must say below whom it makes an answer depend on. */
type PrincipalClaim = Principal extends infer Each ? (Each extends unknown ? keyof Each : never) : never;

/**
 * What reading each claim of a Principal makes the answer depend on. Any other property (`then`, `toJSON`, … as
 * frameworks probe values) is the same for every caller: absent, or the object prototype's.
 */
const SCOPE_OF_CLAIM: Readonly<Record<PrincipalClaim, CacheScope>> = {
  role: 'scope',
  schoolId: 'scope',
  sub: 'user',
  expiresAt: 'user',
};

/**
 * The principal as the request's code sees it: every claim it reads (or tests with `in`) widens what the answer
 * depends on, and listing its keys makes it the caller's alone. So an answer depends on the caller exactly as far
 * as the code that made it looked at the caller.
 */
function tracked(principal: Principal, dependOn: (scope: CacheScope) => void): Principal {
  const scopeOf = (property: PropertyKey): CacheScope => {
    if (typeof property === 'string' && Object.hasOwn(SCOPE_OF_CLAIM, property)) {
      return SCOPE_OF_CLAIM[property as PrincipalClaim];
    }
    return Object.hasOwn(principal, property) ? 'user' : 'public';
  };
  return new Proxy(principal, {
    get(target, property, receiver) {
      dependOn(scopeOf(property));
      return Reflect.get(target, property, receiver) as unknown;
    },
    has(target, property) {
      dependOn(scopeOf(property));
      return Reflect.has(target, property);
    },
    ownKeys(target) {
      dependOn('user');
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, property) {
      dependOn(scopeOf(property));
      return Reflect.getOwnPropertyDescriptor(target, property);
    },
  });
}

/** Where an answer's data came from, weakest last: the database, what it last said (stale), the backup data. */
export type DataSource = 'database' | 'stale' | 'fallback';

/**
 * What one request's answer was made of, collected while it runs and read when the response is
 * sent: whether backup data answered (fallback), and what an edge cache needs to know (the
 * surrogate keys of the records read, the kinds of data read (for their time-to-live), and whether the
 * answer must not be cached at all).
 */
export class RequestContext {
  private caller: Principal = ANONYMOUS;
  private trackedCaller?: Principal;
  private dependence: CacheScope = 'public';
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

  /**
   * Who is asking: set from the bearer token before the request is handled. What the request's code reads of it
   * decides whom the answer may be shared with (`cacheScope`): `role` and `schoolId` make it the same for the
   * caller's scope, `sub` and anything else for the caller alone.
   */
  get principal(): Principal {
    return (this.trackedCaller ??= tracked(this.caller, (scope) => this.dependOn(scope)));
  }

  set principal(principal: Principal) {
    this.caller = principal;
    this.trackedCaller = undefined;
  }

  /** The caller, read without making the answer depend on it: for what the answer's headers say, never its content. */
  get untrackedPrincipal(): Principal {
    return this.caller;
  }

  /** Whom the answer is the same for, as far as its code read the caller (or declared with `dependOn`). */
  get cacheScope(): CacheScope {
    return this.dependence;
  }

  /** Declares that the answer depends on the caller this far (it never narrows what was already declared). */
  dependOn(scope: CacheScope): void {
    if (SCOPE_RANK[scope] > SCOPE_RANK[this.dependence]) this.dependence = scope;
  }

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
