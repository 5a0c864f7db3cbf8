import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import type { FastifyInstance } from 'fastify';
import { currentRequestContext } from '../common/request-context';

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
    fastify.addHook('onSend', async (request, reply, payload) => {
      const source = request.context?.source ?? 'database';
      void reply.header('X-Data-Source', source);
      if (source === 'fallback') {
        void reply.header('Cache-Control', 'no-store');
        const isRestWrite = request.url.startsWith('/api/') && request.method !== 'GET' && request.method !== 'HEAD';
        if (isRestWrite && request.context?.writeQueued && WRITE_ACCEPTED_STATUSES.has(reply.statusCode)) {
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
          const context = currentRequestContext();
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
