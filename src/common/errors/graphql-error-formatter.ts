import { HttpException, Logger } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { DomainError, QUERY_TOO_LARGE, ServiceUnavailableError } from './domain-errors';

const logger = new Logger('GraphQLErrors');

const codeByHttpStatus: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
};

/** Codes Apollo and graphql-js assign themselves for malformed documents and variables. */
const clientCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  QUERY_TOO_LARGE,
]);

/**
 * The one translation of errors into GraphQL errors: domain errors carry their code and field,
 * validation failures become BAD_USER_INPUT, and unexpected errors are logged and hidden.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (original instanceof DomainError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: {
        code: original.code,
        ...(original.field ? { field: original.field } : {}),
        ...(original instanceof ServiceUnavailableError ? { retryAfter: original.retryAfterSeconds } : {}),
      },
    };
  }
  if (original instanceof HttpException) {
    const code = codeByHttpStatus[original.getStatus()] ?? 'INTERNAL_SERVER_ERROR';
    const response = original.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? String(response.message)
        : original.message;
    return { message, locations: formatted.locations, path: formatted.path, extensions: { code } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && clientCodes.has(code)) {
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
  }
  if (original === undefined && formatted.path === undefined) {
    // Errors raised by graphql-js itself while coercing variables or arguments carry no original error.
    return { message: formatted.message, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT' } };
  }
  logger.error(original?.stack ?? formatted.message);
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
