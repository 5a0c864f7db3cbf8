import { Inject, Logger, type Provider } from '@nestjs/common';
import { getHeapStatistics } from 'node:v8';
import { AppConfig } from '../../config/app-config';
import { boundedByHeap, LastKnownGood } from './last-known-good';
import { RedisSharedTier } from './redis-shared-tier';
import { NO_SHARED_TIER, type SharedTier } from './shared-tier';

export const SHARED_TIER = Symbol('SharedTier');

/** Injects the last-known-good tier's shared copy (Redis with REDIS_URL, else none). */
export const InjectSharedTier = (): ParameterDecorator => Inject(SHARED_TIER);

export const lastKnownGoodProviders: Provider[] = [
  {
    provide: LastKnownGood,
    inject: [AppConfig],
    useFactory: (config: AppConfig) => {
      const { stale } = config.fallback;
      const heapLimit = getHeapStatistics().heap_size_limit;
      const settings = boundedByHeap(stale, heapLimit);
      if (stale.enabled && settings.maxBytes < stale.maxBytes) {
        new Logger('LastKnownGood').log(
          `Holding at most ${Math.round(settings.maxBytes / 2 ** 20)} MB in process: FALLBACK_STALE_MAX_MB is ` +
            `${stale.maxBytes / 2 ** 20}, and a quarter of the ${Math.round(heapLimit / 2 ** 20)} MB heap is the most ` +
            'the tier may take (give node a larger --max-old-space-size to hold more)',
        );
      }
      return new LastKnownGood(settings);
    },
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
