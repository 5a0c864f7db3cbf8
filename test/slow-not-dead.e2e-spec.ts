import { Types } from 'mongoose';
import type { FerretdbServer } from '../src/database/ferretdb-server';
import { startFaultDatabase, waitUntil } from './support/fault-database';
import { demoWorld } from './support/school-world';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp, type HttpResult, type TestApp } from './support/test-app';

// Jest does not apply a project's testTimeout to its tests; hooks start apps and wait for recoveries.
jest.setTimeout(60_000);

/**
 * Slow is not dead, dead is found at once (the documented defaults: a 5 s ceiling, learned deadlines, a heartbeat).
 * A database made slow by the network (the TCP proxy adds the same delay to every chunk) keeps answering, without
 * backup data; a hung one (SIGSTOP) is answered around without waiting for the ceiling; one that stops and continues
 * every few hundred milliseconds loses nothing and answers no 5xx.
 */

const world = demoWorld();
const { own } = world;
/** What the headmaster's app reads, over and over. */
const READS = [
  `/api/teachers/${own.teacher}`,
  `/api/teachers/${own.colleague}`,
  `/api/headmasters/${own.headmaster}/dashboard`,
  `/api/schools/${own.school}`,
  `/api/teachers?schoolId=${own.school}&limit=20`,
];

type Source = 'database' | 'stale' | 'fallback' | 'error';

function sourceOf(answer: HttpResult): Source {
  if (answer.status >= 500) return 'error';
  return (answer.headers.get('x-data-source') as Source | null) ?? 'error';
}

/** `clients` clients reading READS in turn for `durationMs`; every answer's source and time. */
async function load(sut: TestApp, clients: number, durationMs: number) {
  const answers: { source: Source; status: number; ms: number; at: number }[] = [];
  const until = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let index = client; Date.now() < until; index++) {
        const started = Date.now();
        const answer = await sut.request('GET', READS[index % READS.length]);
        answers.push({ source: sourceOf(answer), status: answer.status, ms: Date.now() - started, at: started });
      }
    }),
  );
  return answers;
}

const count = (answers: { source: Source }[], source: Source) => answers.filter((a) => a.source === source).length;

describe('Slow but healthy: the network adds the same delay to every chunk', () => {
  let proxy: TcpProxy;
  let sut: TestApp;

  beforeAll(async () => {
    proxy = await TcpProxy.forMongodbUri(process.env.TEST_MONGODB_URI!);
    sut = await startTestApp({ env: { MONGODB_URI: proxy.uri } });
    // Deadlines are learned from the operations as they run: a healthy, fast start.
    await load(sut, 4, 3000);
  });

  afterAll(async () => {
    proxy?.restore();
    await sut?.close();
    await proxy?.close();
  });

  it('keeps answering from the database: no backup data, no 5xx, the breaker closed, deadlines raised', async () => {
    proxy.delay(30);
    const answers = await load(sut, 6, 6000);

    expect(answers.length).toBeGreaterThan(50);
    expect(count(answers, 'fallback')).toBe(0);
    expect(count(answers, 'error')).toBe(0);
    // Past the first moments, while the deadlines learn the new pace, every answer is the database's.
    const settled = answers.filter((answer) => answer.at > answers[0].at + 2000);
    expect(count(settled, 'database')).toBe(settled.length);

    const health = (await sut.request('GET', '/health')).body;
    expect(health.breaker.state).toBe('closed');
    expect(health.mode).toBe('normal');
    expect(health.breaker.lastStall).toBeNull();
    // Every read now takes two delayed chunks (60 ms and more): the deadline learned the new pace.
    const deadlineOf = (deadlines: { operation: string; deadlineMs: number }[]) =>
      deadlines.find((deadline) => deadline.operation === 'teachers.findById')!.deadlineMs;
    expect(deadlineOf(health.breaker.deadlines)).toBeGreaterThanOrEqual(120);
  });
});

