import type { FerretdbServer } from '../src/database/ferretdb-server';
import { LastKnownGood } from '../src/fallback/last-known-good/last-known-good';
import { startFaultDatabase, waitUntil } from './support/fault-database';
import { demoWorld } from './support/school-world';
import { startTestApp, type HttpResult, type TestApp, type TestClient } from './support/test-app';

// Jest does not apply a project's testTimeout to its tests; hooks start apps and wait for outages and recoveries.
jest.setTimeout(30_000);

/**
 * The last-known-good tier through real outages of a FerretDB of the suite's own (SIGSTOP, then SIGKILL): what the
 * database answered before is answered again, marked stale with its age, to the same callers with the same access.
 * Snapshots are off, so every stale answer here is a remembered read.
 */

const world = demoWorld();
const { own, other } = world;

const SETTINGS = {
  FALLBACK_OPERATION_TIMEOUT_MS: '1000',
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
  FALLBACK_RETRY_AFTER_SECONDS: '7',
  FALLBACK_SNAPSHOT_COLLECTIONS: 'none',
};
const MAX_AGE_SECONDS = 1;
const BOUND_MB = 1;

/** What the demo headmaster reads of their school. */
const REST_READS = [
  `/api/headmasters/${own.headmaster}/dashboard`,
  `/api/headmasters/${own.headmaster}/school`,
  `/api/headmasters/${own.headmaster}/teachers`,
  `/api/teachers/${own.teacher}`,
];
const GRAPHQL_READ = `{
  headmaster(id: "${own.headmaster}") {
    id lastName email
    dashboard { teacherCount teachersByStatus { status count } school { name } }
  }
  school(id: "${own.school}") { name phone teacherCount teachers(limit: 100) { total items { id lastName email } } }
  teacher(id: "${own.teacher}") { id firstName lastName email subjects }
}`;
/** A list of the school's teachers, read before a teacher of it is renamed and not after (no other read has its key). */
const LIST_BEFORE_RENAME = `/api/teachers?schoolId=${own.school}&limit=99`;

interface Reads {
  rest: Map<string, HttpResult>;
  graphql: HttpResult;
}

async function readAll(client: TestClient): Promise<Reads> {
  const rest = new Map<string, HttpResult>();
  for (const path of REST_READS) rest.set(path, await client.request('GET', path));
  return { rest, graphql: await client.graphql(GRAPHQL_READ) };
}

function expectStale(answer: HttpResult): void {
  expect(answer.status).toBe(200);
  expect(answer.headers.get('x-data-source')).toBe('stale');
  expect(answer.headers.get('x-data-age')).toMatch(/^\d+$/);
  expect(answer.headers.get('cache-control')).toBe('no-store');
}

/** An answer the service could not give from real data: backup data, or 503 with Retry-After; never 404 or 500. */
function expectNotReal(answer: HttpResult): void {
  expect([200, 503]).toContain(answer.status);
  if (answer.status === 503) expect(answer.headers.get('retry-after')).toBe('7');
  else expect(answer.headers.get('x-data-source')).toBe('fallback');
}

