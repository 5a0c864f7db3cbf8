import type { FerretdbServer } from '../src/database/ferretdb-server';
import { startFaultDatabase } from './support/fault-database';
import { demoWorld } from './support/school-world';
import { startTestApp, type HttpResult, type TestApp, type TestClient } from './support/test-app';

// Jest does not apply a project's testTimeout to its tests; hooks start a database and apps.
jest.setTimeout(30_000);

/**
 * Access is decided before existence: a caller who may not read a kind of record gets the same answer for an
 * existing and an unknown id. Anonymous callers get 401, and a role that may never do something 403, before anything
 * is looked up (also with the database stopped); another school's teacher or headmaster is not found (404), word for
 * word like an unknown id, over REST and GraphQL, for reads and writes.
 */

const world = demoWorld();
const { other } = world;
const UNKNOWN = 'ffffffffffffffffffffffff';

type Caller = 'anonymous' | 'teacher' | 'headmaster';
const CALLERS: Caller[] = ['anonymous', 'teacher', 'headmaster'];

interface RestCase {
  name: string;
  /** The id of another school's record that the request names. */
  existing: string;
  request: (id: string) => { method: string; path: string; body?: unknown };
  /** What each caller gets, for the existing id and the unknown one alike. */
  status: Record<Caller, number>;
}

const hire = {
  firstName: 'Ada',
  lastName: 'Probe',
  email: 'ada.probe@example.org',
  phone: '+1 555 0160',
  subjects: ['mathematics'],
};

const REST: RestCase[] = [
  {
    name: 'GET /api/teachers/:id',
    existing: other.teacher,
    request: (id) => ({ method: 'GET', path: `/api/teachers/${id}` }),
    status: { anonymous: 401, teacher: 404, headmaster: 404 },
  },
  {
    name: 'PATCH /api/teachers/:id',
    existing: other.teacher,
    request: (id) => ({ method: 'PATCH', path: `/api/teachers/${id}`, body: { status: 'left' } }),
    status: { anonymous: 401, teacher: 403, headmaster: 404 },
  },
  {
    name: 'DELETE /api/teachers/:id',
    existing: other.teacher,
    request: (id) => ({ method: 'DELETE', path: `/api/teachers/${id}` }),
    status: { anonymous: 401, teacher: 403, headmaster: 404 },
  },
  ...['', '/school', '/teachers', '/dashboard'].map((suffix): RestCase => ({
    name: `GET /api/headmasters/:id${suffix}`,
    existing: other.headmaster,
    request: (id) => ({ method: 'GET', path: `/api/headmasters/${id}${suffix}` }),
    status: { anonymous: 401, teacher: 403, headmaster: 404 },
  })),
  {
    name: 'POST /api/headmasters/:id/teachers (hire)',
    existing: other.headmaster,
    request: (id) => ({ method: 'POST', path: `/api/headmasters/${id}/teachers`, body: hire }),
    status: { anonymous: 401, teacher: 403, headmaster: 404 },
  },
  {
    name: 'PATCH /api/headmasters/:id',
    existing: other.headmaster,
    request: (id) => ({ method: 'PATCH', path: `/api/headmasters/${id}`, body: { lastName: 'Probe' } }),
    status: { anonymous: 401, teacher: 403, headmaster: 403 },
  },
  {
    name: 'DELETE /api/headmasters/:id',
    existing: other.headmaster,
    request: (id) => ({ method: 'DELETE', path: `/api/headmasters/${id}` }),
    status: { anonymous: 401, teacher: 403, headmaster: 403 },
  },
  {
    name: 'DELETE /api/schools/:id',
    existing: other.school,
    request: (id) => ({ method: 'DELETE', path: `/api/schools/${id}` }),
    status: { anonymous: 401, teacher: 403, headmaster: 403 },
  },
  {
    name: 'PATCH /api/subjects/:id',
    existing: other.subject,
    request: (id) => ({ method: 'PATCH', path: `/api/subjects/${id}`, body: { name: 'Probe' } }),
    // A headmaster is refused another school's subject (403) but told an unknown one is not found: subjects are
    // public (see the test below), so that tells nothing a read would not.
    status: { anonymous: 401, teacher: 403, headmaster: 0 },
  },
  {
    name: 'DELETE /api/subjects/:id',
    existing: other.subject,
    request: (id) => ({ method: 'DELETE', path: `/api/subjects/${id}` }),
    status: { anonymous: 401, teacher: 403, headmaster: 0 },
  },
];

interface GraphqlCase {
  name: string;
  existing: string;
  document: string;
  /** The error code each caller gets at the operation's field, for the existing id and the unknown one alike. */
  code: Record<Caller, string>;
}

