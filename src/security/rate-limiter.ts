import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import type { Principal } from '../common/principal';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; limit: number };

/**
 * Request rates per authenticated subject (RATE_LIMIT_PER_CREDENTIAL) or, for anonymous requests and
 * tokens that do not verify, per client address (RATE_LIMIT_PER_ADDRESS), in windows of
 * RATE_LIMIT_WINDOW_MS; counted in a @nestjs/throttler storage: RedisThrottlerStorage with REDIS_URL (shared by every
 * instance), FixedWindowThrottlerStorage otherwise.
 */
@Injectable()
export class RateLimiter {
  constructor(
    private readonly config: AppConfig,
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
  ) {}

  async take(principal: Principal, clientAddress: string): Promise<RateDecision> {
    const { rateLimitEnabled, rateLimitWindowMs, perCredential, perAddress } = this.config.limits;
    if (!rateLimitEnabled) return { allowed: true };
    const [key, limit] =
      principal.role === 'anonymous'
        ? [`address:${clientAddress}`, perAddress]
        : [`credential:${principal.role}:${principal.sub}`, perCredential];
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(key, rateLimitWindowMs, limit, 0, 'default');
    if (!isBlocked) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, timeToBlockExpire), limit };
  }
}
