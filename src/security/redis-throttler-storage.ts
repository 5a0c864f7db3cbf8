import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis, Result } from 'ioredis';
import { boundedRedisClient } from '../common/redis/bounded-redis-client';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export interface RedisThrottlerSettings {
  url: string;
  /** How long a request waits for Redis before it is counted by this instance alone. */
  timeoutMs: number;
}

/**
 * One fixed window per key: the first hit sets its expiry, so every instance counts in the same window. Returns the
 * hits so far and the milliseconds left (a key left without an expiry, which nothing here creates, gets one).
 */
const INCREMENT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return { hits, left }
`;

const PREFIX = 'rate:v1:';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rateIncrement(key: string, windowMs: number): Result<[number, number], Context>;
  }
}

/**
 * Request rates counted in Redis (with REDIS_URL), so that every instance behind the edge shares one count per
 * client: the same fixed windows as FixedWindowThrottlerStorage, counted atomically by a script. Redis must never
 * fail or slow a request: a count that takes longer than `timeoutMs`, or fails (Redis down, not yet connected),
 * is taken by this instance's own storage instead (per-instance limits until Redis answers again).
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimiter');
  private readonly client: Redis;
  private readonly local = new FixedWindowThrottlerStorage();
  private degraded = false;
  private closing = false;

  constructor(private readonly settings: RedisThrottlerSettings) {
    // A count on a hung Redis fails after the timeout, and this instance counts it alone.
    this.client = boundedRedisClient(settings.url, 'rate-limits', settings.timeoutMs);
    this.client.defineCommand('rateIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    // Connection errors are reported by the first count that falls back (see below), not on every retry.
    this.client.on('error', () => undefined);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    let counted: [number, number];
    try {
      if (this.client.status !== 'ready') throw new Error(`the connection is ${this.client.status}`);
      counted = await this.client.rateIncrement(`${PREFIX}${throttlerName}:${key}`, ttl);
    } catch (error) {
      if (!this.degraded && !this.closing) {
        this.degraded = true;
        this.logger.warn(
          `Counting request rates in this instance only: Redis did not count in time (${(error as Error).message})`,
        );
      }
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    if (this.degraded) {
      this.degraded = false;
      this.logger.log('Counting request rates in Redis again, shared by every instance');
    }
    const [totalHits, leftMs] = counted;
    const timeToExpire = Math.max(1, Math.ceil(leftMs / 1000));
    const isBlocked = totalHits > limit;
    return { totalHits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.local.onApplicationShutdown();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
