import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { AppConfig } from '../config/app-config';

const logger = new Logger('Database');

const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 5000];

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]+@/, '//***@');
}

/**
 * Connects to MongoDB without ever blocking the service: it waits a moment for the first connection
 * at start (so a healthy database is used from the first request), then keeps retrying in the
 * background. The driver itself never retries a failed first connection; once connected, it
 * reconnects by itself. Indexes are built after each first successful connection.
 */
@Injectable()
export class DatabaseConnector implements OnApplicationBootstrap, OnApplicationShutdown {
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  private indexesBuilt?: Promise<void>;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly config: AppConfig,
  ) {}

  /** Attaches the listeners the connection needs from its creation (an unhandled 'error' would end the process). */
  static watch(connection: Connection, config: AppConfig): Connection {
    connection.on('error', (error: Error) => logger.warn(`MongoDB connection error: ${error.message.split('\n')[0]}`));
    connection.on('connected', () =>
      logger.log(`Connected to ${redact(config.mongodbUri ?? '')} (database ${config.mongodbDbName})`),
    );
    connection.on('disconnected', () => logger.warn('MongoDB disconnected'));
    connection.on('reconnected', () => logger.log('MongoDB reconnected'));
    if (config.mongodbMonitorCommands) {
      connection.on('connected', () =>
        connection.getClient().on('commandStarted', (event) => logger.debug(`command ${event.commandName}`)),
      );
    }
    return connection;
  }

  get connected(): boolean {
    return this.connection.readyState === 1;
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.connection.asPromise();
      await this.buildIndexes();
    } catch (error) {
      logger.warn(
        `MongoDB is not reachable at start (${(error as Error).message.split('\n')[0]}); retrying in the background`,
      );
      this.scheduleRetry(0);
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private scheduleRetry(attempt: number): void {
    if (this.stopped) return;
    const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)];
    this.retryTimer = setTimeout(() => void this.retry(attempt), delay);
    this.retryTimer.unref();
  }

  private async retry(attempt: number): Promise<void> {
    if (this.stopped || this.connected) return;
    try {
      await this.connection.openUri(this.config.mongodbUri!);
      await this.buildIndexes();
    } catch {
      this.scheduleRetry(attempt + 1);
    }
  }

  private async buildIndexes(): Promise<void> {
    this.indexesBuilt ??= Promise.all(
      this.connection.modelNames().map((name) => this.connection.model(name).createIndexes()),
    ).then(
      () => logger.log('Indexes are in place'),
      (error: Error) => {
        this.indexesBuilt = undefined;
        logger.error(`Building indexes failed: ${error.message}`);
      },
    );
    return this.indexesBuilt;
  }
}