describe('Hung (SIGSTOP), killed and flapping databases', () => {
  let database: FerretdbServer;
  let sut: TestApp;

  beforeAll(async () => {
    database = await startFaultDatabase();
    sut = await startTestApp({ env: { MONGODB_URI: database.uri } });
    await load(sut, 2, 2000);
  });

  afterAll(async () => {
    database?.resume();
    await sut?.close().catch(() => undefined);
    await database?.stop();
  });

  async function backToDatabase(): Promise<number> {
    return waitUntil(
      async () => sourceOf(await sut.request('GET', `/api/teachers/${own.teacher}`)) === 'database',
      10_000,
      'answers from the database',
    );
  }

  it('hung: answers without the database long before the 5 s ceiling, then finds it again by itself', async () => {
    const running = load(sut, 3, 3000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const fault = Date.now();
    database.pause();
    const answers = await running;
    const health = (await sut.request('GET', '/health')).body;
    database.resume();

    const afterFault = answers.filter((answer) => answer.at + answer.ms > fault);
    expect(count(afterFault, 'error')).toBe(0);
    // No answer waited anywhere near the ceiling (5 s): the heartbeat found the stall.
    expect(Math.max(...afterFault.map((answer) => answer.ms))).toBeLessThan(1500);
    const firstWithout = afterFault.find((answer) => answer.source !== 'database' && answer.at + answer.ms > fault)!;
    expect(firstWithout.at + firstWithout.ms - fault).toBeLessThan(1000);
    expect(health.breaker.lastStall.message).toMatch(/heartbeat: no answer to ping/);
    expect(health.breaker.state).toBe('open');

    const recoveredInMs = await backToDatabase();
    expect(recoveredInMs).toBeLessThan(3000);
    const metrics = (await sut.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/database_stalls_total [1-9]/);
    expect(metrics).toMatch(/database_breaker_transitions_total\{to="open"\} [1-9]/);
    expect(metrics).toMatch(/database_operation_deadline_seconds\{operation="teachers.findById"\}/);
  });

  it('killed: opens at once on the refused connection, and comes back once it restarts', async () => {
    const running = load(sut, 2, 2500);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const fault = Date.now();
    await database.kill();
    try {
      const answers = await running;
      const afterFault = answers.filter((answer) => answer.at > fault);
      expect(count(afterFault, 'error')).toBe(0);
      expect(Math.max(...afterFault.map((answer) => answer.ms))).toBeLessThan(1500);
      const { breaker } = (await sut.request('GET', '/health')).body;
      expect(breaker.state).toBe('open');
      // Found from the broken connections at once, not after a ping's timeout: nothing listens at the address any
      // more (or the heartbeat's own ping in flight was reset, whichever the heartbeat heard first).
      expect(breaker.lastStall.message).toMatch(/heartbeat: .*(refuses connections \(ECONNREFUSED\)|ECONNRESET)/);
      expect(new Date(breaker.lastStall.at).getTime() - fault).toBeLessThan(250);
    } finally {
      // The cases after this one need the database back, whatever this one found.
      await database.restart();
      await backToDatabase();
    }
  });

  it('flapping (stopped and continued every 300 ms): no 5xx, and every write accepted is in the database after', async () => {
    const flapping = (async () => {
      for (let flap = 0; flap < 8; flap++) {
        database.pause();
        await new Promise((resolve) => setTimeout(resolve, 300));
        database.resume();
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    const written: string[] = [];
    const writes = (async () => {
      for (let index = 0; index < 12; index++) {
        const status = index % 2 === 0 ? 'on_leave' : 'active';
        const answer = await sut.request('PATCH', `/api/teachers/${own.colleague}`, { status });
        expect([200, 202]).toContain(answer.status);
        written.push(status);
      }
    })();
    const [answers] = await Promise.all([load(sut, 3, 5000), flapping, writes]);
    database.resume();
    expect(count(answers, 'error')).toBe(0);

    await backToDatabase();
    await waitUntil(
      async () => (await sut.request('GET', '/health')).body.journal.pending === 0,
      10_000,
      'the journal to be replayed',
    );
    const stored = await sut.connection.db!.collection('teachers').findOne({ _id: new Types.ObjectId(own.colleague) });
    expect(stored?.status).toBe(written.at(-1));
    expect((await sut.request('GET', '/health')).body.journal.failed).toBe(0);
  });
});
