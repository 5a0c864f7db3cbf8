import { Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { RedisPubSub, type PubSubRedisOptions } from 'graphql-redis-subscriptions';
import { PubSub, PubSubEngine } from 'graphql-subscriptions';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config';

const logger = new Logger('Subscriptions');

/** A Redis connection that reports its loss once (ioredis retries by itself) and its return. */
function redisConnection(url: string, role: 'publisher' | 'subscriber'): Redis {
  const client = new Redis(url, {
    connectionName: `school-data-service-${role}`,
    // A publish waits for at most one reconnection and then fails (logged, the write is answered anyway);
    // subscriptions wait for Redis as long as it takes.
    maxRetriesPerRequest: role === 'publisher' ? 1 : null,
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger.warn(`Redis ${role} connection failed (${error.message}); retrying`);
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.log(`Redis ${role} connection is back`);
    down = false;
  });
  return client;
}

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
function createPubSub(config: AppConfig): PubSubEngine {
  if (!config.graphql.subscriptionsRedisUrl) return new PubSub();
  return new PrefixedRedisPubSub(`school-data:${config.database.name}:`, {
    publisher: redisConnection(config.graphql.subscriptionsRedisUrl, 'publisher'),
    subscriber: redisConnection(config.graphql.subscriptionsRedisUrl, 'subscriber'),
  });
}

/** Provides the PubSubEngine that GraphQL subscriptions listen on and writes publish to. */
@Module({
  providers: [{ provide: PubSubEngine, inject: [AppConfig], useFactory: createPubSub }],
  exports: [PubSubEngine],
})
export class SubscriptionsModule implements OnApplicationShutdown {
  constructor(private readonly pubSub: PubSubEngine) {}

  async onApplicationShutdown(): Promise<void> {
    if (!(this.pubSub instanceof RedisPubSub)) return;
    await Promise.all(
      [this.pubSub.getPublisher(), this.pubSub.getSubscriber()].map(async (client) => {
        if (client.status !== 'ready') return client.disconnect();
        await client.quit().catch(() => client.disconnect());
      }),
    );
  }
}
