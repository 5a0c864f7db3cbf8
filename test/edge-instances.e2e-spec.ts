import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { generateDemoData, seedDemoData } from '../src/demo-data/demo-data';
import { RedisServer } from './support/redis-server';
import { freePort, MAIN, type ServiceProcess, spawnService } from './support/service-process';
import { ADMIN, authorizationFor } from './support/tokens';
import { type RunningVarnish, startVarnish } from './support/varnish';

// Hooks start FerretDB's database, a redis-server, two instances of the built service and varnishd.
jest.setTimeout(120_000);

/**
 * Two instances of the service behind one real Varnish (round robin, health probes on /health/ready), sharing
 * Redis: writes on either instance purge the edge, rate limits are counted across both, one instance killed
 * (SIGKILL) under load costs no client a 5xx, and `npm run edge:stats` reports hit rates per operation.
 */

const demo = generateDemoData();
const DB_NAME = 'edge_instances';
const EDGE_STATS = join(__dirname, '..', 'scripts', 'edge-stats.mjs');
const PROBE_INTERVAL_MS = 500;
/** Anonymous requests per address per window: small, so that a few requests reach it. */
const PER_ADDRESS = 10;

interface Answer {
  status: number;
  cache: string | null;
  headers: Headers;
  body: any;
}

interface EdgeStats {
  operations: {
    operation: string;
    requests: number;
    hits: number;
    misses: number;
    passes: number;
    hitRate: number;
    passReasons: Record<string, number>;
  }[];
  purges: number;
  retries: Record<string, number>;
  counters: Record<string, number>;
  backends: { backend: string; healthy: boolean }[];
}

