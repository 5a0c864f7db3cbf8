import { Module } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { AdminOnlyGuard } from './admin-only.guard';
import { RateLimiter } from './rate-limiter';
import { RequestGate } from './request-gate';
import { TokenVerifier } from './token-verifier';

/** Authentication (bearer tokens), request rates, and the guard of the operators' endpoints. */
@Module({
  providers: [TokenVerifier, ThrottlerStorageService, RateLimiter, RequestGate, AdminOnlyGuard],
  exports: [RequestGate, RateLimiter, AdminOnlyGuard],
})
export class SecurityModule {}
