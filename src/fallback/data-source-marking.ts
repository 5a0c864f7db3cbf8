import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentDataSource, RequestDataSource, runWithDataSource } from './request-data-source';

declare module 'fastify' {
  interface FastifyRequest {
    dataSource?: RequestDataSource;
  }
}

const WRITE_ACCEPTED_STATUSES = new Set([200, 201, 204]);

/**
 * Marks every response with where its data came from: `X-Data-Source: database | fallback`.
 * Answers that used backup data also get `Cache-Control: no-store`, so no cache keeps them after
 * recovery, and a REST write that was journalled instead of stored answers 202 Accepted.
 */
@Injectable()
export class DataSourceMarking implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // The context is entered in onRequest and again in preHandler: body parsing in between may run
    // outside the request's async context.
    const enter = (request: FastifyRequest, _reply: unknown, done: () => void) => {
      request.dataSource ??= new RequestDataSource();
      runWithDataSource(request.dataSource, done);
    };
    fastify.addHook('onRequest', enter);
    fastify.addHook('preHandler', enter);
    fastify.addHook('onSend', async (request, reply, payload) => {
      const source = request.dataSource?.source ?? 'database';
      void reply.header('X-Data-Source', source);
      if (source === 'fallback') {
        void reply.header('Cache-Control', 'no-store');
        const isRestWrite = request.url.startsWith('/api/') && request.method !== 'GET' && request.method !== 'HEAD';
        if (isRestWrite && request.dataSource?.writeQueued && WRITE_ACCEPTED_STATUSES.has(reply.statusCode)) {
          void reply.code(202);
        }
      }
      return payload;
    });
  }
}

/** Adds `extensions.dataSource` (and `extensions.writeQueued` for journalled mutations) to GraphQL responses. */
export function dataSourceGraphqlPlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: ({ response }) => {
          const context = currentDataSource();
          if (response.body.kind !== 'single') return Promise.resolve();
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            dataSource: context?.source ?? 'database',
            ...(context?.writeQueued ? { writeQueued: true } : {}),
          };
          return Promise.resolve();
        },
      }),
  };
}
