import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { RedisConnections, type WatchedRedisConnection } from '../../subscriptions/redis-connections';

/** A healthy Redis answers a PING in milliseconds. */
export const REDIS_PING_TIMEOUT_MS = 500;

/** Why a connection cannot be used now, or undefined when it answers a PING in time. */
async function problemOf({ role, client, lastError }: WatchedRedisConnection): Promise<string | undefined> {
  if (client.status !== 'ready') return `${role} connection is ${client.status}${lastError ? ` (${lastError})` : ''}`;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer to PING within ${REDIS_PING_TIMEOUT_MS} ms`)),
          REDIS_PING_TIMEOUT_MS,
        );
      }),
    ]);
    return undefined;
  } catch (error) {
    return `${role} connection: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `up` while both Redis connections of the subscriptions (REDIS_URL) are ready and answer a PING in time;
 * `down` with the reason otherwise: subscribers on other instances do not hear of this instance's writes.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisConnections,
  ) {}

  /** Whether there is a Redis to check (REDIS_URL is set). */
  get configured(): boolean {
    return this.redis.configured;
  }

  async isHealthy<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    const problems = (await Promise.all(this.redis.all.map(problemOf))).filter((problem) => problem !== undefined);
    return problems.length === 0 ? indicator.up() : indicator.down({ message: problems.join('; ') });
  }
}
