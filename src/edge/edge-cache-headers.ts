import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OperationTypeNode } from 'graphql';
import { currentRequestContext, RequestContext } from '../common/request-context';
import { AppConfig } from '../config/app-config';
import { edgeTtlSeconds } from './edge-ttl';

const GRAPHQL_PATH = '/graphql';

function isGraphql(request: FastifyRequest): boolean {
  return request.url === GRAPHQL_PATH || request.url.startsWith(`${GRAPHQL_PATH}?`);
}

/**
 * Decides, for every answer of the API, whether and how long an edge cache may keep it:
 * `Cache-Control: public, max-age=0, s-maxage=<shortest TTL of what it contains>` with the answer's
 * surrogate keys in `xkey`, or `no-store` for writes, errors, mutations, backup data and anything not
 * known to be shareable. An answer to a bearer token is cached for that token only: it carries
 * `Vary: Authorization` (the edge keys it by the token) and an s-maxage that ends when the token does.
 * Requests with cookies are `private`. GraphQL answers also carry `X-GraphQL-Cacheable: true | false`,
 * which the edge honours.
 */
@Injectable()
export class EdgeCacheHeaders implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', async (request, reply, payload) => {
      const graphql = isGraphql(request);
      if (!graphql && !request.url.startsWith('/api/')) return payload;
      const policy = this.policyFor(request, reply, graphql);
      void reply.header('Cache-Control', policy.cacheControl);
      if (policy.keys) void reply.header('xkey', policy.keys);
      if (request.headers.authorization) {
        const vary = reply.getHeader('Vary');
        void reply.header('Vary', vary ? `${String(vary)}, Authorization` : 'Authorization');
      }
      if (graphql) void reply.header('X-GraphQL-Cacheable', String(policy.cacheable));
      return payload;
    });
  }

  private policyFor(
    request: FastifyRequest,
    reply: FastifyReply,
    graphql: boolean,
  ): { cacheControl: string; cacheable: boolean; keys?: string } {
    const context = request.context;
    const readOnly = request.method === 'GET' || request.method === 'HEAD' || (graphql && request.method === 'POST');
    if (request.headers.cookie) return { cacheControl: 'private, no-store', cacheable: false };
    const ttl = context && this.ttlFor(context);
    if (!readOnly || !context || reply.statusCode !== 200 || context.source === 'fallback' || ttl === undefined) {
      return { cacheControl: 'no-store', cacheable: false };
    }
    if (context.uncacheableReason) return { cacheControl: 'no-store', cacheable: false };
    const { principal } = context;
    const tokenSecondsLeft =
      principal.role !== 'anonymous' && principal.expiresAt !== undefined
        ? principal.expiresAt - Math.ceil(Date.now() / 1000)
        : Infinity;
    const maxAge = Math.min(ttl, tokenSecondsLeft);
    if (maxAge <= 0) return { cacheControl: 'no-store', cacheable: false };
    return {
      cacheControl: `public, max-age=0, s-maxage=${maxAge}`,
      cacheable: true,
      keys: [...context.cacheKeys].join(' '),
    };
  }

  /**
   * The shortest TTL among the kinds of data the answer contains (see edgeTtlSeconds); none when it read no data.
   */
  private ttlFor(context: RequestContext): number | undefined {
    const ttls = [...context.cacheHints].map((kind) => edgeTtlSeconds(this.config.edge, kind));
    return ttls.length > 0 ? Math.min(...ttls) : undefined;
  }
}

/** Marks GraphQL answers that must never be cached: mutations, subscriptions, and answers with errors. */
export function graphqlCacheabilityPlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ operation }) => {
          const context = currentRequestContext();
          if (context && operation && operation.operation !== OperationTypeNode.QUERY)
            context.uncacheableReason = operation.operation;
          return Promise.resolve();
        },
        willSendResponse: ({ response }) => {
          const context = currentRequestContext();
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (context && errors?.length) context.uncacheableReason ??= 'errors';
          return Promise.resolve();
        },
      }),
  };
}
