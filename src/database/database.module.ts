import { Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { AppConfig } from '../config/app-config';

/** Strips credentials from a MongoDB URI so it can be logged. */
export function redactMongoUri(uri: string): string {
  return uri.replace(/\/\/[^@/]+@/, '//***@');
}

@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        uri: config.mongodbUri,
        dbName: config.mongodbDbName,
        serverSelectionTimeoutMS: config.mongodbServerSelectionTimeoutMs,
        // Commands fail at once while disconnected instead of waiting in a queue, so an outage shows.
        bufferCommands: false,
        autoIndex: true,
        monitorCommands: config.mongodbMonitorCommands,
        retryAttempts: 2,
        retryDelay: 1000,
        connectionFactory: (connection: Connection) => {
          const logger = new Logger('Database');
          connection.on('error', (error: Error) => logger.error(`MongoDB connection error: ${error.message}`));
          connection.on('disconnected', () => logger.warn('MongoDB disconnected'));
          connection.on('reconnected', () => logger.log('MongoDB reconnected'));
          if (config.mongodbMonitorCommands) {
            connection
              .getClient()
              .on('commandStarted', (event) => logger.debug(`command ${event.commandName} on ${event.databaseName}`));
          }
          logger.log(`Connected to ${redactMongoUri(config.mongodbUri ?? '')} (database ${config.mongodbDbName})`);
          return connection;
        },
      }),
    }),
  ],
})
export class DatabaseModule implements OnApplicationBootstrap {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  /** Builds every model's indexes before the first request, so unique constraints hold from the start. */
  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.connection.modelNames().map((name) => this.connection.model(name).init()));
  }
}