const GRAPHQL: GraphqlCase[] = [
  {
    name: 'teacher(id)',
    existing: other.teacher,
    document: 'query ($id: ID!) { teacher(id: $id) { id lastName } }',
    code: { anonymous: 'UNAUTHENTICATED', teacher: 'NOT_FOUND', headmaster: 'NOT_FOUND' },
  },
  {
    name: 'headmaster(id) with its dashboard and teachers',
    existing: other.headmaster,
    document:
      'query ($id: ID!) { headmaster(id: $id) { id dashboard { teacherCount } teachers { total items { id } } } }',
    code: { anonymous: 'UNAUTHENTICATED', teacher: 'FORBIDDEN', headmaster: 'NOT_FOUND' },
  },
  {
    name: 'updateTeacher',
    existing: other.teacher,
    document: 'mutation ($id: ID!) { updateTeacher(id: $id, input: { status: left }) { id } }',
    code: { anonymous: 'UNAUTHENTICATED', teacher: 'FORBIDDEN', headmaster: 'NOT_FOUND' },
  },
  {
    name: 'deleteTeacher',
    existing: other.teacher,
    document: 'mutation ($id: ID!) { deleteTeacher(id: $id) { id } }',
    code: { anonymous: 'UNAUTHENTICATED', teacher: 'FORBIDDEN', headmaster: 'NOT_FOUND' },
  },
  {
    name: 'hireTeacher',
    existing: other.headmaster,
    document: `mutation ($id: ID!) {
      hireTeacher(headmasterId: $id, input: { firstName: "Ada", lastName: "Probe", email: "ada.probe@example.org",
        phone: "+1 555 0160", subjects: ["mathematics"] }) { id }
    }`,
    code: { anonymous: 'UNAUTHENTICATED', teacher: 'FORBIDDEN', headmaster: 'NOT_FOUND' },
  },
  {
    name: 'deleteHeadmaster',
    existing: other.headmaster,
    document: 'mutation ($id: ID!) { deleteHeadmaster(id: $id) { id } }',
    code: { anonymous: 'UNAUTHENTICATED', teacher: 'FORBIDDEN', headmaster: 'FORBIDDEN' },
  },
  {
    name: 'deleteSubject',
    existing: other.subject,
    document: 'mutation ($id: ID!) { deleteSubject(id: $id) { id } }',
    code: { anonymous: 'UNAUTHENTICATED', teacher: 'FORBIDDEN', headmaster: '' },
  },
];

/** An answer about `id` as it would read about `UNKNOWN`: the only difference allowed between the two. */
const asIfUnknown = (answer: HttpResult, id: string) => ({
  status: answer.status,
  body: JSON.parse(JSON.stringify(answer.body).replaceAll(id, UNKNOWN)),
  wwwAuthenticate: answer.headers.get('www-authenticate'),
});

