import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { FerretdbServer } from './ferretdb-server';

export interface EmbeddedMongo {
  readonly kind: 'mongodb-memory-server' | 'ferretdb';
  readonly uri: string;
  stop(): Promise<void>;
}

export class EmbeddedMongoUnavailableError extends Error {}

/**
 * mongodb-memory-server is a development dependency: a production install passes MONGODB_URI and lacks it. Its
 * name is held in a variable so that compiling the service (which `npm start` does) needs no types of it.
 */
const MEMORY_SERVER_PACKAGE = 'mongodb-memory-server';

/** The part of mongodb-memory-server used here. */
interface MemoryServerPackage {
  MongoMemoryServer: {
    create(options: { instance: { ip: string; dbPath: string; storageEngine: 'wiredTiger' } }): Promise<{
      getUri(): string;
      stop(options: { doCleanup: boolean }): Promise<boolean>;
    }>;
  };
}

async function startMemoryServer(dataDir: string): Promise<EmbeddedMongo> {
  const { MongoMemoryServer } = (await import(MEMORY_SERVER_PACKAGE)) as MemoryServerPackage;
  mkdirSync(dataDir, { recursive: true });
  const server = await MongoMemoryServer.create({
    instance: { ip: '127.0.0.1', dbPath: dataDir, storageEngine: 'wiredTiger' },
  });
  return {
    kind: 'mongodb-memory-server',
    uri: server.getUri(),
    stop: async () => void (await server.stop({ doCleanup: false })),
  };
}

async function startFerretdb(dataDir: string, log: (message: string) => void): Promise<EmbeddedMongo> {
  const server = await FerretdbServer.start({ dataDir, log });
  return { kind: 'ferretdb', uri: server.uri, stop: () => server.stop() };
}

/**
 * Starts a local MongoDB-compatible server for `npm start` without MONGODB_URI:
 * a real mongod through mongodb-memory-server where one can be downloaded, else FerretDB
 * (SQLite storage), built once from the Go module proxy. Data persists in EMBEDDED_MONGO_DATA_DIR.
 */
export async function startEmbeddedMongo(config: AppConfig, log: (message: string) => void): Promise<EmbeddedMongo> {
  const dataDir = resolve(config.embeddedMongoDataDir);
  const failures: string[] = [];
  if (config.embeddedMongo !== 'ferretdb') {
    try {
      return await startMemoryServer(join(dataDir, 'mongod'));
    } catch (error) {
      failures.push(`mongodb-memory-server: ${(error as Error).message.split('\n')[0]}`);
      if (config.embeddedMongo === 'memory-server') throw new EmbeddedMongoUnavailableError(failures.join('; '));
      log(`mongodb-memory-server could not start a mongod (${failures[0]}); using FerretDB instead`);
    }
  }
  try {
    return await startFerretdb(join(dataDir, 'ferretdb'), log);
  } catch (error) {
    failures.push(`FerretDB: ${(error as Error).message}`);
    throw new EmbeddedMongoUnavailableError(failures.join('; '));
  }
}
