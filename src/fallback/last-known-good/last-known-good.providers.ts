import { Inject, type Provider } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { LastKnownGood } from './last-known-good';
import { RedisSharedTier } from './redis-shared-tier';
import { NO_SHARED_TIER, type SharedTier } from './shared-tier';

export const SHARED_TIER = Symbol('SharedTier');

/** Injects the last-known-good tier's shared copy (Redis with REDIS_URL, else none). */
export const InjectSharedTier = (): ParameterDecorator => Inject(SHARED_TIER);

export const lastKnownGoodProviders: Provider[] = [
  {
    provide: LastKnownGood,
    inject: [AppConfig],
    useFactory: (config: AppConfig) => new LastKnownGood(config.fallback.stale),
  },
  {
    provide: SHARED_TIER,
    inject: [AppConfig],
    // RedisSharedTier closes its connection in onApplicationShutdown.
    useFactory: (config: AppConfig): SharedTier => {
      const url = config.graphql.subscriptionsRedisUrl;
      const stale = config.fallback.stale;
      return url && stale.enabled ? new RedisSharedTier({ url, ...stale }) : NO_SHARED_TIER;
    },
  },
];
