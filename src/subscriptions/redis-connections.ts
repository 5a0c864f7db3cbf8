import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ioredis } from '../common/redis/bounded-redis-client';

const logger = new Logger('Subscriptions');

export type RedisRole = 'publisher' | 'subscriber';

/** One Redis connection and the last error it met (ioredis retries by itself and keeps no error). */
export interface WatchedRedisConnection {
  readonly role: RedisRole;
  readonly client: Redis;
  /** The last connection error, cleared when the connection is ready again. */
  readonly lastError: string | null;
}

class RedisConnection implements WatchedRedisConnection {
  readonly client: Redis;
  lastError: string | null = null;

  /** Opens a connection that reports its loss once and its return. */
  constructor(
    url: string,
    readonly role: RedisRole,
  ) {
    const { Redis: RedisClient } = ioredis();
    this.client = new RedisClient(url, {
      connectionName: `school-data-service-${role}`,
      // A publish waits for at most one reconnection and then fails (logged, the write is answered anyway);
      // subscriptions wait for Redis as long as it takes.
      maxRetriesPerRequest: role === 'publisher' ? 1 : null,
    });
    this.client.on('error', (error: Error) => {
      if (this.lastError === null) logger.warn(`Redis ${role} connection failed (${error.message}); retrying`);
      this.lastError = error.message;
    });
    this.client.on('ready', () => {
      if (this.lastError !== null) logger.log(`Redis ${role} connection is back`);
      this.lastError = null;
    });
  }

  async close(): Promise<void> {
    if (this.client.status !== 'ready') return this.client.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/**
 * The Redis connections that carry subscription events between instances (REDIS_URL): one to publish,
 * one to subscribe (a subscribed Redis connection can do nothing else). None without REDIS_URL.
 * Shared by the pub/sub and the health check.
 */
export class RedisConnections {
  private constructor(private readonly connections: readonly RedisConnection[]) {}

  static open(url: string | undefined): RedisConnections {
    return new RedisConnections(
      url ? [new RedisConnection(url, 'publisher'), new RedisConnection(url, 'subscriber')] : [],
    );
  }

  get configured(): boolean {
    return this.connections.length > 0;
  }

  get all(): readonly WatchedRedisConnection[] {
    return this.connections;
  }

  /** The connection of a role; only when configured. */
  client(role: RedisRole): Redis {
    const connection = this.connections.find((candidate) => candidate.role === role);
    if (!connection) throw new Error('REDIS_URL is not set: there are no Redis connections');
    return connection.client;
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.close()));
  }
}