describe('Several instances behind the edge', () => {
  let redis: RedisServer;
  let edge: RunningVarnish;
  let first: ServiceProcess;
  let second: ServiceProcess;
  let adminHeaders: Record<string, string>;
  const journalDir = mkdtempSync(join(tmpdir(), 'edge-instances-'));

  async function send(url: string, init: RequestInit = {}, headers: Record<string, string> = adminHeaders) {
    const response = await fetch(url, {
      ...init,
      headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return {
      status: response.status,
      cache: response.headers.get('x-cache'),
      headers: response.headers,
      body: response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text,
    } satisfies Answer;
  }

  const viaEdge = (path: string, init?: RequestInit) => send(edge.url + path, init);
  const graphql = (url: string, query: string, variables: Record<string, unknown>, operationName?: string) =>
    send(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables, operationName }),
    });

  function edgeStats(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [EDGE_STATS, '-n', edge.workdir, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  async function statsJson(): Promise<EdgeStats> {
    // Varnish's workers publish their log and counters in batches: give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { code, stdout, stderr } = await edgeStats('--minutes', '10', '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(stdout) as EdgeStats;
  }

  async function startInstance(name: string, edgePort: number): Promise<ServiceProcess> {
    const service = spawnService({
      NODE_ENV: 'test',
      PORT: String(await freePort()),
      MONGODB_URI: process.env.TEST_MONGODB_URI!,
      MONGODB_DB_NAME: DB_NAME,
      REDIS_URL: redis.url,
      EDGE_PURGE_URLS: `http://127.0.0.1:${edgePort}/`,
      FALLBACK_JOURNAL_PATH: join(journalDir, `${name}.sqlite`),
      TRUST_PROXY: '127.0.0.1',
      RATE_LIMIT_PER_ADDRESS: String(PER_ADDRESS),
      RATE_LIMIT_WINDOW_MS: '60000',
    });
    await service.waitFor('Listening on', 60_000);
    return service;
  }

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build)`);
    if (!process.env.TEST_MONGODB_URI)
      throw new Error('TEST_MONGODB_URI is not set: run the e2e tests through npm test');
    adminHeaders = await authorizationFor(ADMIN);
    const client = new mongoose.mongo.MongoClient(process.env.TEST_MONGODB_URI, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.connect();
      await client.db(DB_NAME).dropDatabase();
      await seedDemoData(client.db(DB_NAME));
    } finally {
      await client.close();
    }
    redis = await RedisServer.start();
    const edgePort = await freePort();
    [first, second] = await Promise.all([startInstance('first', edgePort), startInstance('second', edgePort)]);
    edge = await startVarnish({
      backendPorts: [first.port, second.port],
      port: edgePort,
      probeIntervalMs: PROBE_INTERVAL_MS,
    });
  });

  afterAll(async () => {
    await edge?.stop();
    await Promise.all([first?.stop(), second?.stop()]);
    await redis?.kill();
    rmSync(journalDir, { recursive: true, force: true });
  });

  it('serves from both instances, each answer naming its operation', async () => {
    const path = `/api/teachers/${demo.teachers[1]._id.toHexString()}`;
    const answers = await Promise.all([first, second].map((instance) => send(instance.baseUrl + path)));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-operation')).toBe('GET /api/teachers/:id');
    }
    const query = 'query TeacherNames($limit: Int!) { teachers(limit: $limit) { items { lastName } } }';
    const viaGraphql = await graphql(edge.url, query, { limit: 2 });
    expect(viaGraphql.headers.get('x-operation')).toMatch(/^graphql:TeacherNames:[0-9a-f]{8}$/);
  });

  it('purges the edge after a write on either instance', async () => {
    const path = `/api/teachers/${demo.teachers[3]._id.toHexString()}`;
    for (const [index, writer] of [first, second].entries()) {
      expect((await viaEdge(path)).cache).toMatch(/^(MISS|HIT)$/);
      expect((await viaEdge(path)).cache).toBe('HIT');
      const phone = `+1 555 01${60 + index}`;
      const written = await send(writer.baseUrl + path, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone }),
      });
      expect(written.status).toBe(200);
      const after = await viaEdge(path);
      expect({ cache: after.cache, phone: after.body.phone }).toEqual({ cache: 'MISS', phone });
    }
  });

  it('counts rate limits across both instances through Redis', async () => {
    // Anonymous callers are limited per address; the edge's X-Forwarded-For names the client (TRUST_PROXY).
    const client = { 'x-forwarded-for': '198.51.100.7' };
    const statuses: number[] = [];
    for (let index = 0; index < PER_ADDRESS + 4; index++) {
      const instance = index % 2 === 0 ? first : second;
      statuses.push((await send(`${instance.baseUrl}/api/schools?limit=1`, {}, client)).status);
    }
    // Each instance alone would have allowed PER_ADDRESS; together they allow PER_ADDRESS.
    expect(statuses).toEqual([...Array<number>(PER_ADDRESS).fill(200), ...Array<number>(4).fill(429)]);
  });

  it('counts in each instance, without delaying requests, while Redis hangs', async () => {
    redis.pause();
    try {
      const client = { 'x-forwarded-for': '198.51.100.8' };
      for (const instance of [first, second]) {
        for (let index = 0; index < 3; index++) {
          const started = Date.now();
          const answer = await send(`${instance.baseUrl}/api/schools?limit=1`, {}, client);
          expect({ status: answer.status, fast: Date.now() - started < 1000 }).toEqual({ status: 200, fast: true });
        }
      }
    } finally {
      redis.resume();
    }
  });

  it('reports hit rates per operation with npm run edge:stats', async () => {
    const teacherPath = `/api/teachers/${demo.teachers[7]._id.toHexString()}`;
    for (let index = 0; index < 4; index++) await viaEdge(teacherPath);
    const query = 'query SchoolCount { schools(limit: 1) { total } }';
    for (let index = 0; index < 3; index++) await graphql(edge.url, query, {});
    const mutation =
      'mutation RenameTeacher($id: ID!, $lastName: String!) { updateTeacher(id: $id, input: { lastName: $lastName }) { id } }';
    const renamed = await graphql(edge.url, mutation, { id: demo.teachers[8]._id.toHexString(), lastName: 'Stats' });
    expect(renamed.body.errors).toBeUndefined();

    const stats = await statsJson();
    const byName = (name: string | RegExp) =>
      stats.operations.find((entry) =>
        typeof name === 'string' ? entry.operation === name : name.test(entry.operation),
      );
    const teacher = byName('GET /api/teachers/:id')!;
    expect(teacher.hits).toBeGreaterThanOrEqual(3);
    expect(teacher.hitRate).toBeGreaterThan(0);
    const schoolCount = byName(/^graphql:SchoolCount:[0-9a-f]{8}$/)!;
    expect({ hits: schoolCount.hits, misses: schoolCount.misses }).toEqual({ hits: 2, misses: 1 });
    expect(byName(/^graphql:RenameTeacher:/)!.passReasons).toEqual({ mutation: 1 });
    expect(stats.purges).toBeGreaterThan(0); // the instances' purges after writes, apart from the answers
    expect(stats.backends.map(({ backend, healthy }) => ({ backend, healthy }))).toEqual([
      { backend: 'app1', healthy: true },
      { backend: 'app2', healthy: true },
    ]);

    const text = await edgeStats('--minutes', '10');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/GET \/api\/teachers\/:id\s+\d+\s+\d+\.\d%/);
    expect(text.stdout).toContain('mutation 1');
  });

  it('loses no request when an instance is killed under load, and takes it out of rotation', async () => {
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let sequence = 0;
    const stopAt = Date.now() + 4000;
    // Every request goes to an instance: reads by id the edge has not seen yet, over REST, and over GraphQL by GET and
    // by POST (cacheable reads, sent again to the other instance when they met the killed one).
    const nextTeacher = () => demo.teachers[20 + (sequence++ % (demo.teachers.length - 20))]._id.toHexString();
    const byId = 'query Load($id: ID!) { teacher(id: $id) { lastName } }';
    const requests = [
      () => viaEdge(`/api/teachers/${nextTeacher()}`),
      () =>
        viaEdge(
          `/graphql?${new URLSearchParams({ query: byId, variables: JSON.stringify({ id: nextTeacher() }) }).toString()}`,
        ),
      () => graphql(edge.url, byId, { id: nextTeacher() }),
    ];
    const worker = async (index: number) => {
      for (let round = 0; Date.now() < stopAt; round++) {
        try {
          const answer = await requests[(index + round) % requests.length]();
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, (_, index) => worker(index)));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await second.kill9();
    await load;

    expect(failures).toEqual([]);
    expect([...statuses.keys()]).toEqual([200]);
    expect(statuses.get(200)).toBeGreaterThan(30);

    // Out of rotation: its probes fail (within the probe interval of the kill).
    const stats = await statsJson();
    expect(stats.backends.map(({ backend, healthy }) => ({ backend, healthy }))).toEqual([
      { backend: 'app1', healthy: true },
      { backend: 'app2', healthy: false },
    ]);
    // The requests that met it were sent again to the other one.
    expect(Object.keys(stats.retries)).toEqual([expect.stringMatching(/app2$/)]);
  });
});
