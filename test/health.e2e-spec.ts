/**
 * The health endpoints with each dependency really going down: the database process killed, the network
 * to it cut, a Redis server of the test's own stopped, the write journal's file deleted or replaced.
 * /health shows each indicator up or down with the reason, and answers 503 only when the service cannot
 * answer or an operator must act; an outage with the fallback answering never makes it (or /health/ready) fail.
 */
import { rmSync, writeFileSync } from 'node:fs';
import type { FerretdbServer } from '../src/database/ferretdb-server';
import { startFaultDatabase, waitUntil } from './support/fault-database';
import { RedisServer } from './support/redis-server';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(30_000);

const FAULT_SETTINGS = {
  FALLBACK_OPERATION_TIMEOUT_MS: '1000',
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
};
const CHANGE_SEEN_MS = 5000;

async function health(sut: TestApp) {
  return sut.request('GET', '/health', undefined, {});
}

async function statusCode(sut: TestApp, path: string): Promise<number> {
  return (await sut.request('GET', path, undefined, {})).status;
}

/** Waits until /health shows the indicator `key` with `status`; returns that answer. */
async function untilIndicator(sut: TestApp, key: string, status: 'up' | 'down') {
  let answer = await health(sut);
  await waitUntil(
    async () => (answer = await health(sut)).body.details?.[key]?.status === status,
    CHANGE_SEEN_MS,
    `the ${key} indicator to be ${status}`,
  );
  return answer;
}

describe('GET /health with every dependency up', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ seed: false });
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('answers 200 with every indicator up and the report of the fallback', async () => {
    const answer = await health(sut);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'ok',
      mode: 'normal',
      database: { status: 'up' },
      breaker: { state: 'closed' },
      journal: { pending: 0, failed: 0 },
      details: { database: { status: 'up', responseTimeMs: expect.any(Number) }, journal: { status: 'up' } },
      error: {},
    });
    // Without REDIS_URL there is no Redis to check.
    expect(Object.keys(answer.body.details).sort()).toEqual(['database', 'journal']);
    expect(answer.headers.get('cache-control')).toMatch(/no-store/);
  });
});

describe('GET /health when the database process is killed', () => {
  let database: FerretdbServer;
  let sut: TestApp;

  beforeAll(async () => {
    database = await startFaultDatabase();
    sut = await startTestApp({ env: { MONGODB_URI: database.uri, ...FAULT_SETTINGS }, seed: false });
  });

  afterAll(async () => {
    await sut?.close();
    await database?.stop();
  });

  it('answers 200 in degraded mode with the database indicator down and its reason, while staying ready', async () => {
    expect((await health(sut)).body.details.database.status).toBe('up');
    await database.kill();

    const answer = await untilIndicator(sut, 'database', 'down');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'degraded',
      mode: 'degraded',
      database: { status: 'down' },
      details: { journal: { status: 'up' } },
      error: { database: { status: 'down', message: expect.any(String) } },
    });
    expect(answer.body.details.database.message.length).toBeGreaterThan(0);
    expect(await statusCode(sut, '/health/ready')).toBe(200);
    expect(await statusCode(sut, '/health/live')).toBe(200);
    const schools = await sut.request('GET', '/api/schools?limit=1');
    expect(schools.headers.get('x-data-source')).toBe('fallback');
  });

  it('shows the database indicator up again once the database is back', async () => {
    await database.restart();
    const answer = await untilIndicator(sut, 'database', 'up');
    expect(answer.status).toBe(200);
    expect(answer.body.error).toEqual({});
  });
});

describe('GET /health when the network to the database is cut and the fallback is disabled', () => {
  let proxy: TcpProxy;
  let sut: TestApp;

  beforeAll(async () => {
    proxy = await TcpProxy.forMongodbUri(process.env.TEST_MONGODB_URI!);
    sut = await startTestApp({
      env: { MONGODB_URI: proxy.uri, FALLBACK_ENABLED: 'false', ...FAULT_SETTINGS },
      seed: false,
    });
  });

  afterAll(async () => {
    proxy?.restore();
    await sut?.close();
    await proxy?.close();
  });

  it('answers 503 with the database indicator down: the service cannot answer', async () => {
    proxy.cut();
    const answer = await untilIndicator(sut, 'database', 'down');
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      status: 'error',
      error: { database: { status: 'down', message: expect.any(String) } },
    });
    expect(await statusCode(sut, '/health/ready')).toBe(503);
    expect(await statusCode(sut, '/health/live')).toBe(200);
  });

  it('answers 200 again once the network is back', async () => {
    proxy.restore();
    const answer = await untilIndicator(sut, 'database', 'up');
    expect(answer.status).toBe(200);
    expect(await statusCode(sut, '/health/ready')).toBe(200);
  });
});

describe('GET /health with REDIS_URL when Redis is stopped', () => {
  let redis: RedisServer;
  let sut: TestApp;

  beforeAll(async () => {
    redis = await RedisServer.start();
    sut = await startTestApp({ env: { REDIS_URL: redis.url }, seed: false });
  });

  afterAll(async () => {
    await sut?.close();
    await redis?.kill();
  });

  it('shows the Redis indicator up while Redis answers', async () => {
    const answer = await untilIndicator(sut, 'redis', 'up');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('ok');
  });

  it('shows it down with the reason, and still answers 200: requests are still answered', async () => {
    await redis.kill();
    const answer = await untilIndicator(sut, 'redis', 'down');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'degraded', mode: 'normal', details: { database: { status: 'up' } } });
    expect(answer.body.error.redis.message).toMatch(/publisher connection/);
    expect(await statusCode(sut, '/health/ready')).toBe(200);
  });

  it('shows it up again once Redis is back', async () => {
    await redis.launch();
    const answer = await untilIndicator(sut, 'redis', 'up');
    expect(answer.body.status).toBe('ok');
  });
});

describe('GET /health when the write journal file is made unusable', () => {
  let sut: TestApp;

  const removeJournalFiles = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(sut.config.fallback.journalPath + suffix, { force: true });
  };

  beforeEach(async () => {
    sut = await startTestApp({ seed: false });
    expect((await health(sut)).body.details.journal.status).toBe('up');
  });

  afterEach(async () => {
    await sut?.close();
  });

  it('answers 503 with the journal indicator down when its file is deleted, while staying ready', async () => {
    removeJournalFiles();
    const answer = await health(sut);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: 'error', mode: 'normal', details: { database: { status: 'up' } } });
    expect(answer.body.error.journal).toEqual({ status: 'down', message: expect.stringMatching(/cannot be opened/) });
    expect(await statusCode(sut, '/health/ready')).toBe(200);
  });

  it('answers 503 with the journal indicator down when its file is replaced by something else', async () => {
    removeJournalFiles();
    writeFileSync(sut.config.fallback.journalPath, 'not a journal, not even a database '.repeat(200));
    const answer = await health(sut);
    expect(answer.status).toBe(503);
    expect(answer.body.error.journal).toEqual({
      status: 'down',
      message: expect.stringMatching(/cannot be read: file is not a database/),
    });
  });
});
