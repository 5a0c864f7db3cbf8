import { BrokenCircuitError, IsolatedCircuitError, TaskCancelledError } from 'cockatiel';

/** Error classes the MongoDB driver raises when the server cannot be reached or answered too late. */
const FAILURE_ERROR_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'PoolClearedError',
  'PoolClearedOnNetworkError',
  'MongoOperationTimeoutError',
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

const SYSTEM_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Mongoose's own messages when it refuses to send a command: no connection yet (with buffering off),
 * a buffering timeout, or a closed connection.
 */
const MONGOOSE_UNAVAILABLE =
  /before initial connection is complete|buffering timed out|connection .*(closed|was force closed)|not connected/i;

/**
 * Whether an error means the database could not serve the operation (so backup data may answer),
 * as opposed to an error in the request itself (validation, duplicate key, bad cast), which must
 * reach the client as it is.
 */
export function isDatabaseFailure(error: unknown): boolean {
  if (
    error instanceof TaskCancelledError ||
    error instanceof BrokenCircuitError ||
    error instanceof IsolatedCircuitError
  ) {
    return true;
  }
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (typeof name === 'string' && FAILURE_ERROR_NAMES.has(name)) return true;
  if (typeof code === 'number' && TRANSIENT_SERVER_CODES.has(code)) return true;
  if (typeof code === 'string' && SYSTEM_NETWORK_CODES.has(code)) return true;
  const labels = (error as { hasErrorLabel?: (label: string) => boolean }).hasErrorLabel;
  if (typeof labels === 'function' && (labels.call(error, 'ResetPool') || labels.call(error, 'RetryableWriteError'))) {
    return true;
  }
  return name === 'MongooseError' && typeof message === 'string' && MONGOOSE_UNAVAILABLE.test(message);
}

/** One line saying what went wrong, for health and logs. */
export function describeFailure(error: unknown): string {
  if (error instanceof TaskCancelledError) return 'operation timed out';
  if (error instanceof IsolatedCircuitError) return 'drill: degraded mode forced';
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`.slice(0, 300);
  return String(error);
}
