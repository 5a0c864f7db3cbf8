import { GraphQLSchemaHost } from '@nestjs/graphql';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { SCHEMA_FILE } from '../src/bootstrap/graphql-options';
import { resolveFerretdbBinary } from '../src/database/ferretdb-binary';
import { freePort as freeLoopbackPort, spawnService } from './support/service-process';
import { startTestApp } from './support/test-app';
import { ADMIN, authorizationFor, TEST_JWT_SECRET } from './support/tokens';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs the built service as `npm start` does, with the given environment (and no MONGODB_URI unless given). */
function startService(env: Record<string, string>) {
  const { MONGODB_URI: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [MAIN], {
    env: { ...inherited, AUTH_JWT_SECRET: TEST_JWT_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (text: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!output.includes(text)) {
      if (child.exitCode !== null) throw new Error(`service exited (${child.exitCode}):\n${output}`);
      if (Date.now() > deadline) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return { child, exited, waitFor, output: () => output };
}

async function stop(child: ChildProcess, exited: Promise<unknown>) {
  if (child.exitCode === null) child.kill('SIGTERM');
  await exited;
}

/** Whether something listens on 127.0.0.1:`port`. */
async function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The running processes whose command line contains `text` (read from /proc). */
function processesWhoseCommandLineHas(text: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        return [readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')];
      } catch {
        return [];
      }
    })
    .filter((commandLine) => commandLine.includes(text));
}

describe('Starting the service', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm test builds it first (npm run build)`);
  });

  describe('without MONGODB_URI', () => {
    let scratch: string;
    let port: number;
    let service: ReturnType<typeof startService>;

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'embedded-mongo-'));
      port = await freePort();
      service = startService({
        PORT: String(port),
        EMBEDDED_MONGO_DATA_DIR: join(scratch, 'data'),
        NODE_ENV: 'test',
        // No mongod at hand and none to download (its host does not resolve), whatever this machine
        // has: the embedded database is FerretDB. A cache of its own, the FerretDB binary given.
        XDG_CACHE_HOME: join(scratch, 'cache'),
        FERRETDB_BIN: await resolveFerretdbBinary(),
        MONGOMS_DOWNLOAD_DIR: join(scratch, 'mongod-binaries'),
        MONGOMS_DOWNLOAD_MIRROR: 'https://mongod-download.invalid',
        MONGOMS_SYSTEM_BINARY: '',
      });
      await service.waitFor('Listening on', 90_000);
    }, 120_000);

    afterAll(async () => {
      await stop(service.child, service.exited);
      rmSync(scratch, { recursive: true, force: true });
    });

    /** The FerretDB process serving this service's data directory, found by its command line. */
    const ferretdbProcesses = () => processesWhoseCommandLineHas(`-sqlite-dir ${join(scratch, 'data', 'ferretdb')}`);

    it('starts an embedded database and serves the demo data', async () => {
      const headers = await authorizationFor(ADMIN);
      const schools: any = await (await fetch(`http://127.0.0.1:${port}/api/schools?limit=1`)).json();
      const teachers: any = await (await fetch(`http://127.0.0.1:${port}/api/teachers?limit=1`, { headers })).json();
      expect(schools.total).toBe(40);
      expect(teachers.total).toBe(800);
      expect(teachers.items[0].email).toMatch(/@demo\.school\.test$/);
      expect(service.output()).toMatch(/Demo data seeded/);
    });

    it('starts FerretDB, having said in one line why not a mongod, and uses it', () => {
      const output = service.output();
      expect(output).toMatch(
        /No mongod from mongodb-memory-server: mongod \S+ could not be downloaded \(mongod-download\.invalid cannot be resolved/,
      );
      expect(output).not.toMatch(/mongod \(mongodb-memory-server\) listening on/);
      const ferretdbUri = /FerretDB listening on (mongodb:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
      expect(ferretdbUri).toBeDefined();
      expect(output).toContain(`Connected to ${ferretdbUri} (database`);
      expect(ferretdbProcesses()).toHaveLength(1);
    });

    it('stops its embedded database when it stops', async () => {
      const ferretdbPort = Number(/FerretDB listening on mongodb:\/\/127\.0\.0\.1:(\d+)/.exec(service.output())?.[1]);
      expect(await acceptsConnections(ferretdbPort)).toBe(true);

      await stop(service.child, service.exited);

      expect(await acceptsConnections(ferretdbPort)).toBe(false);
      expect(ferretdbProcesses()).toEqual([]);
    });
  });

  describe('without MONGODB_URI where no mongod can be downloaded', () => {
    let scratch: string;
    let env: Record<string, string>;

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'embedded-fallback-'));
      env = {
        PORT: String(await freeLoopbackPort()),
        NODE_ENV: 'test',
        EMBEDDED_MONGO_DATA_DIR: join(scratch, 'data'),
        // A cache of its own (the FerretDB binary is given), an empty mongod download directory, and a
        // download mirror that refuses connections: the download fails as it does offline.
        XDG_CACHE_HOME: join(scratch, 'cache'),
        FERRETDB_BIN: await resolveFerretdbBinary(),
        MONGOMS_DOWNLOAD_DIR: join(scratch, 'mongod-binaries'),
        MONGOMS_DOWNLOAD_MIRROR: `https://127.0.0.1:${await freeLoopbackPort()}`,
        MONGOMS_SYSTEM_BINARY: '',
      };
    });

    afterAll(() => {
      rmSync(scratch, { recursive: true, force: true });
    });

    /** Starts the service, returns how long the embedded database took to start and the lines about mongod. */
    async function startOnce() {
      const service = spawnService(env);
      try {
        await service.waitFor('MONGODB_URI is not set', 30_000);
        const embeddedStartMs = await service.waitFor('FerretDB listening on', 60_000);
        await service.waitFor('Listening on http', 30_000);
        const mongodLines = service
          .output()
          .split('\n')
          .filter((line) => /\bmongod\b|MongoMemoryServer|DownloadError/.test(line));
        return { embeddedStartMs, mongodLines, output: service.output() };
      } finally {
        await service.stop();
      }
    }

    it('says so in one line, remembers it, and the next start goes on to FerretDB without waiting', async () => {
      const first = await startOnce();
      expect(first.mongodLines).toEqual([
        expect.stringMatching(
          /No mongod from mongodb-memory-server: mongod \S+ could not be downloaded \(.*ECONNREFUSED/,
        ),
      ]);
      expect(first.output).not.toMatch(/^\s+at /m);
      const remembered = JSON.parse(
        readFileSync(join(scratch, 'cache', 'school-data-service', 'mongod-download-failed.json'), 'utf8'),
      );
      expect(remembered).toMatchObject({ failedAt: expect.any(String), reason: expect.stringMatching(/ECONNREFUSED/) });

      const second = await startOnce();
      expect(second.mongodLines).toEqual([
        expect.stringMatching(
          /No mongod from mongodb-memory-server: the download of mongod \S+ failed at .*not tried again before/,
        ),
      ]);
      expect(second.output).not.toMatch(/^\s+at /m);
      // The download alone retries for several seconds before it fails; remembered, it is not tried at all.
      expect(second.embeddedStartMs).toBeLessThan(2000);
      console.log(`embedded database start: ${first.embeddedStartMs} ms, then ${second.embeddedStartMs} ms`);
    }, 120_000);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['MONGODB_URI', { MONGODB_URI: 'http://localhost:27017' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['MONGODB_SERVER_SELECTION_TIMEOUT_MS', { MONGODB_SERVER_SELECTION_TIMEOUT_MS: '-5' }],
  ])('refuses to start with one message naming %s when it is invalid', async (variable, env) => {
    const service = startService(env);
    const code = await service.exited;
    expect(code).toBe(1);
    const lines = service.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Invalid configuration: ${variable}`);
  });
});

describe('schema.gql', () => {
  it('is the schema the service serves (regenerate it with npm start in development)', async () => {
    const sut = await startTestApp({ seed: false });
    try {
      const { schema } = sut.app.get(GraphQLSchemaHost);
      const committed = readFileSync(SCHEMA_FILE, 'utf8')
        .replace(/^#.*\n/gm, '')
        .trim();
      expect(printSchema(lexicographicSortSchema(schema)).trim()).toBe(committed);
    } finally {
      await sut.close();
    }
  });
});
