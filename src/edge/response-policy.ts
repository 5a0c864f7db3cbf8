import { Injectable } from '@nestjs/common';
import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OperationTypeNode } from 'graphql';
import { type CacheScope, currentRequestContext, type RequestContext } from '../common/request-context';
import { EdgeTtls } from './edge-ttls';

const GRAPHQL_PATH = '/graphql';

/** Statuses of a REST write that the journal took instead of the database: answered 202 Accepted. */
const WRITE_ACCEPTED_STATUSES = new Set([200, 201, 204]);

function isGraphql(request: FastifyRequest): boolean {
  return request.url === GRAPHQL_PATH || request.url.startsWith(`${GRAPHQL_PATH}?`);
}

/** Why an answer is not stored (`X-Uncacheable-Reason`, logged by the edge for `npm run edge:stats`). */
type UncacheableReason =
  'cookie' | 'write' | 'error' | 'backup-data' | 'mutation' | 'subscription' | 'token-expiring' | 'uncacheable';

interface CachePolicy {
  cacheControl: string;
  cacheable: boolean;
  keys?: string;
  reason?: UncacheableReason;
  /** Whom a cacheable answer may be shared with. */
  scope?: CacheScope;
}

const noStore = (reason: UncacheableReason): CachePolicy => ({ cacheControl: 'no-store', cacheable: false, reason });

/** How many hex digits of the document's SHA-256 name a GraphQL operation in `X-Operation`. */
const OPERATION_HASH_DIGITS = 8;

/** The REST route template (`GET /api/teachers/:id`); undefined for a request no route matched. */
function routeOperation(request: FastifyRequest): string | undefined {
  const url = request.routeOptions?.url;
  return url ? `${request.method} ${url}` : undefined;
}

/**
 * What each answer tells its client and the caches between, decided in one place just before it is sent:
 *
 * - `X-Data-Source: database | stale | fallback`: where its data came from (the weakest source used), with
 *   `X-Data-Age: <seconds>` when it used what the database last said. A REST write that the journal took instead
 *   of the database answers 202 Accepted.
 * - `Cache-Control`: `public, max-age=0, s-maxage=<shortest TTL of what it contains>` with the answer's surrogate
 *   keys in `xkey`, or `no-store` for writes, errors, mutations, stale or backup data and anything not known to be
 *   shareable. Requests with cookies are `private`.
 * - `X-Cache-Scope: public | scope | user` on every cacheable answer: whom it is the same for (every caller, every
 *   caller of the same role and school, the caller alone), as far as the code that made it read the caller (see
 *   `RequestContext.cacheScope`). The edge keys `scope` answers by the caller's scope (learnt from `GET /edge/scope`,
 *   never from the token's claims), `user` answers by the token, and shares `public` ones; it removes the header.
 *   An answer to a bearer token that depends on it carries `Vary: Authorization` (for any other cache) and an
 *   s-maxage that ends when the token does.
 * - `X-Operation`: what the answer served, for per-operation statistics at the edge (`npm run edge:stats`): the route
 *   template (`GET /api/teachers/:id`), or for GraphQL `graphql:<operationName>:<first 8 hex digits of the document's
 *   SHA-256>` (`anonymous` without a name; several, comma-separated, for a batch). `X-Uncacheable-Reason` says why an
 *   API answer is `no-store` (mutation, write, error, backup-data, cookie, ...).
 * - GraphQL answers also carry `X-GraphQL-Cacheable: true | false`, which the edge honours, and
 *   `extensions.dataSource` and `extensions.dataAgeSeconds` (with `extensions.writeQueued` for journalled mutations).
 */
@Injectable()
export class ResponsePolicy {
  constructor(private readonly ttls: EdgeTtls) {}

