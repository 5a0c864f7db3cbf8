import { Redis } from 'ioredis';

/**
 * A Redis connection for calls that must never hold a request up: a command fails at once while the connection is
 * down (no offline queue, no retries) and after `commandTimeoutMs` on a hung Redis, so that its caller goes on
 * without it. ioredis reconnects by itself; `name` shows in Redis's CLIENT LIST as `school-data-service-<name>`.
 * The caller listens to `error` (an unheard one would end the process).
 */
export function boundedRedisClient(url: string, name: string, commandTimeoutMs: number): Redis {
  return new Redis(url, {
    connectionName: `school-data-service-${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
  });
}
