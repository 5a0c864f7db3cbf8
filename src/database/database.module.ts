import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { AppConfig } from '../config/app-config';
import { DatabaseConnector } from './database-connector';

@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        uri: config.mongodbUri,
        dbName: config.mongodbDbName,
        serverSelectionTimeoutMS: config.mongodbServerSelectionTimeoutMs,
        socketTimeoutMS: config.mongodbSocketTimeoutMs,
        // Notice a server that is back within a second (the driver's default is 10 s).
        heartbeatFrequencyMS: 1000,
        // Commands fail at once while disconnected instead of waiting in a queue, so an outage shows.
        bufferCommands: false,
        // Indexes are built by DatabaseConnector once a connection exists, not at model creation.
        autoIndex: false,
        autoCreate: false,
        monitorCommands: config.mongodbMonitorCommands,
        // The service starts without its database (it answers from backup data meanwhile);
        // DatabaseConnector keeps trying to connect.
        lazyConnection: true,
        retryAttempts: 0,
        connectionFactory: (connection: Connection) => DatabaseConnector.watch(connection, config),
      }),
    }),
  ],
  providers: [DatabaseConnector],
  exports: [DatabaseConnector],
})
export class DatabaseModule {}
