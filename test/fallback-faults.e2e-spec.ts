import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mongo } from 'mongoose';
import { waitUntil } from './support/fault-database';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp, TestApp } from './support/test-app';

// Jest does not apply a project's testTimeout to its tests; hooks start apps and wait for recoveries.
jest.setTimeout(30_000);

/**
 * Network faults between the service and its database, made by a TCP proxy in front of the test
 * database server: a slow network (every chunk delayed well beyond the operation time limit) and
 * connections reset by the network. Each app has a proxy of its own, so the shared server is untouched.
 */

/** A backup fixture record: the fields these tests read, typed. */
interface FixtureRecord {
  _id: mongo.ObjectId;
  email: string;
  code?: string;
  status?: string;
  [field: string]: unknown;
}

function fixture(file: string): FixtureRecord[] {
  return readFileSync(join(__dirname, '..', 'src', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => mongo.BSON.EJSON.parse(line, { relaxed: false }) as FixtureRecord);
}

const backup = {
  schools: fixture('school/persistence/fixtures/schools.json'),
  headmasters: fixture('headmaster/persistence/fixtures/headmasters.json'),
  teachers: fixture('teacher/persistence/fixtures/teachers.json'),
};
const backupHeadmasterId = backup.headmasters[0]._id.toHexString();

// The time limit leaves room for a loaded test machine (healthy answers can take a few hundred ms there).
const OPERATION_TIMEOUT_MS = 1000;
const FALLBACK_SETTINGS = {
  FALLBACK_OPERATION_TIMEOUT_MS: String(OPERATION_TIMEOUT_MS),
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
  FALLBACK_RETRY_AFTER_SECONDS: '7',
};
/** A delay far beyond the operation time limit: the database "answers", but much too late. */
const NETWORK_DELAY_MS = 6000;
/**
 * What "answers instead of hanging" means here: before the breaker opens (3 consecutive failures),
 * one request may wait out at most that many operation time limits in a row; far below the delay.
 */
const BOUNDED_ANSWER_MS = 3 * OPERATION_TIMEOUT_MS + 500;
const RECOVERY_MS = 5000;

/** Timings observed by this file, printed at the end for the record. */
const timings: Record<string, number> = {};

afterAll(() => {
  console.log(`fallback-faults timings (ms): ${JSON.stringify(timings)}`);
});

async function startBehindProxy(env: Record<string, string> = {}): Promise<{ proxy: TcpProxy; sut: TestApp }> {
  const target = process.env.TEST_MONGODB_URI;
  if (!target) throw new Error('TEST_MONGODB_URI is not set: run the e2e tests through npm test');
  const proxy = await TcpProxy.forMongodbUri(target);
  try {
    const sut = await startTestApp({ env: { MONGODB_URI: proxy.uri, ...FALLBACK_SETTINGS, ...env } });
    return { proxy, sut };
  } catch (error) {
    await proxy.close();
    throw error;
  }
}

async function stopBehindProxy(proxy: TcpProxy | undefined, sut: TestApp | undefined): Promise<void> {
  proxy?.restore();
  await sut?.close();
  await proxy?.close();
}

/** Sends a request and measures how long its answer took. */
async function timed(sut: TestApp, method: string, path: string, body?: unknown) {
  const started = Date.now();
  const response = await sut.request(method, path, body);
  return { ...response, elapsedMs: Date.now() - started };
}

async function waitForDatabaseAnswers(sut: TestApp, what: string): Promise<number> {
  return waitUntil(
    async () => (await sut.request('GET', '/api/schools?limit=1')).headers.get('x-data-source') === 'database',
    RECOVERY_MS,
    what,
  );
}

describe('Fallback through network faults (TCP proxy)', () => {
  let proxy: TcpProxy;
  let sut: TestApp;

  beforeAll(async () => {
    ({ proxy, sut } = await startBehindProxy());
  });

  afterAll(async () => {
    await stopBehindProxy(proxy, sut);
  });

  it('answers from the database through the proxy while the network is healthy', async () => {
    const response = await sut.request('GET', '/api/schools?limit=1');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-data-source')).toBe('database');
    expect(response.body.total).toBe(40);
  });

  describe('a network that delays every chunk far beyond the operation time limit', () => {
    afterAll(() => proxy.restore());

    it('answers reads from backup data within a bounded time, not a hang', async () => {
      proxy.delay(NETWORK_DELAY_MS);
      const answers = [];
      for (const path of [
        '/api/schools',
        `/api/headmasters/${backupHeadmasterId}/dashboard`,
        '/api/teachers?limit=5',
        '/api/schools?limit=1',
      ]) {
        answers.push({ path, ...(await timed(sut, 'GET', path)) });
      }
      for (const answer of answers) {
        expect({ path: answer.path, status: answer.status }).toEqual({ path: answer.path, status: 200 });
        // The one read while the network was healthy is answered with what the database said then.
        const remembered = answer.path === '/api/schools?limit=1';
        expect(answer.headers.get('x-data-source')).toBe(remembered ? 'stale' : 'fallback');
        expect(answer.headers.get('cache-control')).toBe('no-store');
        expect(answer.elapsedMs).toBeLessThan(BOUNDED_ANSWER_MS);
      }
      expect(answers[0].body.total).toBe(backup.schools.length);
      timings.delayFirstFallbackAnswer = answers[0].elapsedMs;
      timings.delayLaterFallbackAnswer = answers[answers.length - 1].elapsedMs;

      const health = await sut.request('GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ mode: 'degraded', breaker: { state: expect.stringMatching(/open/) } });
      expect(health.body.reason).toMatch(/timed out|no answer to ping/);
    });

    it('returns to the database within a few seconds once the network is fast again', async () => {
      proxy.restore();
      timings.delayRecovery = await waitForDatabaseAnswers(sut, 'answers from the database after the delay ends');
      const health = await sut.request('GET', '/health');
      expect(health.body).toMatchObject({ mode: 'normal', breaker: { state: 'closed' } });
    });
  });

  describe('a network that resets every connection', () => {
    afterAll(() => proxy.restore());

    it('answers reads from backup data, marked, within a bounded time', async () => {
      proxy.cut();
      const first = await timed(sut, 'GET', '/api/teachers?limit=100');
      const second = await timed(sut, 'GET', `/api/headmasters/${backupHeadmasterId}/teachers`);
      const graphql = await sut.graphql('{ schools(limit: 50) { total } }');
      for (const answer of [first, second]) {
        expect(answer.status).toBe(200);
        expect(answer.headers.get('x-data-source')).toBe('fallback');
        expect(answer.elapsedMs).toBeLessThan(BOUNDED_ANSWER_MS);
      }
      expect(first.body.total).toBe(backup.teachers.length);
      expect(graphql.body.errors).toBeUndefined();
      expect(graphql.body.extensions).toEqual({ dataSource: 'fallback' });
      expect(graphql.body.data.schools.total).toBe(backup.schools.length);
      timings.cutFirstFallbackAnswer = first.elapsedMs;
      timings.cutLaterFallbackAnswer = second.elapsedMs;

      const health = await sut.request('GET', '/health');
      expect(health.body).toMatchObject({ mode: 'degraded', database: { status: 'down' } });
      expect(health.body.reason).not.toMatch(/circuit breaker is open/);
      expect((await sut.request('GET', '/health/ready')).status).toBe(200);
    });

    it('returns to the database within a few seconds once connections go through again', async () => {
      proxy.restore();
      timings.cutRecovery = await waitForDatabaseAnswers(sut, 'answers from the database after the cut ends');
      let response = await sut.request('GET', '/api/teachers?limit=1');
      await waitUntil(
        async () =>
          (response = await sut.request('GET', '/api/teachers?limit=1')).headers.get('x-data-source') === 'database',
        RECOVERY_MS,
        'teachers from the database',
      );
      expect(response.body.total).toBe(800);
    });
  });
});

describe('FALLBACK_WRITES=reject during a network outage', () => {
  let proxy: TcpProxy;
  let sut: TestApp;
  const email = 'rejected.teacher@example.org';

  beforeAll(async () => {
    ({ proxy, sut } = await startBehindProxy({ FALLBACK_WRITES: 'reject' }));
    await waitForDatabaseAnswers(sut, 'answers from the database before the outage');
    proxy.cut();
  });

  afterAll(async () => {
    await stopBehindProxy(proxy, sut);
  });

  it('answers a write 503 with Retry-After, and journals nothing', async () => {
    const hire = await sut.request('POST', `/api/headmasters/${backupHeadmasterId}/teachers`, {
      firstName: 'Rejected',
      lastName: 'Teacher',
      email,
      phone: '+1 555 0190',
      subjects: ['history'],
    });
    expect(hire.status).toBe(503);
    expect(hire.headers.get('retry-after')).toBe('7');
    expect(hire.body.message).toMatch(/writes are not accepted/);

    const update = await sut.request('PATCH', `/api/teachers/${backup.teachers[0]._id.toHexString()}`, {
      status: 'left',
    });
    expect(update.status).toBe(503);
    expect(update.headers.get('retry-after')).toBe('7');

    const mutation = await sut.graphql(`mutation ($id: ID!) { deleteTeacher(id: $id) { id } }`, {
      id: backup.teachers[1]._id.toHexString(),
    });
    expect(mutation.body.errors?.[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 7 });

    const pending = await sut.request('GET', '/api/admin/fallback/journal?status=pending');
    expect(pending.status).toBe(200);
    expect(pending.body.entries).toEqual([]);
    expect((await sut.request('GET', '/health')).body.journal).toEqual({ pending: 0, failed: 0, superseded: 0 });
  });

  it('still answers reads from backup data, unchanged by the rejected writes', async () => {
    const teachers = await sut.request('GET', '/api/teachers?limit=100');
    expect(teachers.status).toBe(200);
    expect(teachers.headers.get('x-data-source')).toBe('fallback');
    expect(teachers.body.total).toBe(backup.teachers.length);
    expect(teachers.body.items.map((teacher: { email: string }) => teacher.email)).not.toContain(email);
    const updated = await sut.request('GET', `/api/teachers/${backup.teachers[0]._id.toHexString()}`);
    expect(updated.body.status).toBe(backup.teachers[0].status);
  });

  it('has written nothing once the database is reachable again', async () => {
    proxy.restore();
    await waitForDatabaseAnswers(sut, 'answers from the database after the outage');
    expect(await sut.connection.db!.collection('teachers').countDocuments({ email })).toBe(0);
  });
});

describe('FALLBACK_ENABLED=false during a network outage', () => {
  let proxy: TcpProxy;
  let sut: TestApp;

  beforeAll(async () => {
    ({ proxy, sut } = await startBehindProxy({ FALLBACK_ENABLED: 'false' }));
  });

  afterAll(async () => {
    await stopBehindProxy(proxy, sut);
  });

  it('answers from the database while it is reachable', async () => {
    const response = await sut.request('GET', '/api/schools?limit=1');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-data-source')).toBe('database');
  });

  it('fails reads fast with a 5xx instead of answering from backup data', async () => {
    proxy.cut();
    for (const path of ['/api/schools', `/api/headmasters/${backupHeadmasterId}/school`]) {
      const response = await timed(sut, 'GET', path);
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(response.status).toBeLessThan(600);
      expect(response.headers.get('x-data-source')).not.toBe('fallback');
      expect(JSON.stringify(response.body)).not.toContain(backup.schools[0].code);
      // The driver's server selection time limit (1 s here) bounds the failure.
      expect(response.elapsedMs).toBeLessThan(3000);
      timings.disabledFailure = Math.max(timings.disabledFailure ?? 0, response.elapsedMs);
    }
    expect((await sut.request('GET', '/health/ready')).status).toBe(503);
    expect((await sut.request('GET', '/health')).body).toMatchObject({ fallbackAnswers: { schools: 0 } });
  });

  it('answers from the database again once it is reachable', async () => {
    proxy.restore();
    await waitUntil(
      async () => (await sut.request('GET', '/api/schools?limit=1')).status === 200,
      RECOVERY_MS,
      'answers again',
    );
  });
});
