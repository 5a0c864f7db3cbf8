import { Types } from 'mongoose';
import type { FerretdbServer } from '../src/database/ferretdb-server';
import { expectClientError } from './support/crud';
import { startFaultDatabase, waitUntil } from './support/fault-database';
import { backupWorld, demoWorld, readFixture } from './support/school-world';
import { startTestApp, type HttpResult, type TestApp } from './support/test-app';

// Jest does not apply a project's testTimeout to its tests; the outage tests wait for a replay.
jest.setTimeout(30_000);

/**
 * References hold: in normal mode (an unknown reference is a 400 naming the field, a record others refer to is not
 * deleted), and at replay (a write accepted during an outage is checked again against the database, and one that
 * breaks a rule is marked failed, never applied). A school's headmaster is the headmaster whose schoolId names it.
 */

const world = demoWorld();
const { own } = world;
/** A school of the backup data, which the database (seeded with the demo data) does not hold, and a subject of it. */
const backup = backupWorld().own;
const backupOnlySchool = backup.school;
const backupSubject = readFixture('subject/persistence/fixtures/subjects.json').find(
  (subject: { _id: Types.ObjectId }) => subject._id.toHexString() === backup.subject,
).code as string;

const SETTINGS = {
  FALLBACK_OPERATION_TIMEOUT_MS: '1000',
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
};

const person = (name: string) => ({
  firstName: name,
  lastName: 'Reference',
  email: `${name.toLowerCase()}.reference@example.org`,
  phone: '+1 555 0150',
});

const newSchool = (code: string) => ({
  name: `School ${code}`,
  code,
  type: 'primary',
  address: { street: '1 High Street', city: 'Leeds', region: 'Yorkshire', postalCode: 'LS1 1AA' },
  phone: '+1 555 0151',
  email: `office.${code.toLowerCase()}@example.org`,
});

function expectConflict(answer: HttpResult, mentions: RegExp): void {
  expect(answer.status).toBe(409);
  expect(answer.body.message).toMatch(mentions);
}

