import { existsSync } from 'node:fs';
import mongoose from 'mongoose';
import type { FerretdbServer } from '../src/database/ferretdb-server';
import { generateDemoData, seedDemoData } from '../src/demo-data/demo-data';
import { startFaultDatabase, waitUntil } from './support/fault-database';
import { RedisServer } from './support/redis-server';
import { freePort, MAIN, type ServiceProcess, spawnService } from './support/service-process';

// Hooks start and stop processes: FerretDB, Redis and three instances of the built service.
jest.setTimeout(90_000);

/**
 * The last-known-good tier shared through Redis (REDIS_URL): what one instance read from the database is answered,
 * marked stale, by another instance during an outage, also by one started during it; with Redis gone too, the
 * instances still answer, from their own memory or the backup data, within a bounded time.
 */

const demo = generateDemoData();
const teacherPath = `/api/teachers/${demo.teachers[0]._id.toHexString()}`;
const dashboardPath = `/api/headmasters/${demo.headmasters[0]._id.toHexString()}/dashboard`;
const DB_NAME = 'lkg_redis';
const START_TIMEOUT_MS = 30_000;
/** An outage answer waits for the operation limit at most once (then the breaker is open), plus Redis's bound. */
const BOUNDED_ANSWER_MS = 3000;

describe('Last-known-good answers shared through Redis', () => {
  let database: FerretdbServer;
  let redis: RedisServer;
  const services: ServiceProcess[] = [];
  let reader: ServiceProcess;
  let bystander: ServiceProcess;
  const firstAnswers: Record<string, { status: number; body: unknown }> = {};

  async function startService(): Promise<ServiceProcess> {
    const service = spawnService({
      NODE_ENV: 'test',
      PORT: String(await freePort()),
      MONGODB_URI: database.uri,
      MONGODB_DB_NAME: DB_NAME,
      REDIS_URL: redis.url,
      FALLBACK_SNAPSHOT_COLLECTIONS: 'none',
      FALLBACK_OPERATION_TIMEOUT_MS: '1000',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
    });
    services.push(service);
    await service.waitFor('Listening on', START_TIMEOUT_MS);
    return service;
  }

  async function timedGet(service: ServiceProcess, path: string) {
    const started = Date.now();
    const answer = await service.request('GET', path);
    return { ...answer, elapsedMs: Date.now() - started };
  }

  async function expectAnsweredStaleFromRedis(service: ServiceProcess) {
    for (const path of [teacherPath, dashboardPath]) {
      const answer = await timedGet(service, path);
      expect({ path, status: answer.status, source: answer.headers.get('x-data-source') }).toEqual({
        path,
        status: 200,
        source: 'stale',
      });
      expect(answer.headers.get('x-data-age')).toMatch(/^\d+$/);
      expect(answer.body).toEqual(firstAnswers[path].body);
      expect(answer.elapsedMs).toBeLessThan(BOUNDED_ANSWER_MS);
    }
  }

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build)`);
    [database, redis] = await Promise.all([startFaultDatabase(), RedisServer.start()]);
    const client = new mongoose.mongo.MongoClient(database.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.connect();
      await seedDemoData(client.db(DB_NAME));
    } finally {
      await client.close();
    }
    [reader, bystander] = await Promise.all([startService(), startService()]);
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.kill9()));
    await Promise.all([database?.stop(), redis?.kill()]);
  });

  it('answers from the database while it is up', async () => {
    for (const path of [teacherPath, dashboardPath]) {
      const answer = await reader.request('GET', path);
      expect({ path, status: answer.status, source: answer.headers.get('x-data-source') }).toEqual({
        path,
        status: 200,
        source: 'database',
      });
      firstAnswers[path] = answer;
    }
  });

  it('answers another instance’s reads from Redis when the database is killed, marked stale with their age', async () => {
    await database.kill();
    await expectAnsweredStaleFromRedis(bystander);
  });

  it('answers them from Redis in an instance started during the outage', async () => {
    const latecomer = await startService();
    await expectAnsweredStaleFromRedis(latecomer);
  });

  async function expectAnsweredWithoutRedis() {
    for (const service of services) {
      for (const path of [teacherPath, dashboardPath]) {
        const answer = await timedGet(service, path);
        expect({ path, status: answer.status }).toEqual({ path, status: expect.any(Number) });
        expect([200, 404, 503]).toContain(answer.status);
        expect(answer.elapsedMs).toBeLessThan(BOUNDED_ANSWER_MS);
        if (service === reader) expect(answer.headers.get('x-data-source')).toBe('stale');
      }
    }
  }

  it('still answers every instance within a bounded time while Redis hangs: never a 500', async () => {
    redis.pause();
    try {
      await expectAnsweredWithoutRedis();
    } finally {
      redis.resume();
    }
  });

  it('still answers every instance within a bounded time once Redis is down too: never a 500', async () => {
    await redis.kill();
    await expectAnsweredWithoutRedis();
  });

  it('reports the loss of Redis in the health of every instance, and stays ready', async () => {
    for (const service of services) {
      await waitUntil(
        async () => (await service.request('GET', '/health')).body.details?.redis?.status === 'down',
        5000,
        'the Redis indicator down',
      );
      expect((await service.request('GET', '/health/ready')).status).toBe(200);
    }
  });
});
