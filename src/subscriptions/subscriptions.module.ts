import { Module, OnApplicationShutdown } from '@nestjs/common';
import { RedisPubSub, type PubSubRedisOptions } from 'graphql-redis-subscriptions';
import { PubSub, PubSubEngine } from 'graphql-subscriptions';
import { AppConfig } from '../config/app-config';
import { RedisConnections } from './redis-connections';

/** Redis pub/sub on channels named `<prefix><trigger>` (RedisPubSub's triggerTransform applies to subscribe only). */
class PrefixedRedisPubSub extends RedisPubSub {
  constructor(
    private readonly prefix: string,
    options: PubSubRedisOptions,
  ) {
    super(options);
  }

  override publish<T>(trigger: string, payload: T): Promise<void> {
    return super.publish(this.prefix + trigger, payload);
  }

  override subscribe<T>(trigger: string, onMessage: (message: T) => void, options?: unknown): Promise<number> {
    return super.subscribe(this.prefix + trigger, onMessage, options);
  }
}

/**
 * In-process pub/sub by default. With REDIS_URL, Redis pub/sub, so that a subscriber on any instance hears of
 * writes on every instance; channels are named after the database, so instances serving other data do not mix.
 */
function createPubSub(config: AppConfig, redis: RedisConnections): PubSubEngine {
  if (!redis.configured) return new PubSub();
  return new PrefixedRedisPubSub(`school-data:${config.database.name}:`, {
    publisher: redis.client('publisher'),
    subscriber: redis.client('subscriber'),
  });
}

/**
 * Provides the PubSubEngine that GraphQL subscriptions listen on and writes publish to, and the Redis
 * connections behind it (for the health check).
 */
@Module({
  providers: [
    {
      provide: RedisConnections,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => RedisConnections.open(config.graphql.subscriptionsRedisUrl),
    },
    { provide: PubSubEngine, inject: [AppConfig, RedisConnections], useFactory: createPubSub },
  ],
  exports: [PubSubEngine, RedisConnections],
})
export class SubscriptionsModule implements OnApplicationShutdown {
  constructor(private readonly redis: RedisConnections) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.close();
  }
}
