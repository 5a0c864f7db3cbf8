import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import { GraphQLError, type GraphQLFormattedError, specifiedRules, validate, type ValidationRule } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import { UnauthenticatedError } from '../common/errors/domain-errors';
import { formatGraphqlError } from '../common/errors/graphql-error-formatter';
import type { GraphqlContext } from '../common/graphql/request-loaders';
import { ANONYMOUS, type Principal } from '../common/principal';
import type { RateLimiter } from '../security/rate-limiter';
import type { RequestGate } from '../security/request-gate';

/** Close codes of the graphql-transport-ws protocol's family: 4401 like HTTP 401, 4429 like HTTP 429. */
const UNAUTHORIZED = 4401;
const TOO_MANY_REQUESTS = 4429;

type ConnectionExtra = Extra & { principal?: Principal; expiryTimer?: NodeJS.Timeout };

function formatErrors(errors: readonly GraphQLError[], code?: string): GraphQLFormattedError[] {
  return errors.map((error) => {
    const formatted = error.toJSON();
    return formatGraphqlError(
      code ? { ...formatted, extensions: { code, ...formatted.extensions } } : formatted,
      error,
    );
  });
}

/** The bearer token of a connection: `authorization` in the connection parameters, else the handshake's header. */
function authorizationOf(connectionParams: Record<string, unknown> | undefined, extra: Extra): string | undefined {
  const fromParams = connectionParams?.authorization ?? connectionParams?.Authorization;
  return typeof fromParams === 'string' ? fromParams : extra.request.headers.authorization;
}

/**
 * GraphQL over WebSocket (the graphql-transport-ws protocol of graphql-ws) at the GraphQL path. The
 * connection authenticates once, in its `connection_init` (`{"authorization": "Bearer <token>"}`) or with the
 * handshake's Authorization header, and is closed (4401) when its token expires. Documents are held to the
 * same depth, alias and cost limits as over HTTP. Errors are translated as over HTTP (extensions.code, field);
 * each operation gets a context of its own.
 */
export function graphqlWsOptions(
  gate: RequestGate,
  rates: RateLimiter,
  limitsRule: ValidationRule,
): GraphQLWsSubscriptionsConfig {
  const options: Pick<
    ServerOptions<Record<string, unknown> | undefined, ConnectionExtra>,
    'context' | 'onError' | 'onConnect' | 'onDisconnect' | 'validate' | 'onNext'
  > = {
    onConnect: async (ctx) => {
      let principal: Principal;
      try {
        principal = await gate.authenticate(authorizationOf(ctx.connectionParams, ctx.extra));
      } catch (error) {
        if (!(error instanceof UnauthenticatedError)) throw error;
        ctx.extra.socket.close(UNAUTHORIZED, 'Unauthorized');
        return false;
      }
      const decision = await rates.take(principal, ctx.extra.request.socket.remoteAddress ?? 'unknown');
      if (!decision.allowed) {
        ctx.extra.socket.close(TOO_MANY_REQUESTS, 'Too many requests');
        return false;
      }
      ctx.extra.principal = principal;
      if (principal.role !== 'anonymous' && principal.expiresAt !== undefined) {
        const remainingMs = principal.expiresAt * 1000 - Date.now();
        ctx.extra.expiryTimer = setTimeout(() => ctx.extra.socket.close(UNAUTHORIZED, 'Token expired'), remainingMs);
        ctx.extra.expiryTimer.unref();
      }
      return true;
    },
    onDisconnect: (ctx) => clearTimeout(ctx.extra.expiryTimer),
    validate: (schema, document) => {
      try {
        return validate(schema, document, [...specifiedRules, limitsRule]);
      } catch (error) {
        // graphql-js's subscription rule throws, rather than reports, on a @skip/@include variable without a value.
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
    },
    context: (ctx): GraphqlContext => ({ req: ctx.extra.request, principal: ctx.extra.principal ?? ANONYMOUS }),
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: formatErrors(result.errors) } : undefined,
    // Errors of the operation itself, before it runs: the document does not validate against the schema or its limits.
    onError: (_ctx, _id, _payload, errors) => formatErrors(errors, 'GRAPHQL_VALIDATION_FAILED'),
  };
  return options as GraphQLWsSubscriptionsConfig;
}