describe('Last-known-good answers through real database outages', () => {
  let database: FerretdbServer;
  let sut: TestApp;
  /** A service whose tier keeps entries MAX_AGE_SECONDS and BOUND_MB. */
  let bounded: TestApp;
  let headmaster: TestClient;
  let otherHeadmaster: TestClient;
  let colleague: TestClient;
  let anonymous: TestClient;

  beforeAll(async () => {
    database = await startFaultDatabase();
    const env = { MONGODB_URI: database.uri, ...SETTINGS };
    // One after the other: two services connecting to one fresh server at once may find no database handle yet.
    sut = await startTestApp({ env });
    bounded = await startTestApp({
      env: { ...env, FALLBACK_STALE_MAX_AGE_SECONDS: String(MAX_AGE_SECONDS), FALLBACK_STALE_MAX_MB: String(BOUND_MB) },
    });
    headmaster = await sut.as(world.callers.headmaster);
    otherHeadmaster = await sut.as({ role: 'headmaster', schoolId: other.school, sub: other.headmaster });
    colleague = await sut.as(world.callers.teacher);
    anonymous = await sut.as(world.callers.anonymous);
  });

  afterAll(async () => {
    database?.resume();
    await sut?.close().catch(() => undefined);
    await bounded?.close().catch(() => undefined);
    await database?.stop();
  });

  async function databaseAnswers(app: TestApp): Promise<void> {
    await waitUntil(
      async () => (await app.request('GET', '/api/schools?limit=1')).headers.get('x-data-source') === 'database',
      10_000,
      'answers from the database',
    );
  }

  it('keeps within FALLBACK_STALE_MAX_MB however much is read', async () => {
    const tier = bounded.app.get(LastKnownGood);
    for (let offset = 0; offset < 60; offset += 1) {
      const page = await bounded.request('GET', `/api/teachers?limit=100&offset=${offset}`);
      expect(page.headers.get('x-data-source')).toBe('database');
      for (const teacher of page.body.items.slice(0, 3)) await bounded.request('GET', `/api/teachers/${teacher.id}`);
      expect(tier.stats().bytes).toBeLessThanOrEqual(BOUND_MB * 1024 * 1024);
    }
    // Full: what it holds is most of the bound, and the first pages read have gone.
    expect(tier.stats().bytes).toBeGreaterThan((BOUND_MB * 1024 * 1024) / 2);
  });

  interface Fault {
    fault: string;
    rename: string;
    begin: () => Promise<void>;
    end: () => Promise<void>;
  }

  describe.each<Fault>([
    {
      fault: 'SIGSTOP',
      rename: 'Renamedstop',
      begin: () => Promise.resolve(database.pause()),
      end: () => Promise.resolve(database.resume()),
    },
    {
      fault: 'SIGKILL',
      rename: 'Renamedkill',
      begin: () => database.kill(),
      end: () => database.restart(),
    },
  ])('when the database process is stopped ($fault)', ({ rename, begin, end }) => {
    let before: Reads;
    let oldName: string;
    let boundedReadAt: number;

    beforeAll(async () => {
      await Promise.all([databaseAnswers(sut), databaseAnswers(bounded)]);
      expect((await bounded.request('GET', `/api/teachers/${own.teacher}`)).status).toBe(200);
      boundedReadAt = Date.now();
      // A list that holds the colleague, remembered; then the colleague renamed through the API.
      expect((await headmaster.request('GET', LIST_BEFORE_RENAME)).status).toBe(200);
      oldName = (await headmaster.request('GET', `/api/teachers/${own.colleague}`)).body.lastName;
      const renamed = await headmaster.request('PATCH', `/api/teachers/${own.colleague}`, { lastName: rename });
      expect(renamed.status).toBe(200);
      expect(renamed.body.lastName).toBe(rename);
      before = await readAll(headmaster);
      for (const [path, answer] of before.rest) {
        expect([path, answer.status, answer.headers.get('x-data-source')]).toEqual([path, 200, 'database']);
      }
      expect(before.graphql.body.errors).toBeUndefined();
      expect(before.graphql.body.extensions?.dataSource).toBe('database');
      await colleague.request('GET', `/api/teachers/${own.colleague}`);
      await anonymous.request('GET', `/api/schools/${own.school}`);
      // The bounded service's entries are past their age when the outage begins.
      const wait = boundedReadAt + MAX_AGE_SECONDS * 1000 + 300 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await begin();
    });

    afterAll(async () => {
      await end();
      await Promise.all([databaseAnswers(sut), databaseAnswers(bounded)]);
    });

    it('answers the headmaster’s REST reads with the same bodies, marked stale with their age, not to be stored', async () => {
      const during = await readAll(headmaster);
      for (const path of REST_READS) {
        const answer = during.rest.get(path)!;
        expectStale(answer);
        expect([path, answer.body]).toEqual([path, before.rest.get(path)!.body]);
      }
    });

    it('answers the same GraphQL read with the same data, marked stale with its age', async () => {
      const { graphql } = await readAll(headmaster);
      expect(graphql.status).toBe(200);
      expect(graphql.body.errors).toBeUndefined();
      expect(graphql.body.data).toEqual(before.graphql.body.data);
      expect(graphql.body.extensions?.dataSource).toBe('stale');
      expect(graphql.body.extensions?.dataAgeSeconds).toEqual(expect.any(Number));
      expect(graphql.headers.get('cache-control')).toBe('no-store');
    });

    it('answers a record changed through the API with the change, never the old value', async () => {
      const record = await headmaster.request('GET', `/api/teachers/${own.colleague}`);
      expectStale(record);
      expect(record.body.lastName).toBe(rename);
      expect(record.body.lastName).not.toBe(oldName);
      const list = await headmaster.request('GET', LIST_BEFORE_RENAME);
      expect(list.status).toBe(200);
      const renamed = (list.body.items as { id: string; lastName: string }[]).find((item) => item.id === own.colleague);
      if (renamed) expect(renamed.lastName).toBe(rename);
      // The list remembered before the change is not served: it comes from the backup data (other schools' ids).
      expect(list.headers.get('x-data-source')).toBe('fallback');
      // Lists read after the change hold it.
      const lists = [before.rest.get(`/api/headmasters/${own.headmaster}/teachers`)!, before.graphql];
      for (const remembered of lists) expect(JSON.stringify(remembered.body)).toContain(`"${rename}"`);
    });

    it('keeps access as it is: to the other school’s headmaster it is not there, anonymous callers must sign in', async () => {
      for (const path of REST_READS) {
        const refused = await otherHeadmaster.request('GET', path);
        expect([path, refused.status]).toEqual([path, 404]);
        expect(JSON.stringify(refused.body)).not.toContain('@');
        const unsigned = await anonymous.request('GET', path);
        expect([path, unsigned.status]).toEqual([path, 401]);
      }
      const graphql = await otherHeadmaster.graphql(`{ headmaster(id: "${own.headmaster}") { email } }`);
      expect(graphql.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(JSON.stringify(graphql.body)).not.toContain('@');
    });

    it('withholds from each role what it withholds with the database up', async () => {
      const seenByColleague = await colleague.request('GET', `/api/teachers/${own.colleague}`);
      expectStale(seenByColleague);
      expect(seenByColleague.body.lastName).toBe(rename);
      for (const field of ['email', 'phone', 'status', 'hiredAt'])
        expect(seenByColleague.body).not.toHaveProperty(field);
      const seenByAnyone = await anonymous.request('GET', `/api/schools/${own.school}`);
      expectStale(seenByAnyone);
      for (const field of ['phone', 'email', 'headmasterId']) expect(seenByAnyone.body).not.toHaveProperty(field);
      expect(Object.keys(seenByAnyone.body.address)).toEqual(['city']);
    });

    it('answers a record never read from backup data or 503, never 404 or 500', async () => {
      expectNotReal(await sut.request('GET', `/api/teachers/${other.teacher}`));
      expectNotReal(await sut.request('GET', `/api/teachers/${'0'.repeat(23)}1`));
      expectNotReal(await sut.request('GET', `/api/headmasters/${other.headmaster}/dashboard`));
    });

    it('serves nothing past FALLBACK_STALE_MAX_AGE_SECONDS', async () => {
      const answer = await bounded.request('GET', `/api/teachers/${own.teacher}`);
      expect(answer.headers.get('x-data-source')).not.toBe('stale');
      expectNotReal(answer);
    });
  });
});