describe('Access before existence, with the database up', () => {
  let sut: TestApp;
  const clients = {} as Record<Caller, TestClient>;

  beforeAll(async () => {
    sut = await startTestApp();
    for (const caller of CALLERS) clients[caller] = await sut.as(world.callers[caller]);
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('names records that exist, and an id that does not (what the comparisons below rest on)', async () => {
    for (const path of [
      `/api/teachers/${other.teacher}`,
      `/api/headmasters/${other.headmaster}`,
      `/api/subjects/${other.subject}`,
      `/api/schools/${other.school}`,
    ]) {
      expect([path, (await sut.request('GET', path)).status]).toEqual([path, 200]);
      const unknown = path.replace(/[0-9a-f]{24}$/, UNKNOWN);
      expect([unknown, (await sut.request('GET', unknown)).status]).toEqual([unknown, 404]);
    }
  });

  describe.each(REST.map((entry) => [entry.name, entry] as const))('REST %s', (_name, entry) => {
    it.each(CALLERS.filter((caller) => entry.status[caller] !== 0))(
      'answers %s the same for an existing and an unknown id',
      async (caller) => {
        const existing = entry.request(entry.existing);
        const unknown = entry.request(UNKNOWN);
        const forExisting = await clients[caller].request(existing.method, existing.path, existing.body);
        const forUnknown = await clients[caller].request(unknown.method, unknown.path, unknown.body);
        expect(forExisting.status).toBe(entry.status[caller]);
        expect(asIfUnknown(forExisting, entry.existing)).toEqual(asIfUnknown(forUnknown, UNKNOWN));
        if (forExisting.status === 404) {
          expect(forExisting.body.message).toMatch(new RegExp(`^(teacher|headmaster) ${entry.existing} not found$`));
        }
      },
    );
  });

  it('refuses another school’s subject to a headmaster (403) that anyone may read: it tells nothing new', async () => {
    const path = `/api/subjects/${other.subject}`;
    expect((await clients.anonymous.request('GET', path)).status).toBe(200);
    expect((await clients.headmaster.request('PATCH', path, { name: 'Probe' })).status).toBe(403);
    expect((await clients.headmaster.request('DELETE', path)).status).toBe(403);
    expect((await clients.headmaster.request('DELETE', `/api/subjects/${UNKNOWN}`)).status).toBe(404);
  });

  describe.each(GRAPHQL.map((entry) => [entry.name, entry] as const))('GraphQL %s', (_name, entry) => {
    it.each(CALLERS.filter((caller) => entry.code[caller] !== ''))(
      'answers %s the same for an existing and an unknown id',
      async (caller) => {
        const forExisting = await clients[caller].graphql(entry.document, { id: entry.existing });
        const forUnknown = await clients[caller].graphql(entry.document, { id: UNKNOWN });
        expect(forExisting.body.data ?? null).toBeNull();
        expect(forExisting.body.errors?.map((error) => error.extensions?.code)).toEqual([entry.code[caller]]);
        expect(asIfUnknown(forExisting, entry.existing)).toEqual(asIfUnknown(forUnknown, UNKNOWN));
      },
    );
  });

  it('still shows another school’s directory entry and subjects to anyone, and everything to admins', async () => {
    const school = await clients.anonymous.request('GET', `/api/schools/${other.school}`);
    expect(school.status).toBe(200);
    expect(school.body).not.toHaveProperty('phone');
    const teacher = await sut.graphql('query ($id: ID!) { teacher(id: $id) { id } }', { id: other.teacher });
    expect(teacher.body.errors).toBeUndefined();
    expect(teacher.body.data).toEqual({ teacher: { id: other.teacher } });
  });
});

describe('Access before existence, with the database stopped (SIGSTOP)', () => {
  /** How long the service waits on the database (per operation, and to find a server): an answer that waited on it takes about that. */
  const DATABASE_WAIT_MS = 2000;
  /** An answer decided without the database: far below the wait, with room for a loaded test machine. */
  const AT_ONCE_MS = 500;
  let database: FerretdbServer;
  let sut: TestApp;
  let anonymous: TestClient;

  beforeAll(async () => {
    database = await startFaultDatabase();
    sut = await startTestApp({
      env: {
        MONGODB_URI: database.uri,
        FALLBACK_OPERATION_TIMEOUT_MS: String(DATABASE_WAIT_MS),
        MONGODB_SERVER_SELECTION_TIMEOUT_MS: String(DATABASE_WAIT_MS),
      },
    });
    anonymous = await sut.as(world.callers.anonymous);
    expect((await sut.request('GET', `/api/teachers/${other.teacher}`)).headers.get('x-data-source')).toBe('database');
    database.pause();
  });

  afterAll(async () => {
    database?.resume();
    await sut?.close().catch(() => undefined);
    await database?.stop();
  });

  it('answers an anonymous caller 401 at once, for existing and unknown ids, REST and GraphQL', async () => {
    const rest = [
      ['GET', `/api/teachers/${other.teacher}`],
      ['GET', `/api/teachers/${UNKNOWN}`],
      ['GET', `/api/headmasters/${other.headmaster}/dashboard`],
      ['GET', `/api/headmasters/${UNKNOWN}/dashboard`],
      ['GET', `/api/headmasters/${other.headmaster}/teachers`],
      ['GET', '/api/teachers'],
      ['DELETE', `/api/teachers/${other.teacher}`],
      ['PATCH', `/api/subjects/${UNKNOWN}`],
    ];
    for (const [method, path] of rest) {
      const started = performance.now();
      const answer = await anonymous.request(method, path, method === 'PATCH' ? { name: 'Probe' } : undefined);
      const elapsed = performance.now() - started;
      expect([method, path, answer.status, answer.body.error]).toEqual([method, path, 401, 'UNAUTHENTICATED']);
      expect([path, elapsed < AT_ONCE_MS]).toEqual([path, true]);
    }
    for (const id of [other.headmaster, UNKNOWN]) {
      const started = performance.now();
      const answer = await anonymous.graphql(
        'query ($id: ID!) { headmaster(id: $id) { dashboard { teacherCount } } }',
        {
          id,
        },
      );
      expect(performance.now() - started).toBeLessThan(AT_ONCE_MS);
      expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('while a signed-in caller’s read of the same record finds the database stopped (503, degraded)', async () => {
    const answer = await sut.request('GET', `/api/teachers/${UNKNOWN}`);
    expect(answer.status).toBe(503);
    expect((await sut.request('GET', '/health')).body.mode).toBe('degraded');
  });
});
