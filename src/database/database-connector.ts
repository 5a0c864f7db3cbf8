import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ConnectionStates, type Connection } from 'mongoose';
import { AppConfig } from '../config/app-config';

const logger = new Logger('Database');

const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 5000];

/** How long start-up waits for the database before serving without it (a healthy one answers in milliseconds). */
const FIRST_CONNECTION_WAIT_MS = 2000;

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]+@/, '//***@');
}

/**
 * The connection's options, for the first connection and for every retry: a retry's openUri()
 * without them would connect to the URI's default database ("test") with the driver's default timeouts.
 * A new object each call, since Mongoose consumes some of its keys.
 */
export function mongooseConnectionOptions(config: AppConfig) {
  return {
    dbName: config.database.name,
    serverSelectionTimeoutMS: config.database.serverSelectionTimeoutMs,
    socketTimeoutMS: config.database.socketTimeoutMs,
    // Notice a server that is back within a second (the driver's default is 10 s).
    heartbeatFrequencyMS: 1000,
    // Commands fail at once while disconnected instead of waiting in a queue, so an outage shows.
    bufferCommands: false,
    // Indexes are built by DatabaseConnector once a connection exists, not at model creation.
    autoIndex: false,
    autoCreate: false,
    monitorCommands: config.database.monitorCommands,
  };
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
      logger.log(`Connected to ${redact(config.database.uri ?? '')} (database ${config.database.name})`),
    );
    connection.on('disconnected', () => logger.warn('MongoDB disconnected'));
    connection.on('reconnected', () => logger.log('MongoDB reconnected'));
    if (config.database.monitorCommands) {
      connection.on('connected', () =>
        connection.getClient().on('commandStarted', (event) => logger.debug(`command ${event.commandName}`)),
      );
    }
    return connection;
  }

  get connected(): boolean {
    return this.connection.readyState === ConnectionStates.connected;
  }

  async onApplicationBootstrap(): Promise<void> {
    const firstConnection = this.connection.asPromise().then(
      () => true,
      (error: Error) => {
        logger.warn(`MongoDB is not reachable (${error.message.split('\n')[0]}); retrying in the background`);
        this.scheduleRetry(0);
        return false;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const connected = await Promise.race([
      firstConnection,
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), FIRST_CONNECTION_WAIT_MS))),
    ]);
    clearTimeout(timer);
    if (connected) await this.buildIndexes();
    else
      void firstConnection.then(async (late) => {
        if (late) await this.buildIndexes();
      });
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
      await this.connection.openUri(this.config.database.uri!, mongooseConnectionOptions(this.config));
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
