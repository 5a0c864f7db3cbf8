import { Module } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AdminOnlyGuard } from './admin-only.guard';
import { AppConfig } from '../config/app-config';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage';
import { RateLimiter } from './rate-limiter';
import { RedisThrottlerStorage } from './redis-throttler-storage';
import { RequestGate } from './request-gate';
import { TokenVerifier } from './token-verifier';

/** Authentication (bearer tokens), request rates, and the guard of the operators' endpoints. */
@Module({
  providers: [
    TokenVerifier,
    {
      // Shared by every instance through Redis with REDIS_URL, else counted in this instance.
      provide: ThrottlerStorage,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const url = config.graphql.subscriptionsRedisUrl;
        return url
          ? new RedisThrottlerStorage({ url, timeoutMs: config.limits.redisTimeoutMs })
          : new FixedWindowThrottlerStorage();
      },
    },
    RateLimiter,
    RequestGate,
    AdminOnlyGuard,
  ],
  exports: [RequestGate, RateLimiter, AdminOnlyGuard],
})
export class SecurityModule {}
