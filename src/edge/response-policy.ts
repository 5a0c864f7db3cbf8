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

interface CachePolicy {
  cacheControl: string;
  cacheable: boolean;
  keys?: string;
  /** Whom a cacheable answer may be shared with. */
  scope?: CacheScope;
}

const NO_STORE: CachePolicy = { cacheControl: 'no-store', cacheable: false };

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
          didResolveOperation: ({ operation }) => {
            const context = currentRequestContext();
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
    if (request.headers.cookie) return { cacheControl: 'private, no-store', cacheable: false };
    const readOnly = request.method === 'GET' || request.method === 'HEAD' || (graphql && request.method === 'POST');
    if (!readOnly || !context || reply.statusCode !== 200 || context.source !== 'database') return NO_STORE;
    if (context.uncacheableReason) return NO_STORE;
    const ttl = this.ttlFor(context);
    if (ttl === undefined) return NO_STORE;
    const principal = context.untrackedPrincipal;
    const tokenSecondsLeft =
      principal.role !== 'anonymous' && principal.expiresAt !== undefined
        ? principal.expiresAt - Math.ceil(Date.now() / 1000)
        : Infinity;
    const maxAge = Math.min(ttl, tokenSecondsLeft);
    if (maxAge <= 0) return NO_STORE;
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
