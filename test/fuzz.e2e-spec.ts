import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mongo } from 'mongoose';
import { generateDemoData, seedDemoData } from '../src/demo-data/demo-data';
import { SeededRandom } from '../src/common/seeded-random';
import { fuzzRequest, type FuzzRequest, type FuzzWorld } from './support/fuzz-requests';
import { freePort, spawnService, type ServiceProcess } from './support/service-process';
import { mintTestToken } from './support/tokens';

const REQUESTS = 5000;
const CONCURRENCY = 4;
/** A request still unanswered after this is a hang. */
const REQUEST_TIMEOUT_MS = 15_000;
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);

jest.setTimeout(300_000);

describe(`Fuzzing the running service with ${REQUESTS} random and malformed requests (seed ${SEED})`, () => {
  let service: ServiceProcess;
  let world: FuzzWorld;
  const dbName = `fuzz_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const uri = process.env.TEST_MONGODB_URI!;
    const client = new mongo.MongoClient(uri);
    try {
      await seedDemoData(client.db(dbName));
    } finally {
      await client.close();
    }
    const demo = generateDemoData();
    const schoolIds = demo.schools.map((school) => school._id.toHexString());
    world = {
      schoolIds,
      headmasterIds: demo.headmasters.map((headmaster) => headmaster._id.toHexString()),
      teacherIds: demo.teachers.map((teacher) => teacher._id.toHexString()),
      goodTokens: [
        await mintTestToken({ role: 'admin' }),
        await mintTestToken({ role: 'headmaster', schoolId: schoolIds[0] }),
        await mintTestToken({ role: 'teacher', schoolId: schoolIds[1], sub: demo.teachers[1]._id.toHexString() }),
      ],
      badTokens: [
        await mintTestToken({ role: 'admin' }, { expiresInSeconds: -10 }),
        await mintTestToken({ role: 'admin' }, { secret: 'z'.repeat(40) }),
        await mintTestToken({ role: 'headmaster', schoolId: schoolIds[0] }, { claims: { schoolId: { $ne: null } } }),
        'eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4iLCJzdWIiOiJ4In0.',
        'not-a-jwt',
      ],
    };
    service = spawnService({
      PORT: String(await freePort()),
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      MONGODB_URI: uri,
      MONGODB_DB_NAME: dbName,
      // Slow answers under this load are not outages: the database keeps answering every request.
      FALLBACK_OPERATION_TIMEOUT_MS: '10000',
      FALLBACK_JOURNAL_PATH: join(mkdtempSync(join(tmpdir(), 'fuzz-journal-')), 'journal.sqlite'),
    });
    // Its logs are kept to errors, so it is ready when it answers.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const live = await service.request('GET', '/health/live').catch(() => undefined);
      if (live?.status === 200) break;
      if (service.child.exitCode !== null || Date.now() > deadline) throw new Error(`no service:\n${service.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  afterAll(async () => {
    await service?.stop();
    const client = new mongo.MongoClient(process.env.TEST_MONGODB_URI!);
    await client
      .db(dbName)
      .dropDatabase()
      .catch(() => undefined);
    await client.close();
  });

  it('answers every request below 500, none hangs, and the service lives on', async () => {
    const random = new SeededRandom(SEED);
    const requests: FuzzRequest[] = Array.from({ length: REQUESTS }, () => fuzzRequest(random, world));
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;

    const send = async (request: FuzzRequest, index: number) => {
      const describe = () =>
        `#${index} ${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 200)} ${request.body?.slice(0, 300) ?? ''}`;
      try {
        const response = await fetch(service.baseUrl + request.path, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500) failures.push(`${response.status} for ${describe()}: ${text.slice(0, 300)}`);
      } catch (error) {
        failures.push(`${(error as Error).name} (${(error as Error).message}) for ${describe()}`);
      }
    };
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const index = next++;
          await send(requests[index], index);
        }
      }),
    );

    const answered = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    console.log(`fuzz (seed ${SEED}): ${answered} answered; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(failures.slice(0, 20)).toEqual([]);
    expect(answered).toBe(REQUESTS);
    // The mix reached the handlers, not only the gate: successes, refusals and validation errors.
    for (const status of [200, 400, 401, 403]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);

    expect(service.child.exitCode).toBeNull();
    expect((await service.request('GET', '/health/live')).status).toBe(200);
    const alive = await service.request('POST', '/graphql', { query: '{ schools(limit: 1) { total } }' });
    expect(alive.status).toBe(200);
    expect(alive.body.data.schools.total).toBeGreaterThan(0);
  });
});
