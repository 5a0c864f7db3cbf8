import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { AppConfig } from '../config/app-config';
import { DatabaseConnector, mongooseConnectionOptions } from './database-connector';
import { DatabasePing } from './database-ping';

@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        uri: config.database.uri,
        ...mongooseConnectionOptions(config),
        // The service starts without its database (it answers from backup data meanwhile);
        // DatabaseConnector keeps trying to connect.
        lazyConnection: true,
        retryAttempts: 0,
        connectionFactory: (connection: Connection) => DatabaseConnector.watch(connection, config),
      }),
    }),
  ],
  providers: [DatabaseConnector, DatabasePing],
  exports: [DatabaseConnector, DatabasePing],
})
export class DatabaseModule {}
