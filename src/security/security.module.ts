import { Module } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AdminOnlyGuard } from './admin-only.guard';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage';
import { RateLimiter } from './rate-limiter';
import { RequestGate } from './request-gate';
import { TokenVerifier } from './token-verifier';

/** Authentication (bearer tokens), request rates, and the guard of the operators' endpoints. */
@Module({
  providers: [
    TokenVerifier,
    { provide: ThrottlerStorage, useClass: FixedWindowThrottlerStorage },
    RateLimiter,
    RequestGate,
    AdminOnlyGuard,
  ],
  exports: [RequestGate, RateLimiter, AdminOnlyGuard],
})
export class SecurityModule {}
