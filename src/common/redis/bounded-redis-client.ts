import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

const requireModule = createRequire(__filename);

/**
 * ioredis, loaded on first use rather than at start: it and its dependencies take about 20 MB of memory, and without
 * REDIS_URL the service never needs them.
 */
export function ioredis(): typeof import('ioredis') {
  return requireModule('ioredis') as typeof import('ioredis');
}

/**
 * A Redis connection for calls that must never hold a request up: a command fails at once while the connection is
 * down (no offline queue, no retries) and after `commandTimeoutMs` on a hung Redis, so that its caller goes on
 * without it. ioredis reconnects by itself; `name` shows in Redis's CLIENT LIST as `school-data-service-<name>`.
 * The caller listens to `error` (an unheard one would end the process).
 */
export function boundedRedisClient(url: string, name: string, commandTimeoutMs: number): Redis {
  const { Redis: RedisClient } = ioredis();
  return new RedisClient(url, {
    connectionName: `school-data-service-${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
  });
}
