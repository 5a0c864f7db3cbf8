import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import { formatGraphqlError } from '../common/errors/graphql-error-formatter';
import type { GraphqlContext } from '../common/graphql/request-loaders';

function formatErrors(errors: readonly GraphQLError[], code?: string): GraphQLFormattedError[] {
  return errors.map((error) => {
    const formatted = error.toJSON();
    return formatGraphqlError(
      code ? { ...formatted, extensions: { code, ...formatted.extensions } } : formatted,
      error,
    );
  });
}

/**
 * GraphQL over WebSocket (the graphql-transport-ws protocol of graphql-ws) at the GraphQL path. Errors are
 * translated as over HTTP (extensions.code, field); each operation gets a context of its own.
 */
export function graphqlWsOptions(): GraphQLWsSubscriptionsConfig &
  Pick<ServerOptions<Record<string, unknown> | undefined, Extra>, 'context' | 'onError'> {
  return {
    context: (ctx): GraphqlContext => ({ req: ctx.extra.request }),
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: formatErrors(result.errors) } : undefined,
    // Errors of the operation itself, before it runs: the document does not validate against the schema.
    onError: (_ctx, _id, _payload, errors) => formatErrors(errors, 'GRAPHQL_VALIDATION_FAILED'),
  };
}
