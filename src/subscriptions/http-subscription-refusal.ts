import type { FastifyReply, FastifyRequest } from 'fastify';
import { Kind, OperationTypeNode, parse } from 'graphql';

/** The GraphQL document of a request over HTTP: `query` in the JSON body, or in the URL of a GET. */
function documentOf(request: FastifyRequest): string | undefined {
  const source = request.method === 'GET' ? request.query : request.body;
  const query = (source as { query?: unknown } | null | undefined)?.query;
  return typeof query === 'string' ? query : undefined;
}

function hasSubscription(document: string): boolean {
  try {
    return parse(document).definitions.some(
      (definition) =>
        definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.SUBSCRIPTION,
    );
  } catch {
    return false; // not a document: Apollo answers that itself
  }
}

/**
 * Subscriptions are served over WebSocket only. A subscription sent over HTTP is refused (a preHandler of the
 * GraphQL route), before Apollo validates it: graphql-js's subscription validation throws (rather than reports) on
 * a `@skip` or `@include` whose variable has no value, which Apollo would answer with a 500.
 */
export async function refuseSubscriptionsOverHttp(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const document = documentOf(request);
  if (!document || !/subscription/i.test(document) || !hasSubscription(document)) return undefined;
  const status = request.method === 'GET' ? 405 : 400;
  return reply
    .code(status)
    .header('Content-Type', 'application/json; charset=utf-8')
    .send({
      errors: [
        {
          message: 'subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
}