describe('References between records', () => {
  let database: FerretdbServer;
  let sut: TestApp;

  beforeAll(async () => {
    database = await startFaultDatabase();
    sut = await startTestApp({ env: { MONGODB_URI: database.uri, ...SETTINGS } });
  });

  afterAll(async () => {
    database?.resume();
    await sut?.close().catch(() => undefined);
    await database?.stop();
  });

  describe('a headmaster is their school’s headmaster at once', () => {
    let schoolId: string;
    let headmasterId: string;

    beforeAll(async () => {
      const created = await sut.request('POST', '/api/schools', newSchool('REF-001'));
      expect(created.status).toBe(201);
      schoolId = created.body.id;
    });

    const headOf = async () => ({
      rest: (await sut.request('GET', `/api/schools/${schoolId}`)).body.headmasterId,
      graphql: (await sut.graphql(`{ school(id: "${schoolId}") { headmasterId headmaster { id } } }`)).body.data
        ?.school,
    });

    it('over REST and GraphQL, from the moment they are appointed', async () => {
      expect(await headOf()).toEqual({ rest: undefined, graphql: { headmasterId: null, headmaster: null } });
      const appointed = await sut.request('POST', '/api/headmasters', { ...person('Appointed'), schoolId });
      expect(appointed.status).toBe(201);
      headmasterId = appointed.body.id;
      expect(await headOf()).toEqual({
        rest: headmasterId,
        graphql: { headmasterId, headmaster: { id: headmasterId } },
      });
      // The dashboard shows the same school with the same headmaster.
      const dashboard = await sut.request('GET', `/api/headmasters/${headmasterId}/dashboard`);
      expect(dashboard.body.school).toMatchObject({ id: schoolId, headmasterId });
    });

    it('one per school: a second headmaster for it is a 409 naming schoolId', async () => {
      const second = await sut.request('POST', '/api/headmasters', { ...person('Second'), schoolId });
      expectClientError(second, 409, 'schoolId');
      const moved = await sut.request('PATCH', `/api/headmasters/${headmasterId}`, { schoolId: own.school });
      expectClientError(moved, 409, 'schoolId');
    });

    it('a school write cannot name its headmaster: that is the headmaster’s schoolId', async () => {
      const named = await sut.request('PATCH', `/api/schools/${schoolId}`, { headmasterId });
      expectClientError(named, 400, /headmasterId/);
      const graphql = await sut.graphql(
        `mutation { updateSchool(id: "${schoolId}", input: { headmasterId: null }) { id } }`,
      );
      expect(graphql.body.errors?.[0].message).toMatch(/headmasterId/);
    });

    it('a school keeps its headmaster until the headmaster leaves; then it has none, and may be deleted', async () => {
      expectConflict(await sut.request('DELETE', `/api/schools/${schoolId}`), /1 headmaster \(schoolId\)/);
      expect((await sut.request('DELETE', `/api/headmasters/${headmasterId}`)).status).toBe(204);
      expect(await headOf()).toEqual({ rest: undefined, graphql: { headmasterId: null, headmaster: null } });
      expect((await sut.request('DELETE', `/api/schools/${schoolId}`)).status).toBe(204);
    });
  });

  describe('an unknown reference is a 400 naming the field', () => {
    const nowhere = new Types.ObjectId().toHexString();

    it.each([
      ['POST /api/headmasters', 'POST', '/api/headmasters', { ...person('Nowhere'), schoolId: nowhere }, 'schoolId'],
      [
        'POST /api/teachers',
        'POST',
        '/api/teachers',
        { ...person('Lost'), schoolId: nowhere, subjects: ['art'] },
        'schoolId',
      ],
      [
        'POST /api/teachers with a subject the school does not teach',
        'POST',
        '/api/teachers',
        { ...person('Astronomer'), schoolId: own.school, subjects: ['astronomy'] },
        'subjects',
      ],
      ['PATCH /api/teachers/:id', 'PATCH', `/api/teachers/${own.teacher}`, { schoolId: nowhere }, 'schoolId'],
      [
        'POST /api/subjects',
        'POST',
        '/api/subjects',
        { name: 'Nowhere', code: 'nowhere', schoolId: nowhere },
        'schoolId',
      ],
    ])('%s', async (_case, method, path, body, field) => {
      const answer = await sut.request(method, path, body);
      expectClientError(answer, 400, field);
      expect(answer.body.message).toMatch(
        field === 'subjects' ? /astronomy is not a subject of school/ : /not a known school/,
      );
    });

    it('over GraphQL too, with the field in the error', async () => {
      const result = await sut.graphql(
        `mutation ($input: CreateTeacherInput!) { createTeacher(input: $input) { id } }`,
        { input: { ...person('Graphql'), schoolId: nowhere, subjects: ['art'] } },
      );
      expect(result.body.errors?.[0]).toMatchObject({
        message: `schoolId ${nowhere} is not a known school`,
        extensions: { code: 'BAD_USER_INPUT', field: 'schoolId' },
      });
    });
  });

  describe('dependents protect what they depend on', () => {
    it('a school with teachers, a headmaster and subjects is not deleted (409 naming them), over REST and GraphQL', async () => {
      const refused = await sut.request('DELETE', `/api/schools/${own.school}`);
      expectConflict(refused, /teachers \(schoolId\).*headmaster \(schoolId\)|headmaster \(schoolId\).*teachers/);
      expect(refused.body.message).toMatch(/subjects \(schoolId\)/);
      const graphql = await sut.graphql(`mutation { deleteSchool(id: "${own.school}") { id } }`);
      expect(graphql.body.errors?.[0].extensions?.code).toBe('CONFLICT');
      expect((await sut.request('GET', `/api/schools/${own.school}`)).status).toBe(200);
    });

    it('a subject teachers teach is neither deleted nor recoded', async () => {
      const subject = (await sut.request('GET', `/api/subjects/${own.subject}`)).body;
      const teaching = await sut.request('GET', `/api/teachers?schoolId=${own.school}&subject=${subject.code}&limit=1`);
      expect(teaching.body.total).toBeGreaterThan(0);
      expectConflict(await sut.request('DELETE', `/api/subjects/${own.subject}`), /teachers? \(subjects\)/);
      const recoded = await sut.request('PATCH', `/api/subjects/${own.subject}`, { code: 'renamed-code' });
      expectClientError(recoded, 409, 'code');
      expect((await sut.request('PATCH', `/api/subjects/${own.subject}`, { name: 'Renamed' })).status).toBe(200);
    });
  });

  describe('at replay, after a real outage (SIGSTOP)', () => {
    const hire = { ...person('Backuphire'), schoolId: backupOnlySchool, subjects: [backupSubject] };
    let hiredId: string;
    let quietSchool: string;

    beforeAll(async () => {
      // A school without dependents in the database... whose dependents the service has not read: it will be known
      // in the outage (it was read), its teachers not.
      quietSchool = world.other.school;
      expect((await sut.request('GET', `/api/schools/${quietSchool}`)).status).toBe(200);
      database.pause();
    });

    afterAll(() => database.resume());

    it('accepts, during the outage, writes the outage view cannot refute', async () => {
      const hired = await sut.request('POST', '/api/teachers', hire);
      expect(hired.status).toBe(202);
      hiredId = hired.body.id;
      const deleted = await sut.request('DELETE', `/api/schools/${quietSchool}`);
      expect(deleted.status).toBe(202);
    });

    it('fails them at replay with the rule and the field, applies neither, and lists them', async () => {
      database.resume();
      let failed: HttpResult = await sut.request('GET', '/api/admin/fallback/journal');
      await waitUntil(
        async () => (failed = await sut.request('GET', '/api/admin/fallback/journal')).body.entries.length >= 2,
        15_000,
        'the replay to fail both entries',
      );
      const byOperation = new Map(failed.body.entries.map((entry: any) => [entry.operation, entry]));
      expect(byOperation.get('insert')).toMatchObject({
        collection: 'teachers',
        documentId: hiredId,
        status: 'failed',
        error: `BAD_USER_INPUT (schoolId): schoolId ${backupOnlySchool} is not a known school`,
      });
      expect(byOperation.get('delete')).toMatchObject({
        collection: 'schools',
        documentId: quietSchool,
        status: 'failed',
        error: expect.stringMatching(/^CONFLICT \(id\): school .* is referred to by \d+ teachers \(schoolId\)/),
      });

      // Nothing orphaned: no such teacher in the database, the school still there.
      const teachers = sut.connection.db!.collection('teachers');
      expect(await teachers.findOne({ _id: new Types.ObjectId(hiredId) })).toBeNull();
      expect((await sut.request('GET', `/api/teachers/${hiredId}`)).status).toBe(404);
      const school = await sut.request('GET', `/api/schools/${quietSchool}`);
      expect(school.status).toBe(200);
      expect(school.headers.get('x-data-source')).toBe('database');

      const metrics = await sut.request('GET', '/metrics');
      expect(metrics.body).toMatch(/fallback_journal_replayed_total\{outcome="failed"\} 2/);
    });
  });
});
