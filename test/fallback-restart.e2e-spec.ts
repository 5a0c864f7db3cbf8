import Database from 'better-sqlite3';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { FerretdbServer } from '../src/database/ferretdb-server';
import { waitUntil } from './support/fault-database';
import { freePort, HttpAnswer, MAIN, ServiceProcess, spawnService } from './support/service-process';

// Jest does not apply a project's testTimeout to its tests; hooks start and stop processes.
jest.setTimeout(60_000);

/**
 * The built service (dist/main.js) as separate processes, each test with a FerretDB of its own:
 * crashes of the service itself (kill -9) while writes wait in its journal, a start without the
 * database, and a start with a broken fixture.
 */

const { EJSON } = mongoose.mongo.BSON;
const ROOT = join(__dirname, '..');

function fixtureText(file: string): string {
  return readFileSync(join(ROOT, 'src', file), 'utf8');
}

/** A backup fixture record: the fields these tests read, typed. */
interface FixtureRecord {
  _id: mongoose.mongo.ObjectId;
  email: string;
  code?: string;
  status?: string;
  [field: string]: unknown;
}

function fixture(file: string): FixtureRecord[] {
  return fixtureText(file)
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => EJSON.parse(line, { relaxed: false }) as FixtureRecord);
}

const backup = {
  schools: fixture('school/persistence/fixtures/schools.json'),
  headmasters: fixture('headmaster/persistence/fixtures/headmasters.json'),
  teachers: fixture('teacher/persistence/fixtures/teachers.json'),
  subjects: fixture('subject/persistence/fixtures/subjects.json'),
};

const FALLBACK_SETTINGS = {
  NODE_ENV: 'test',
  // Room for a loaded test machine: a healthy answer must not be taken for an outage.
  FALLBACK_OPERATION_TIMEOUT_MS: '1000',
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
};
const START_TIMEOUT_MS = 30_000;
const DB_NAME = 'schools';

/** Timings observed by this file, printed at the end for the record. */
const timings: Record<string, number> = {};

/** Everything a describe block started, stopped in its afterAll whatever happened. */
const started: { services: ServiceProcess[]; databases: FerretdbServer[]; dirs: string[] } = {
  services: [],
  databases: [],
  dirs: [],
};

async function startService(env: Record<string, string>, options: { main?: string; cwd?: string } = {}) {
  const port = await freePort();
  const service = spawnService({ ...FALLBACK_SETTINGS, PORT: String(port), ...env }, options);
  started.services.push(service);
  return service;
}

async function startDatabase(port?: number): Promise<FerretdbServer> {
  const database = await FerretdbServer.start({ port });
  started.databases.push(database);
  return database;
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  started.dirs.push(dir);
  return dir;
}

/** Runs `action` with a MongoDB client connected straight to the database (not through the service). */
async function withDatabase<T>(uri: string, action: (db: mongoose.mongo.Db) => Promise<T>): Promise<T> {
  const client = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    return await action(client.db(DB_NAME));
  } finally {
    await client.close();
  }
}

