/** Codes shared by the REST and GraphQL error translations. */
export type DomainErrorCode =
  'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'SERVICE_UNAVAILABLE';

/** The code of a GraphQL document refused for its size (depth, aliases, cost): a client mistake, answered with 400. */
export const QUERY_TOO_LARGE = 'QUERY_TOO_LARGE';

/** An error with a meaning for clients (most are theirs to fix); services throw these, the API filters translate them. */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** The input field the error is about, when there is one. */
  readonly field?: string;

  constructor(message: string, field?: string) {
    // An answer, not a fault: no stack trace is captured (a 404 or a 503 during an outage would pay for one each).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.field = field;
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
}

/** No credentials, or credentials that do not verify (expired, wrongly signed, malformed). */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}

/** Valid credentials that do not allow this; the message never describes the data withheld. */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';

  constructor(entity: string, id: string) {
    super(`${entity} ${id} not found`, 'id');
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

/** The service cannot answer this now but may soon, e.g. a record that is not in the backup data during an outage. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
