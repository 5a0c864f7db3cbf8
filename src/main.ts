import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './bootstrap/create-app';
import { AppConfig, InvalidConfigError, loadAppConfig } from './config/app-config';
import { seedDemoData } from './demo-data/demo-data';
import { EmbeddedMongo, EmbeddedMongoUnavailableError, startEmbeddedMongo } from './database/embedded-mongo';
import { InvalidFixtureError } from './fallback/fixtures/fixture-loader';

async function main(): Promise<void> {
  const logger = new Logger('Bootstrap');
  let config: AppConfig;
  try {
    config = loadAppConfig();
  } catch (error) {
    if (error instanceof InvalidConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  let embedded: EmbeddedMongo | undefined;
  if (!config.database.uri) {
    logger.log('MONGODB_URI is not set: starting an embedded MongoDB-compatible server with demo data');
    try {
      embedded = await startEmbeddedMongo(config, (message) => logger.log(message));
    } catch (error) {
      if (error instanceof EmbeddedMongoUnavailableError) {
        logger.fatal(
          `No embedded database could be started (${error.message}). Set MONGODB_URI=mongodb://host:27017 to use your own MongoDB.`,
        );
        process.exit(1);
      }
      throw error;
    }
    config = { ...config, database: { ...config.database, uri: embedded.uri } };
  }

  let app: NestFastifyApplication;
  try {
    app = await createApp(config);
  } catch (error) {
    if (error instanceof InvalidFixtureError) {
      logger.fatal(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (embedded) {
    const connection = app.get<Connection>(getConnectionToken());
    await seedDemoData(connection.db!, (message) => logger.log(message));
    const stopEmbedded = embedded.stop.bind(embedded);
    process.once('exit', () => void stopEmbedded());
    // Once the last request is answered. The database connection is closed first: FerretDB waits (3 s)
    // for its clients to leave before it stops.
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onClose', async () => {
        await connection.close();
        await stopEmbedded();
      });
  }
  const { host, port } = config.server;
  await app.listen({ port, host });
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.log(
    `Listening on ${base}: REST ${base}/api, GraphQL ${base}/graphql, API docs ${base}/docs, health ${base}/health`,
  );
}

void main();