async function dataSource(service: ServiceProcess, path: string): Promise<string | null> {
  try {
    return (await service.request('GET', path)).headers.get('x-data-source');
  } catch {
    return null;
  }
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm test builds it first (npm run build)`);
});

async function stopEverything(): Promise<void> {
  await Promise.all(started.services.splice(0).map((service) => service.kill9()));
  await Promise.all(started.databases.splice(0).map((database) => database.stop()));
  for (const dir of started.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

afterAll(() => {
  console.log(`fallback-restart timings (ms): ${JSON.stringify(timings)}`);
});

describe('Journalled writes across crashes of the service', () => {
  const headmaster = backup.headmasters[2];
  const headmasterId = headmaster._id.toHexString();
  /** Backup records that the database holds too (the backup is a copy of it): changeable during an outage. */
  const updatedTeacher = backup.teachers[0];
  const deletedTeacher = backup.teachers[1];
  const newTeacher = (name: string, n: number) => ({
    firstName: name,
    lastName: 'Journalled',
    email: `${name.toLowerCase()}.journalled@example.org`,
    phone: `+1 555 01${n}`,
    subjects: ['geography'],
  });

  let database: FerretdbServer;
  let journalPath: string;
  let env: Record<string, string>;
  type Answer = HttpAnswer;
  let ada: Answer;
  let bo: Answer;
  let cy: Answer;

  beforeAll(async () => {
    database = await startDatabase();
    await withDatabase(database.uri, async (db) => {
      await db.collection('schools').insertMany(backup.schools);
      await db.collection('headmasters').insertMany(backup.headmasters);
      await db.collection('teachers').insertMany(backup.teachers);
      // A replayed write is checked against the database: the teachers' subjects must be subjects there.
      await db.collection('subjects').insertMany(backup.subjects);
    });
    journalPath = join(tempDir('journal-'), 'journal.sqlite');
    env = { MONGODB_URI: database.uri, FALLBACK_JOURNAL_PATH: journalPath };
  });

  afterAll(stopEverything);

  /** Every acknowledged write is in the database exactly once. */
  async function expectAppliedExactlyOnce(): Promise<void> {
    await withDatabase(database.uri, async (db) => {
      const teachers = db.collection('teachers');
      for (const created of [ada, bo, cy]) {
        const stored = await teachers.find({ email: created.body.email }).toArray();
        expect(stored.map((record) => record._id.toHexString())).toEqual([created.body.id]);
      }
      expect((await teachers.findOne({ email: ada.body.email }))?.status).toBe('on_leave');
      expect(await teachers.findOne({ _id: updatedTeacher._id })).toMatchObject({
        status: 'left',
        subjects: ['chemistry'],
      });
      expect(await teachers.countDocuments({ _id: deletedTeacher._id })).toBe(0);
      expect(await teachers.countDocuments({})).toBe(backup.teachers.length + 3 - 1);
    });
  }

  it('kill -9 loses nothing', async () => {
    // The service answers from the database; then the database dies and writes arrive.
    const first = await startService(env);
    await first.waitFor('Listening on', START_TIMEOUT_MS);
    await waitUntil(async () => (await dataSource(first, '/api/teachers?limit=1')) === 'database', 10_000, 'database');
    await database.kill();

    ada = await first.request('POST', `/api/headmasters/${headmasterId}/teachers`, newTeacher('Ada', 91));
    bo = await first.request('POST', `/api/headmasters/${headmasterId}/teachers`, newTeacher('Bo', 92));
    const adaOnLeave = await first.request('PATCH', `/api/teachers/${ada.body.id}`, { status: 'on_leave' });
    const updated = await first.request('PATCH', `/api/teachers/${updatedTeacher._id.toHexString()}`, {
      status: 'left',
      subjects: ['chemistry'],
    });
    const deleted = await first.request('DELETE', `/api/teachers/${deletedTeacher._id.toHexString()}`);
    cy = await first.request('POST', `/api/headmasters/${headmasterId}/teachers`, newTeacher('Cy', 93));
    const acknowledged = [ada, bo, adaOnLeave, updated, deleted, cy];
    expect(acknowledged.map((response) => response.status)).toEqual([202, 202, 202, 202, 202, 202]);
    for (const response of acknowledged) expect(response.headers.get('x-data-source')).toBe('fallback');
    const pending = await first.request('GET', '/api/admin/fallback/journal?status=pending');
    expect(pending.body.entries.map((entry: { operation: string }) => entry.operation)).toEqual([
      'insert',
      'insert',
      'update',
      'update',
      'delete',
      'insert',
    ]);

    // The service crashes; the database comes back; a new service process replays the journal.
    await first.kill9();
    await database.restart();
    const second = await startService(env);
    await second.waitFor('Listening on', START_TIMEOUT_MS);
    timings.replayAfterRestart = await waitUntil(
      async () => (await second.request('GET', '/health')).body.journal?.pending === 0,
      15_000,
      'the journal to be replayed',
    );
    expect((await second.request('GET', '/health')).body.journal).toEqual({ pending: 0, failed: 0, superseded: 0 });
    await expectAppliedExactlyOnce();
    const read = await second.request('GET', `/api/teachers/${ada.body.id}`);
    expect(read.headers.get('x-data-source')).toBe('database');
    expect(read.body.status).toBe('on_leave');
    await second.kill9();
  }, 60_000);

  it('a crash mid-replay duplicates nothing', async () => {
    // A crash between applying an entry and marking it applied leaves that entry pending with its
    // effect already in the database. Made here directly: with the service down, the last entry
    // (the insert of Cy, whose record is stored) is set back to pending, as such a crash leaves it.
    expect(cy?.status).toBe(202);
    const journal = new Database(journalPath);
    try {
      const last = journal.prepare('SELECT seq, operation, status FROM journal ORDER BY seq DESC LIMIT 1').get() as {
        seq: number;
        operation: string;
        status: string;
      };
      expect(last).toMatchObject({ operation: 'insert', status: 'applied' });
      journal.prepare("UPDATE journal SET status = 'pending', finished_at = NULL WHERE seq = ?").run(last.seq);
    } finally {
      journal.close();
    }

    const third = await startService(env);
    await third.waitFor('Listening on', START_TIMEOUT_MS);
    await waitUntil(
      async () => (await third.request('GET', '/health')).body.journal?.pending === 0,
      15_000,
      'the reset entry to be replayed',
    );
    expect((await third.request('GET', '/health')).body.journal).toEqual({ pending: 0, failed: 0, superseded: 0 });
    expect(third.output()).toMatch(/1 write\(s\) from an earlier outage wait in the journal/);
    await expectAppliedExactlyOnce();
  }, 60_000);
});

describe('npm start with the database stopped', () => {
  afterAll(stopEverything);

  it('serves marked fixtures with /health degraded, then connects by itself when the database starts', async () => {
    const databasePort = await freePort();
    const service = await startService({
      MONGODB_URI: `mongodb://127.0.0.1:${databasePort}/`,
      FALLBACK_JOURNAL_PATH: join(tempDir('journal-'), 'journal.sqlite'),
    });
    timings.startWithoutDatabase = await service.waitFor('Listening on', START_TIMEOUT_MS);

    const schools = await service.request('GET', '/api/schools?limit=100');
    expect(schools.status).toBe(200);
    expect(schools.headers.get('x-data-source')).toBe('fallback');
    expect(schools.headers.get('cache-control')).toBe('no-store');
    expect(schools.body.total).toBe(backup.schools.length);
    expect(schools.body.items.map((school: { id: string }) => school.id).sort()).toEqual(
      backup.schools.map((school) => school._id.toHexString()).sort(),
    );
    const health = await service.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ mode: 'degraded', database: { status: 'down' } });
    expect((await service.request('GET', '/health/ready')).status).toBe(200);

    const database = await startDatabase(databasePort);
    const databaseStarted = Date.now();
    await waitUntil(
      async () => (await dataSource(service, '/api/schools?limit=1')) === 'database',
      10_000,
      'the service to answer from the database it was never connected to',
    );
    timings.connectAfterDatabaseStart = Date.now() - databaseStarted;

    await withDatabase(database.uri, (db) =>
      db.collection('schools').insertOne({ ...backup.schools[0], code: 'DB-001', name: 'From the database' }),
    );
    const fromDatabase = await service.request('GET', '/api/schools');
    expect(fromDatabase.headers.get('x-data-source')).toBe('database');
    expect(fromDatabase.body.items.map((school: { code: string }) => school.code)).toEqual(['DB-001']);
    await waitUntil(
      async () => (await service.request('GET', '/health')).body.mode === 'normal',
      5000,
      '/health to report normal mode',
    );
  }, 60_000);
});

