/** An operation refused because the breaker is open: requests do not touch the database until it closes. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';

  constructor() {
    super('the circuit breaker is open');
  }
}

/** An operation refused in a drill. */
export class CircuitIsolatedError extends Error {
  override readonly name = 'CircuitIsolatedError';

  constructor() {
    super('drill: degraded mode forced');
  }
}

/** An operation that outlasted the ceiling (FALLBACK_OPERATION_TIMEOUT_MS). */
export class DatabaseTimeoutError extends Error {
  override readonly name = 'DatabaseTimeoutError';

  constructor(readonly ceilingMs: number) {
    super(`operation timed out after ${ceilingMs} ms`);
  }
}

/** An operation abandoned because the heartbeat found the database stalled. */
export class DatabaseStalledError extends Error {
  override readonly name = 'DatabaseStalledError';
}

/**
 * Error classes the MongoDB driver raises when the server cannot be reached or answered too late: `true` where the
 * class says the database is not there (refused, reset, closed, unreachable) rather than slow.
 */
const FAILURE_ERROR_NAMES: ReadonlyMap<string, boolean> = new Map([
  ['MongoNetworkError', true],
  ['MongoServerSelectionError', true],
  ['MongoTopologyClosedError', true],
  ['MongoNotConnectedError', true],
  ['MongoPoolClearedError', true],
  ['PoolClearedError', true],
  ['PoolClearedOnNetworkError', true],
  ['MongoNetworkTimeoutError', false],
  ['MongoOperationTimeoutError', false],
]);

/** Server error codes that mean "the server cannot serve this now", not "this request is wrong". */
const TRANSIENT_SERVER_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** System error codes of a connection that failed: `true` where nothing answered at all (refused, reset, unreachable). */
const SYSTEM_NETWORK_CODES: ReadonlyMap<string, boolean> = new Map([
  ['ECONNREFUSED', true],
  ['ECONNRESET', true],
  ['EPIPE', true],
  ['EHOSTUNREACH', true],
  ['ENETUNREACH', true],
  ['ETIMEDOUT', false],
]);

/**
 * Mongoose's own messages when it refuses to send a command: no connection yet (with buffering off),
 * a buffering timeout, or a closed connection.
 */
const MONGOOSE_UNAVAILABLE =
  /before initial connection is complete|buffering timed out|connection .*(closed|was force closed)|not connected/i;

function fieldsOf(error: unknown): { name?: unknown; code?: unknown; message?: unknown } | undefined {
  return typeof error === 'object' && error !== null ? error : undefined;
}

function isMongooseUnavailable({ name, message }: { name?: unknown; message?: unknown }): boolean {
  return name === 'MongooseError' && typeof message === 'string' && MONGOOSE_UNAVAILABLE.test(message);
}

/**
 * Whether an error means the database could not serve the operation (so backup data may answer),
 * as opposed to an error in the request itself (validation, duplicate key, bad cast), which must
 * reach the client as it is.
 */
export function isDatabaseFailure(error: unknown): boolean {
  if (
    error instanceof DatabaseTimeoutError ||
    error instanceof DatabaseStalledError ||
    error instanceof CircuitOpenError ||
    error instanceof CircuitIsolatedError
  ) {
    return true;
  }
  const fields = fieldsOf(error);
  if (!fields) return false;
  const { name, code } = fields;
  if (typeof name === 'string' && FAILURE_ERROR_NAMES.has(name)) return true;
  if (typeof code === 'number' && TRANSIENT_SERVER_CODES.has(code)) return true;
  if (typeof code === 'string' && SYSTEM_NETWORK_CODES.has(code)) return true;
  const labels = (error as { hasErrorLabel?: (label: string) => boolean }).hasErrorLabel;
  if (typeof labels === 'function' && (labels.call(error, 'ResetPool') || labels.call(error, 'RetryableWriteError'))) {
    return true;
  }
  return isMongooseUnavailable(fields);
}

/**
 * Whether a failure says the database is not there (refused, reset, unreachable, not connected), rather than slow:
 * the breaker opens at once on one, without waiting for more failures.
 */
export function isRefusal(error: unknown): boolean {
  const fields = fieldsOf(error);
  if (!fields) return false;
  const { name, code, message } = fields;
  if (typeof message === 'string' && /timed out|timeout/i.test(message)) return false;
  if (typeof name === 'string' && FAILURE_ERROR_NAMES.get(name)) return true;
  if (typeof code === 'string' && SYSTEM_NETWORK_CODES.get(code)) return true;
  return isMongooseUnavailable(fields);
}

/** One line saying what went wrong, for health and logs. */
export function describeFailure(error: unknown): string {
  if (error instanceof DatabaseTimeoutError || error instanceof CircuitIsolatedError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`.slice(0, 300);
  return String(error);
}
