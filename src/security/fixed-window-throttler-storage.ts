import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

interface Window {
  startedAt: number;
  ttl: number;
  hits: number;
}

/** Windows that have ended are forgotten this often, so addresses seen once do not accumulate. */
const SWEEP_INTERVAL_MS = 10_000;

/**
 * A @nestjs/throttler storage that counts hits in fixed windows: constant time and memory per request and
 * per key. (The library's default storage keeps one timestamp per hit and walks them on every request, which
 * costs more the busier a client is: tens of microseconds per request near the default limits.) A window
 * allows at most `limit` hits; a client may use two windows' worth across a window boundary.
 * With REDIS_URL, RedisThrottlerStorage counts in Redis instead (shared by every instance), and falls back to this.
 */
@Injectable()
export class FixedWindowThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();

  increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string) {
    const now = Date.now();
    const id = `${throttlerName}:${key}`;
    let window = this.windows.get(id);
    if (!window || now - window.startedAt >= window.ttl) {
      window = { startedAt: now, ttl, hits: 0 };
      this.windows.set(id, window);
    }
    window.hits++;
    const timeToExpire = Math.max(1, Math.ceil((window.startedAt + ttl - now) / 1000));
    const isBlocked = window.hits > limit;
    return Promise.resolve({
      totalHits: window.hits,
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? timeToExpire : 0,
    });
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, window] of this.windows) {
      if (now - window.startedAt >= window.ttl) this.windows.delete(id);
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }
}