describe('an invalid fixture', () => {
  afterAll(stopEverything);

  it('stops start with exit code 1 and a message naming file, record and field', async () => {
    const copy = tempDir('dist-copy-');
    cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const file = join(copy, 'dist', 'teacher', 'persistence', 'fixtures', 'teachers.json');
    const lines = readFileSync(file, 'utf8').split('\n');
    const broken = 2;
    const status = /"status":"([a-z_]+)"/.exec(lines[broken])?.[1];
    expect(status).toBeDefined();
    lines[broken] = lines[broken].replace(`"status":"${status}"`, '"status":"sabbatical"');
    writeFileSync(file, lines.join('\n'));

    const service = await startService(
      {
        MONGODB_URI: `mongodb://127.0.0.1:${await freePort()}/`,
        FALLBACK_JOURNAL_PATH: join(copy, 'journal.sqlite'),
      },
      { main: join(copy, 'dist', 'main.js'), cwd: copy },
    );
    const code = await Promise.race([
      service.exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), START_TIMEOUT_MS).unref()),
    ]);
    expect(code).toBe(1);
    const output = service.output();
    expect(output).toContain('teachers.json');
    expect(output).toContain(`record ${broken + 1}`);
    expect(output).toContain('field status');
    expect(output).not.toContain('Listening on');
  }, 60_000);
});
