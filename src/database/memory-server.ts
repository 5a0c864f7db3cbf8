import { lookup } from 'node:dns/promises';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { serviceCacheDirectory } from './cache-directory';

/** How long a failed mongod download is remembered: starts meanwhile go to FerretDB at once. */
export const MONGOD_DOWNLOAD_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** A download host whose name does not resolve within this time is as good as unreachable. */
const DOWNLOAD_HOST_LOOKUP_MS = 2000;

/** mongodb-memory-server's own default, unless MONGOMS_DOWNLOAD_URL or MONGOMS_DOWNLOAD_MIRROR say otherwise. */
const DEFAULT_DOWNLOAD_MIRROR = 'https://fastdl.mongodb.org';

/** No mongod can be had here; the message says why, in one line. */
export class MongodUnavailableError extends Error {}

/** What is remembered of a failed download, in `mongod-download-failed.json` in the service's cache directory. */
interface DownloadFailure {
  failedAt: string;
  version: string;
  source: string;
  reason: string;
}

export function mongodDownloadFailureFile(): string {
  return join(serviceCacheDirectory(), 'mongod-download-failed.json');
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim().slice(0, 300);
}

function downloadSource(): string {
  return process.env.MONGOMS_DOWNLOAD_URL || process.env.MONGOMS_DOWNLOAD_MIRROR || DEFAULT_DOWNLOAD_MIRROR;
}

function readFailure(file: string): DownloadFailure | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DownloadFailure;
  } catch {
    return undefined;
  }
}

function rememberFailure(file: string, failure: DownloadFailure): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `${JSON.stringify(failure, null, 2)}\n`);
  } catch {
    // Not remembered: the next start tries again, which is only slower.
  }
}

/**
 * Fails fast when the download host's name does not resolve (offline, or no DNS): the download itself would
 * retry for seconds. Skipped behind a proxy, which resolves names itself, and for an IP address.
 */
async function checkDownloadHost(source: string): Promise<void> {
  if (process.env.HTTPS_PROXY || process.env.https_proxy || process.env.ALL_PROXY || process.env.all_proxy) return;
  const { hostname } = new URL(source);
  if (isIP(hostname.replace(/^\[|\]$/g, '')) !== 0) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      lookup(hostname),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${DOWNLOAD_HOST_LOOKUP_MS} ms`)),
          DOWNLOAD_HOST_LOOKUP_MS,
        );
        timer.unref();
      }),
    ]);
  } catch (error) {
    throw new Error(`${hostname} cannot be resolved: ${oneLine(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * mongodb-memory-server is a development dependency: a production install passes MONGODB_URI and lacks it. Its
 * name is held in a variable so that compiling the service (which `npm start` does) needs no types of it.
 */
const MEMORY_SERVER_PACKAGE = 'mongodb-memory-server';

/** The part of mongodb-memory-server used here. */
interface MemoryServerPackage {
  DryMongoBinary: {
    generateOptions(): Promise<{ version: string }>;
    locateBinary(options: { version: string }): Promise<string | undefined>;
  };
  MongoBinary: { getPath(options: { version: string }): Promise<string> };
  MongoMemoryServer: {
    create(options: { instance: { ip: string; dbPath: string; storageEngine: 'wiredTiger' } }): Promise<{
      getUri(): string;
      stop(options: { doCleanup: boolean }): Promise<boolean>;
    }>;
  };
}

/** A started mongodb-memory-server, as the embedded database is used. */
export interface RunningMemoryServer {
  readonly kind: 'mongodb-memory-server';
  readonly uri: string;
  stop(): Promise<void>;
}

async function importMemoryServer(): Promise<MemoryServerPackage> {
  try {
    return (await import(MEMORY_SERVER_PACKAGE)) as MemoryServerPackage;
  } catch (error) {
    throw new MongodUnavailableError(`${MEMORY_SERVER_PACKAGE} is not installed (${oneLine(error)})`, {
      cause: error,
    });
  }
}

/**
 * Starts a real mongod through mongodb-memory-server: a mongod already at hand (a system binary, or one
 * downloaded before), else one downloaded now. A failed download is remembered for a day
 * (MONGOD_DOWNLOAD_RETRY_AFTER_MS) when `rememberFailure` is set, so that later starts go on without
 * waiting for it to fail again; throws MongodUnavailableError saying why in one line.
 */
export async function startMemoryServer(
  dataDir: string,
  options: { rememberFailure: boolean },
): Promise<RunningMemoryServer> {
  const { DryMongoBinary, MongoBinary, MongoMemoryServer } = await importMemoryServer();
  const binaryOptions = await DryMongoBinary.generateOptions();
  const { version } = binaryOptions;
  if (!(await DryMongoBinary.locateBinary(binaryOptions))) {
    const failureFile = mongodDownloadFailureFile();
    const source = downloadSource();
    const earlier = readFailure(failureFile);
    const retryAt = earlier ? Date.parse(earlier.failedAt) + MONGOD_DOWNLOAD_RETRY_AFTER_MS : 0;
    if (options.rememberFailure && earlier?.version === version && earlier.source === source && Date.now() < retryAt) {
      throw new MongodUnavailableError(
        `the download of mongod ${version} failed at ${earlier.failedAt} (${earlier.reason}); ` +
          `not tried again before ${new Date(retryAt).toISOString()} (delete ${failureFile} to try at the next start)`,
      );
    }
    try {
      await checkDownloadHost(source);
      await MongoBinary.getPath({ version });
    } catch (error) {
      const failedAt = new Date();
      rememberFailure(failureFile, { failedAt: failedAt.toISOString(), version, source, reason: oneLine(error) });
      const retry = new Date(failedAt.getTime() + MONGOD_DOWNLOAD_RETRY_AFTER_MS).toISOString();
      throw new MongodUnavailableError(
        `mongod ${version} could not be downloaded (${oneLine(error)})` +
          (options.rememberFailure ? `; not tried again before ${retry}` : ''),
        { cause: error },
      );
    }
    rmSync(failureFile, { force: true });
  }
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