  /** Sets the answer's status and headers; the HTTP pipeline calls it in `onSend`. */
  apply(request: FastifyRequest, reply: FastifyReply): void {
    const context = request.context;
    const source = context?.source ?? 'database';
    void reply.header('X-Data-Source', source);
    const age = context?.dataAgeSeconds;
    if (age !== undefined) void reply.header('X-Data-Age', String(age));
    const graphql = isGraphql(request);
    const operation = (graphql && context?.operations.join(', ')) || routeOperation(request);
    if (operation) void reply.header('X-Operation', operation);
    const api = graphql || request.url.startsWith('/api/');
    if (source !== 'database') {
      const restWrite = !graphql && api && request.method !== 'GET' && request.method !== 'HEAD';
      if (restWrite && context?.writeQueued && WRITE_ACCEPTED_STATUSES.has(reply.statusCode)) void reply.code(202);
      if (!api) void reply.header('Cache-Control', 'no-store');
    }
    if (!api) return;
    const policy = this.cachePolicy(request, reply, graphql);
    void reply.header('Cache-Control', policy.cacheControl);
    if (policy.keys) void reply.header('xkey', policy.keys);
    if (policy.reason) void reply.header('X-Uncacheable-Reason', policy.reason);
    if (policy.scope) void reply.header('X-Cache-Scope', policy.scope);
    if (request.headers.authorization && policy.scope !== 'public') {
      const vary = reply.getHeader('Vary');
      void reply.header('Vary', vary ? `${String(vary)}, Authorization` : 'Authorization');
    }
    if (graphql) void reply.header('X-GraphQL-Cacheable', String(policy.cacheable));
  }

  /** Marks GraphQL answers that must never be cached (mutations, subscriptions, errors) and says where their data came from. */
  graphqlPlugin(): ApolloServerPlugin {
    return {
      requestDidStart: () =>
        Promise.resolve({
          didResolveOperation: ({ operation, operationName, queryHash }) => {
            const context = currentRequestContext();
            context?.operations.push(
              `graphql:${operationName ?? 'anonymous'}:${queryHash.slice(0, OPERATION_HASH_DIGITS)}`,
            );
            if (context && operation && operation.operation !== OperationTypeNode.QUERY) {
              context.uncacheableReason = operation.operation;
            }
            return Promise.resolve();
          },
          willSendResponse: ({ response }) => {
            if (response.body.kind !== 'single') return Promise.resolve();
            const context = currentRequestContext();
            const result = response.body.singleResult;
            if (context && result.errors?.length) context.uncacheableReason ??= 'errors';
            result.extensions = {
              ...result.extensions,
              dataSource: context?.source ?? 'database',
              ...(context?.dataAgeSeconds !== undefined ? { dataAgeSeconds: context.dataAgeSeconds } : {}),
              ...(context?.writeQueued ? { writeQueued: true } : {}),
            };
            return Promise.resolve();
          },
        }),
    };
  }

  private cachePolicy(request: FastifyRequest, reply: FastifyReply, graphql: boolean): CachePolicy {
    const context = request.context;
    if (request.headers.cookie) return { cacheControl: 'private, no-store', cacheable: false, reason: 'cookie' };
    const readOnly = request.method === 'GET' || request.method === 'HEAD' || (graphql && request.method === 'POST');
    if (!readOnly) return noStore('write');
    if (!context) return noStore('uncacheable');
    if (reply.statusCode !== 200) return noStore('error');
    if (context.source !== 'database') return noStore('backup-data');
    switch (context.uncacheableReason) {
      case undefined:
        break;
      case 'mutation':
      case 'subscription':
        return noStore(context.uncacheableReason);
      case 'errors':
        return noStore('error');
      default:
        return noStore('uncacheable');
    }
    const ttl = this.ttlFor(context);
    if (ttl === undefined) return noStore('uncacheable');
    const principal = context.untrackedPrincipal;
    const tokenSecondsLeft =
      principal.role !== 'anonymous' && principal.expiresAt !== undefined
        ? principal.expiresAt - Math.ceil(Date.now() / 1000)
        : Infinity;
    const maxAge = Math.min(ttl, tokenSecondsLeft);
    if (maxAge <= 0) return noStore('token-expiring');
    return {
      cacheControl: `public, max-age=0, s-maxage=${maxAge}`,
      cacheable: true,
      keys: [...context.cacheKeys].join(' '),
      scope: context.cacheScope,
    };
  }

  /** The shortest TTL among the kinds of data the answer contains; none when it read no data. */
  private ttlFor(context: RequestContext): number | undefined {
    let shortest: number | undefined;
    for (const kind of context.cacheHints) {
      const ttl = this.ttls.ttlOf(kind);
      if (shortest === undefined || ttl < shortest) shortest = ttl;
    }
    return shortest;
  }
}
