import { createClient } from 'graphql-ws';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mongo } from 'mongoose';
import WebSocket from 'ws';
import { createServer } from 'node:net';
import { generateDemoData } from '../src/database/demo-data';
import { startTestApp, TestApp } from './support/test-app';
import { startVarnish } from './support/varnish';

const demo = generateDemoData();
/** A school of the backup data (not in the database): writes for it are accepted only during an outage. */
const backupSchools = readFileSync(join(__dirname, '..', 'src/school/persistence/fixtures/schools.json'), 'utf8');
const backupSchoolId = (
  mongo.BSON.EJSON.parse(backupSchools.split('\n')[0], { relaxed: false }) as { _id: mongo.ObjectId }
)._id.toHexString();

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface EdgeAnswer {
  status: number;
  cache: string | null;
  source: string | null;
  headers: Headers;
  body: any;
}

describe('Edge cache (real varnishd in front of the real service)', () => {
  let sut: TestApp;
  let edge: Awaited<ReturnType<typeof startVarnish>>;

  async function viaEdge(path: string, init: RequestInit = {}): Promise<EdgeAnswer> {
    const response = await fetch(edge.url + path, { ...init, signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    return {
      status: response.status,
      cache: response.headers.get('x-cache'),
      source: response.headers.get('x-data-source'),
      headers: response.headers,
      body: response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text,
    };
  }

  const postGraphql = (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
    viaEdge('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });

  const getGraphql = (params: Record<string, string>) => viaEdge(`/graphql?${new URLSearchParams(params).toString()}`);

  beforeAll(async () => {
    const edgePort = await freePort();
    sut = await startTestApp({
      env: {
        EDGE_PURGE_URLS: `http://127.0.0.1:${edgePort}`,
        // Short TTLs let the grace tests see expired objects quickly.
        EDGE_TTL_HEADMASTERS: '1',
      },
    });
    edge = await startVarnish({ backendPort: Number(new URL(sut.baseUrl).port), port: edgePort, graceSeconds: 3600 });
  });

  afterAll(async () => {
    await edge?.stop();
    await sut?.close().catch(() => undefined); // the last test closed the service already
  });

  describe('GraphQL', () => {
    const query = 'query ($limit: Int!) { schools(limit: $limit) { total items { id name } } }';

    it('serves a repeated GET from the cache', async () => {
      const params = { query, variables: JSON.stringify({ limit: 3 }) };
      const first = await getGraphql(params);
      const second = await getGraphql(params);
      expect(first.cache).toBe('MISS');
      expect(second.cache).toBe('HIT');
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('xkey')).toBeNull();
    });

    it('serves a repeated POST from the cache, keyed by its body', async () => {
      const first = await postGraphql(query, { limit: 4 });
      const repeated = await postGraphql(query, { limit: 4 });
      const otherVariables = await postGraphql(query, { limit: 5 });
      expect(first.cache).toBe('MISS');
      expect(repeated.cache).toBe('HIT');
      expect(otherVariables.cache).toBe('MISS');
      expect(otherVariables.body.data.schools.items).toHaveLength(5);
      expect(repeated.body.data.schools.items).toHaveLength(4);
    });

    it('never serves a mutation from the cache, and purges what it changed', async () => {
      const school = demo.schools[5];
      const read = 'query ($id: ID!) { school(id: $id) { id name } }';
      const variables = { id: school._id.toHexString() };
      expect((await postGraphql(read, variables)).cache).toBe('MISS');
      expect((await postGraphql(read, variables)).cache).toBe('HIT');

      const mutation = 'mutation ($id: ID!, $name: String!) { updateSchool(id: $id, input: { name: $name }) { name } }';
      const first = await postGraphql(mutation, { ...variables, name: 'Renamed Once' });
      const second = await postGraphql(mutation, { ...variables, name: 'Renamed Once' });
      expect([first.cache, second.cache]).not.toContain('HIT');
      expect(first.headers.get('cache-control')).toBe('no-store');

      const after = await postGraphql(read, variables);
      expect(after.cache).toBe('MISS');
      expect(after.body.data.school.name).toBe('Renamed Once');
    });

    it('refuses a mutation by GET with 405 and never caches it', async () => {
      const params = { query: `mutation { deleteSchool(id: "${demo.schools[6]._id.toHexString()}") { id } }` };
      const first = await getGraphql(params);
      const second = await getGraphql(params);
      expect(first.status).toBe(405);
      expect(second.cache).not.toBe('HIT');
      expect((await sut.request('GET', `/api/schools/${demo.schools[6]._id.toHexString()}`)).status).toBe(200);
    });

    it('never caches answers with errors', async () => {
      const params = { query: '{ school(id: "0123456789abcdef01234567") { id } }' };
      const first = await getGraphql(params);
      const second = await getGraphql(params);
      expect(first.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(second.cache).not.toBe('HIT');
    });

    it('answers automatic persisted queries by GET, cached', async () => {
      const persisted = '{ teachers(limit: 2) { total } }';
      const sha256Hash = createHash('sha256').update(persisted).digest('hex');
      const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash } });
      const unknown = await getGraphql({ extensions });
      expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      const registered = await getGraphql({ query: persisted, extensions });
      expect(registered.body.data.teachers.total).toBe(demo.teachers.length);
      const byHash = await getGraphql({ extensions });
      const again = await getGraphql({ extensions });
      expect(byHash.body.data.teachers.total).toBe(demo.teachers.length);
      expect(again.cache).toBe('HIT');
    });
  });

  describe('subscriptions', () => {
    it('delivers teacherChanged events over a WebSocket through the edge', async () => {
      const schoolId = demo.schools[9]._id.toHexString();
      const client = createClient({
        url: `${edge.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
      });
      const emails: string[] = [];
      const unsubscribe = client.subscribe<{ teacherChanged: { kind: string; teacher: { email: string } } }>(
        {
          query: 'subscription ($schoolId: ID!) { teacherChanged(schoolId: $schoolId) { kind teacher { email } } }',
          variables: { schoolId },
        },
        {
          next: ({ data }) => data && emails.push(data.teacherChanged.teacher.email),
          error: () => undefined,
          complete: () => undefined,
        },
      );
      try {
        // The server gives no signal once the subscription is in place: write until an event arrives (bounded).
        const deadline = Date.now() + 10_000;
        for (let attempt = 0; emails.length === 0 && Date.now() < deadline; attempt++) {
          const created = await sut.request('POST', '/api/teachers', {
            firstName: 'Socket',
            lastName: `Listener${attempt}`,
            email: `socket.listener.${attempt}@example.org`,
            phone: '+1 555 0179',
            schoolId,
            subjects: ['music'],
          });
          expect(created.status).toBe(201);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(emails[0]).toMatch(/^socket\.listener\.\d+@example\.org$/);
      } finally {
        unsubscribe();
        await client.dispose();
      }
    });
  });

  describe('REST', () => {
    it('caches a GET and purges it on a write through the service', async () => {
      const teacher = demo.teachers[10];
      const path = `/api/teachers/${teacher._id.toHexString()}`;
      expect((await viaEdge(path)).cache).toBe('MISS');
      const cached = await viaEdge(path);
      expect(cached.cache).toBe('HIT');
      expect(cached.headers.get('x-cache-hits')).toBe('1');

      const update = await sut.request('PATCH', path, { phone: '+1 555 0177' });
      expect(update.status).toBe(200);
      const fresh = await viaEdge(path);
      expect(fresh.cache).toBe('MISS');
      expect(fresh.body.phone).toBe('+1 555 0177');
    });

    it('purges lists when a record is created, so new records show at once', async () => {
      const schoolId = demo.schools[7]._id.toHexString();
      const path = `/api/teachers?schoolId=${schoolId}&limit=100`;
      const before = await viaEdge(path);
      expect((await viaEdge(path)).cache).toBe('HIT');
      const created = await sut.request('POST', '/api/teachers', {
        firstName: 'Edge',
        lastName: 'Newcomer',
        email: 'edge.newcomer@example.org',
        phone: '+1 555 0178',
        schoolId,
        subjects: ['art'],
      });
      expect(created.status).toBe(201);
      const after = await viaEdge(path);
      expect(after.cache).toBe('MISS');
      expect(after.body.total).toBe(before.body.total + 1);
    });

    it('never caches errors', async () => {
      const path = '/api/schools/0123456789abcdef01234567';
      const first = await viaEdge(path);
      const second = await viaEdge(path);
      expect(first.status).toBe(404);
      expect(second.cache).not.toBe('HIT');
    });

    it('never answers one credential from another credential’s entry', async () => {
      const path = `/api/headmasters/${demo.headmasters[0]._id.toHexString()}`;
      const alice = await viaEdge(path, { headers: { authorization: 'Bearer alice' } });
      const bob = await viaEdge(path, { headers: { authorization: 'Bearer bob' } });
      const aliceAgain = await viaEdge(path, { headers: { authorization: 'Bearer alice' } });
      for (const answer of [alice, bob, aliceAgain]) {
        expect(answer.cache).toBe('PASS');
        expect(answer.headers.get('cache-control')).toMatch(/private/);
      }
    });
  });

  describe('during a database outage', () => {
    afterEach(async () => {
      await sut.request('DELETE', '/api/admin/fallback/drill').catch(() => undefined);
    });

    it('keeps serving the stale real copy instead of backup data, marked STALE', async () => {
      const path = `/api/headmasters/${demo.headmasters[2]._id.toHexString()}`;
      const real = await viaEdge(path);
      expect(real.source).toBe('database');
      expect((await viaEdge(path)).cache).toBe('HIT');

      await sut.request('POST', '/api/admin/fallback/drill');
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the 1 s TTL expires; grace remains
      const stale = await viaEdge(path);
      const staleAgain = await viaEdge(path);
      for (const answer of [stale, staleAgain]) {
        expect(answer.cache).toBe('STALE');
        expect(answer.source).toBe('database');
        expect(answer.body).toEqual(real.body);
      }
    });

    it('passes backup data through only when no real copy exists, and never caches it', async () => {
      await sut.request('POST', '/api/admin/fallback/drill');
      const path = '/api/headmasters?limit=3';
      const first = await viaEdge(path);
      const second = await viaEdge(path);
      expect(first.source).toBe('fallback');
      expect(first.headers.get('cache-control')).toBe('no-store');
      expect(second.cache).not.toBe('HIT');
      expect(second.source).toBe('fallback');
    });

    it('purges what journalled writes change when they are replayed', async () => {
      // During an outage a new teacher must belong to a school of the backup data (others cannot be confirmed).
      const schoolId = backupSchoolId;
      const path = `/api/teachers?schoolId=${schoolId}&limit=100`;
      const before = await viaEdge(path);
      expect((await viaEdge(path)).cache).toBe('HIT');

      await sut.request('POST', '/api/admin/fallback/drill');
      const queued = await sut.request('POST', '/api/teachers', {
        firstName: 'Queued',
        lastName: 'ForTheEdge',
        email: 'queued.for.the.edge@example.org',
        phone: '+1 555 0180',
        schoolId,
        subjects: ['drama'],
      });
      expect(queued.status).toBe(202);
      await sut.request('DELETE', '/api/admin/fallback/drill');
      const deadline = Date.now() + 10_000;
      let after = await viaEdge(path);
      while (after.body.total === before.body.total && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        after = await viaEdge(path);
      }
      expect(after.source).toBe('database');
      expect(after.body.total).toBe(before.body.total + 1);
    });

    it('serves stale real data while the service itself is down', async () => {
      const path = `/api/headmasters/${demo.headmasters[3]._id.toHexString()}`;
      const real = await viaEdge(path);
      expect((await viaEdge(path)).cache).toBe('HIT');
      await sut.app.close(); // the backend is gone
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const stale = await viaEdge(path);
      expect(stale.status).toBe(200);
      expect(stale.cache).toBe('STALE');
      expect(stale.body).toEqual(real.body);
    });
  });
});
