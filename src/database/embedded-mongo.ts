import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { FerretdbServer } from './ferretdb-server';
import { MongodUnavailableError, startMemoryServer } from './memory-server';

export interface EmbeddedMongo {
  readonly kind: 'mongodb-memory-server' | 'ferretdb';
  readonly uri: string;
  stop(): Promise<void>;
}

export class EmbeddedMongoUnavailableError extends Error {}

async function startFerretdb(dataDir: string, log: (message: string) => void): Promise<EmbeddedMongo> {
  const server = await FerretdbServer.start({ dataDir, log });
  return { kind: 'ferretdb', uri: server.uri, stop: () => server.stop() };
}

/**
 * Starts a local MongoDB-compatible server for `npm start` without MONGODB_URI:
 * a real mongod through mongodb-memory-server where one is at hand or can be downloaded, else FerretDB
 * (SQLite storage), built once from the Go module proxy. Data persists in EMBEDDED_MONGO_DATA_DIR.
 * A failed download is said in one line and remembered for a day (see startMemoryServer).
 */
export async function startEmbeddedMongo(config: AppConfig, log: (message: string) => void): Promise<EmbeddedMongo> {
  const dataDir = resolve(config.database.embeddedDataDir);
  const failures: string[] = [];
  if (config.database.embeddedServer !== 'ferretdb') {
    try {
      const server = await startMemoryServer(join(dataDir, 'mongod'), {
        rememberFailure: config.database.embeddedServer === 'auto',
      });
      log(`mongod (mongodb-memory-server) listening on ${server.uri} (data in ${join(dataDir, 'mongod')})`);
      return server;
    } catch (error) {
      const reason = error instanceof MongodUnavailableError ? error.message : (error as Error).message.split('\n')[0];
      failures.push(`mongodb-memory-server: ${reason}`);
      if (config.database.embeddedServer === 'memory-server')
        throw new EmbeddedMongoUnavailableError(failures.join('; '));
      log(`No mongod from mongodb-memory-server: ${reason}. Using FerretDB.`);
    }
  }
  try {
    return await startFerretdb(join(dataDir, 'ferretdb'), log);
  } catch (error) {
    failures.push(`FerretDB: ${(error as Error).message}`);
    throw new EmbeddedMongoUnavailableError(failures.join('; '));
  }
}
