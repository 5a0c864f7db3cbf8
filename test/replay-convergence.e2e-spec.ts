import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import type { FerretdbServer } from '../src/database/ferretdb-server';
import { generateDemoData, seedDemoData } from '../src/demo-data/demo-data';
import { startFaultDatabase, waitUntil } from './support/fault-database';
import { freePort, type HttpAnswer, MAIN, type ServiceProcess, spawnService } from './support/service-process';

// Hooks start and stop processes: FerretDB and two instances of the built service.
jest.setTimeout(120_000);

/**
 * Two instances, each with its own journal, share one FerretDB. During one outage (FerretDB hung by SIGSTOP) both
 * accept an update of the same teacher's phone, instance A a second before instance B, and A also changes the
 * teacher's status. Whichever instance replays first, both end up reading B's phone and A's status;
 * when B replays first, A's phone entry is kept as superseded, with B's phone as the winner.
 */

const demo = generateDemoData();
const DB_NAME = 'replay_convergence';
const START_TIMEOUT_MS = 30_000;
/** Apart by more than any clock difference that matters here: the order of acceptance is beyond doubt. */
const BETWEEN_WRITES_MS = 1000;

describe('Replays of two instances converge on the later write', () => {
  let database: FerretdbServer;
  let client: mongoose.mongo.MongoClient;
  let journals: string;
  let a: ServiceProcess;
  let b: ServiceProcess;
  const services: ServiceProcess[] = [];

  async function startService(name: string): Promise<ServiceProcess> {
    const service = spawnService({
      NODE_ENV: 'test',
      PORT: String(await freePort()),
      MONGODB_URI: database.uri,
      MONGODB_DB_NAME: DB_NAME,
      FALLBACK_JOURNAL_PATH: join(journals, `${name}.sqlite`),
      FALLBACK_OPERATION_TIMEOUT_MS: '1000',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
    });
    services.push(service);
    await service.waitFor('Listening on', START_TIMEOUT_MS);
    return service;
  }

  const teacherPath = (id: string) => `/api/teachers/${id}`;
  const stored = (id: string) =>
    client
      .db(DB_NAME)
      .collection('teachers')
      .findOne({ _id: new mongoose.Types.ObjectId(id) });
  const health = async (service: ServiceProcess) => (await service.request('GET', '/health')).body;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** An instance's process held (SIGSTOP) and let go (SIGCONT): its replay waits meanwhile. */
  const hold = (service: ServiceProcess) => service.child.kill('SIGSTOP');
  const release = (service: ServiceProcess) => service.child.kill('SIGCONT');

  async function replayed(service: ServiceProcess, what: string): Promise<void> {
    await waitUntil(async () => (await health(service)).journal.pending === 0, 20_000, what);
  }

  /** Both instances read the teacher from the database while it is up, so they know it during the outage. */
  async function readOnBoth(id: string) {
    let answers: HttpAnswer[] = [];
    await waitUntil(
      async () => {
        answers = await Promise.all([a.request('GET', teacherPath(id)), b.request('GET', teacherPath(id))]);
        return answers.every((answer) => answer.status === 200 && answer.headers.get('x-data-source') === 'database');
      },
      10_000,
      'both instances to read the teacher from the database',
    );
    return answers[0].body;
  }

  /**
   * FerretDB hung, and both instances degraded by a read that timed out: from then on their writes go to their
   * journals only. (A write that is itself the first to time out may still reach the database when it resumes.)
   */
  async function outage(): Promise<void> {
    database.pause();
    const reads = await Promise.all([a, b].map((service) => service.request('GET', '/api/schools?limit=1')));
    expect(reads.map((read) => read.headers.get('x-data-source'))).not.toContain('database');
    for (const service of [a, b]) expect((await health(service)).mode).toBe('degraded');
  }

  /** During one outage: A sets the phone and the status, then, a second later, B sets the phone. */
  async function concurrentUpdates(id: string, phones: { a: string; b: string }, status: string): Promise<void> {
    await outage();
    const byA = await a.request('PATCH', teacherPath(id), { phone: phones.a });
    const acceptedByA = Date.now();
    const statusByA = await a.request('PATCH', teacherPath(id), { status });
    await sleep(acceptedByA + BETWEEN_WRITES_MS - Date.now());
    const byB = await b.request('PATCH', teacherPath(id), { phone: phones.b });
    expect([byA.status, statusByA.status, byB.status]).toEqual([202, 202, 202]);
    expect([byA.body.phone, byB.body.phone]).toEqual([phones.a, phones.b]);
    const [pendingOnA, pendingOnB] = await Promise.all([health(a), health(b)]);
    expect([pendingOnA.journal.pending, pendingOnB.journal.pending]).toEqual([2, 1]);
  }

  async function expectBothRead(id: string, expected: { phone: string; status: string }): Promise<void> {
    for (const service of [a, b]) {
      const answer = await service.request('GET', teacherPath(id));
      expect({ status: answer.status, source: answer.headers.get('x-data-source') }).toEqual({
        status: 200,
        source: 'database',
      });
      expect({ phone: answer.body.phone, status: answer.body.status }).toEqual(expected);
    }
    expect(await stored(id)).toMatchObject(expected);
  }

  const otherStatus = (status: string) => (status === 'on_leave' ? 'active' : 'on_leave');

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build)`);
    journals = mkdtempSync(join(tmpdir(), 'replay-convergence-'));
    database = await startFaultDatabase();
    client = new mongoose.mongo.MongoClient(database.uri, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    await seedDemoData(client.db(DB_NAME));
    [a, b] = await Promise.all([startService('a'), startService('b')]);
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.kill9()));
    await client?.close();
    await database?.stop();
    rmSync(journals, { recursive: true, force: true });
  });

  it('keeps the later write when the instance holding it replays first, and the earlier one as superseded', async () => {
    const id = demo.teachers[3]._id.toHexString();
    const before = await readOnBoth(id);
    const status = otherStatus(before.status);
    const phones = { a: '+1 555 0171', b: '+1 555 0172' };
    await concurrentUpdates(id, phones, status);

    hold(a);
    try {
      database.resume();
      await replayed(b, 'instance B to replay');
      expect(await stored(id)).toMatchObject({ phone: phones.b, status: before.status });
    } finally {
      release(a);
    }
    await replayed(a, 'instance A to replay');

    await expectBothRead(id, { phone: phones.b, status });
    const journal = await a.request('GET', '/api/admin/fallback/journal');
    expect(journal.status).toBe(200);
    expect(journal.body.entries).toEqual([
      expect.objectContaining({
        operation: 'update',
        documentId: id,
        status: 'superseded',
        payload: expect.objectContaining({ phone: phones.a }),
        baseValues: { phone: before.phone },
        supersededBy: { updatedAt: expect.any(String), fields: { phone: phones.b } },
      }),
    ]);
    const winnerAt = new Date(journal.body.entries[0].supersededBy.updatedAt);
    expect(winnerAt.getTime()).toBeGreaterThanOrEqual(new Date(journal.body.entries[0].createdAt).getTime() + 900);
    expect((await stored(id))?.updatedAt).toEqual(winnerAt);
    expect((await health(a)).journal).toEqual({ pending: 0, failed: 0, superseded: 1 });
    expect((await b.request('GET', '/api/admin/fallback/journal')).body.entries).toEqual([]);
    expect((await a.request('GET', '/metrics')).body).toMatch(
      /fallback_journal_replayed_total\{outcome="superseded"\} 1/,
    );
    expect(a.output()).toContain(`Journalled update of teachers ${id}`);
    expect(a.output()).toContain(`is superseded: a later write`);
  });

  it('keeps the later write when the instances replay in the order of their writes, superseding nothing', async () => {
    const id = demo.teachers[4]._id.toHexString();
    const before = await readOnBoth(id);
    const status = otherStatus(before.status);
    const phones = { a: '+1 555 0173', b: '+1 555 0174' };
    await concurrentUpdates(id, phones, status);

    hold(b);
    try {
      database.resume();
      await replayed(a, 'instance A to replay');
      expect(await stored(id)).toMatchObject({ phone: phones.a, status });
    } finally {
      release(b);
    }
    await replayed(b, 'instance B to replay');

    await expectBothRead(id, { phone: phones.b, status });
    expect((await health(a)).journal.superseded).toBe(1);
    expect((await health(b)).journal).toEqual({ pending: 0, failed: 0, superseded: 0 });
  });
});
