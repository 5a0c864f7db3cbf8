/**
 * End-to-end tests of the teacher REST endpoints (`/api/teachers`) against the real service and a
 * real FerretDB server, with the deterministic demo data as the oracle: every expected result is
 * computed here from `generateDemoData()`, the exact records `seedDemoData` inserts.
 *
 * Tests that write create their own records and delete them again, so the demo data stays intact
 * for the read tests whatever the order.
 */
import { generateDemoData } from '../src/demo-data/demo-data';
import {
  expectClientError,
  expectCleanJson,
  expectRestLifecycle,
  type PageJson,
  type Query,
  RestCollection,
} from './support/crud';
import { compareValues, matchesName, teacherJson, type TeacherJson } from './support/demo-json';
import { startTestApp, type TestApp } from './support/test-app';

const demo = generateDemoData();

type ListJson = PageJson<TeacherJson>;

interface TeacherQuery {
  schoolId?: string;
  subject?: string;
  status?: string;
  q?: string;
  limit?: number;
  offset?: number;
  sort?: string;
}

type SortField = 'lastName' | 'firstName' | 'email' | 'status' | 'hiredAt' | 'createdAt' | 'updatedAt';

const UNKNOWN_ID = 'ffffffffffffffffffffffff';

/** The page the service must answer for `query`, computed from the demo data. */
function expectedPage(query: TeacherQuery): ListJson {
  const limit = query.limit ?? 20;
  const offset = query.offset ?? 0;
  const matching = demo.teachers.filter(
    (teacher) =>
      (query.schoolId === undefined || teacher.schoolId.toHexString() === query.schoolId) &&
      (query.subject === undefined || (teacher.subjects as string[]).includes(query.subject)) &&
      (query.status === undefined || teacher.status === query.status) &&
      (query.q === undefined || matchesName(teacher, query.q)),
  );
  const descending = query.sort?.startsWith('-') ?? false;
  const field = (descending ? query.sort!.slice(1) : query.sort) as SortField | undefined;
  const sorted = [...matching].sort((a, b) => {
    if (field) {
      const byField = compareValues(a[field], b[field]) * (descending ? -1 : 1);
      if (byField !== 0) return byField;
    }
    return compareValues(a._id.toHexString(), b._id.toHexString());
  });
  return { items: sorted.slice(offset, offset + limit).map(teacherJson), total: matching.length, limit, offset };
}

/** Schools ordered by their number of demo teachers, largest first. */
const schoolsBySize = demo.schools
  .map((school) => ({
    id: school._id.toHexString(),
    teachers: demo.teachers.filter((teacher) => teacher.schoolId.equals(school._id)),
  }))
  .sort((a, b) => b.teachers.length - a.teachers.length);
const bigSchool = schoolsBySize[0];
const smallSchool = schoolsBySize[schoolsBySize.length - 1];

/** The most common surname with more than one teacher, and one of its teachers' first names. */
const commonLastName = (() => {
  const counts = new Map<string, number>();
  for (const teacher of demo.teachers) counts.set(teacher.lastName, (counts.get(teacher.lastName) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || compareValues(a[0], b[0]))[0][0];
})();
const commonLastNameTeacher = demo.teachers.find((teacher) => teacher.lastName === commonLastName)!;

let sequence = 0;

/** A valid create body whose name and e-mail no demo record (nor any other test record) has. */
function newTeacherBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  return {
    firstName: 'Zebulon',
    lastName: `Testperson${sequence}`,
    email: `zebulon.testperson.${sequence}.${Date.now()}@example.org`,
    phone: '+1 555 0100',
    schoolId: smallSchool.id,
    subjects: ['mathematics', 'physics'],
    ...overrides,
  };
}

describe('Teachers REST API (e2e)', () => {
  let app: TestApp;
  let teachers: RestCollection<TeacherJson>;

  beforeAll(async () => {
    app = await startTestApp();
    teachers = new RestCollection(app, '/api/teachers');
  }, 120_000);

  afterEach(async () => {
    await teachers.removeCreated();
  });

  afterAll(async () => {
    await app?.close();
  });

  const list = (query: Query) => teachers.list(query);
  const create = (body: Record<string, unknown>) => teachers.create(body);

  async function expectPage(query: TeacherQuery): Promise<ListJson> {
    const response = await list({ ...query });
    const expected = expectedPage(query);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(expected);
    return expected;
  }

  it('creates, reads, lists, changes and deletes a teacher', async () => {
    const body = newTeacherBody();
    const { created } = await expectRestLifecycle(teachers, {
      create: body,
      listQuery: { q: String(body.lastName) },
      changes: { lastName: 'Renamed', status: 'on_leave', subjects: ['history'] },
    });
    expect(created).toMatchObject({ ...body, status: 'active' });
  });

  describe('GET /api/teachers', () => {
    it('returns the first 20 teachers by id with total, limit and offset by default', async () => {
      const expected = await expectPage({});
      expect(expected.items).toHaveLength(20);
      expect(expected.total).toBe(demo.teachers.length);
    });

    it('returns items with an id of 24 hex digits and never _id or __v', async () => {
      const response = await list({ limit: 100 });
      expect(response.status).toBe(200);
      expect(response.body.items).toHaveLength(100);
      response.body.items.forEach((teacher) => expectCleanJson(teacher));
    });

    it('filters by schoolId', async () => {
      const expected = await expectPage({ schoolId: bigSchool.id, limit: 100 });
      expect(expected.total).toBe(bigSchool.teachers.length);
      expect(expected.items.every((teacher) => teacher.schoolId === bigSchool.id)).toBe(true);
    });

    it('accepts a schoolId in upper-case hex', async () => {
      const response = await list({ schoolId: bigSchool.id.toUpperCase(), limit: 100 });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(expectedPage({ schoolId: bigSchool.id, limit: 100 }));
    });

    it('returns an empty page for a well-formed schoolId that has no teachers', async () => {
      const response = await list({ schoolId: UNKNOWN_ID });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
    });

    it('filters by subject', async () => {
      const expected = await expectPage({ subject: 'physics', limit: 100 });
      expect(expected.total).toBeGreaterThan(0);
      expect(expected.items.every((teacher) => teacher.subjects.includes('physics'))).toBe(true);
    });

    it('filters by a hyphenated subject', async () => {
      const expected = await expectPage({ subject: 'physical-education', limit: 100 });
      expect(expected.total).toBeGreaterThan(0);
    });

    it.each(['active', 'on_leave', 'left'])('filters by status %s', async (status) => {
      const expected = await expectPage({ status, limit: 100 });
      expect(expected.total).toBeGreaterThan(0);
      expect(expected.items.every((teacher) => teacher.status === status)).toBe(true);
    });

    it('searches by last name, case-insensitively', async () => {
      const expected = await expectPage({ q: commonLastName.toUpperCase(), limit: 100 });
      expect(expected.total).toBeGreaterThan(1);
      expect(expected.items.every((teacher) => teacher.lastName === commonLastName)).toBe(true);
    });

    it('searches by first name, case-insensitively', async () => {
      const firstName = commonLastNameTeacher.firstName;
      const expected = await expectPage({ q: firstName.toLowerCase(), limit: 100 });
      expect(expected.total).toBeGreaterThan(0);
    });

    it('requires every word of q to match a first or last name, in any order', async () => {
      const { firstName, lastName } = commonLastNameTeacher;
      const forwards = await expectPage({ q: `${firstName} ${lastName}`, limit: 100 });
      expect(forwards.items.map((teacher) => teacher.id)).toContain(commonLastNameTeacher._id.toHexString());
      expect(forwards.items.every((t) => t.firstName === firstName && t.lastName === lastName)).toBe(true);
      const backwards = await list({ q: `  ${lastName.toLowerCase()}   ${firstName.toUpperCase()} `, limit: 100 });
      expect(backwards.body).toEqual(forwards);
    });

    it('returns nothing when one word of q matches no name', async () => {
      const response = await list({ q: `${commonLastName} Xylophonist` });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
    });

    it('matches names with apostrophes and accents', async () => {
      for (const q of ["o'connor", 'garcía', 'Lucía']) {
        const expected = await expectPage({ q, limit: 100 });
        expect(expected.total).toBe(demo.teachers.filter((teacher) => matchesName(teacher, q)).length);
        expect(expected.total).toBeGreaterThan(0);
      }
    });

    it.each(['.', '.*', '(', '[a-z]', '\\', '$where'])('treats regex characters in q %p literally', async (q) => {
      const response = await list({ q });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
    });

    it('combines schoolId, subject and status', async () => {
      const [teacher] = bigSchool.teachers;
      const query = { schoolId: bigSchool.id, subject: teacher.subjects[0], status: teacher.status, limit: 100 };
      const expected = await expectPage(query);
      expect(expected.items.map((item) => item.id)).toContain(teacher._id.toHexString());
      expect(expected.total).toBeLessThan(bigSchool.teachers.length);
    });

    it('combines q with status and sort', async () => {
      const expected = await expectPage({ q: commonLastName, status: 'active', sort: '-hiredAt', limit: 100 });
      expect(expected.total).toBeGreaterThan(0);
    });

    it('applies limit', async () => {
      const expected = await expectPage({ limit: 7 });
      expect(expected.items).toHaveLength(7);
    });

    it('accepts the largest limit, 100', async () => {
      const expected = await expectPage({ limit: 100 });
      expect(expected.items).toHaveLength(100);
    });

    it('accepts the smallest limit, 1', async () => {
      await expectPage({ limit: 1 });
    });

    it('applies offset', async () => {
      await expectPage({ offset: 35 });
      await expectPage({ offset: 790, limit: 25 });
    });

    it('returns an empty page past the end with the full total', async () => {
      const expected = await expectPage({ offset: demo.teachers.length + 5 });
      expect(expected.items).toEqual([]);
      expect(expected.total).toBe(demo.teachers.length);
    });

    it('pages through a filtered list without gaps or repeats', async () => {
      const seen: string[] = [];
      for (let offset = 0; offset < bigSchool.teachers.length; offset += 6) {
        const page = await expectPage({ schoolId: bigSchool.id, sort: 'lastName', limit: 6, offset });
        seen.push(...page.items.map((teacher) => teacher.id));
      }
      expect(new Set(seen).size).toBe(bigSchool.teachers.length);
    });

    it.each(['lastName', '-lastName', 'firstName', 'email', '-email', 'status', '-status'])(
      'sorts by %s with the id as tie-breaker',
      async (sort) => {
        await expectPage({ sort, limit: 100 });
        await expectPage({ sort, limit: 50, offset: 400 });
      },
    );

    it.each(['hiredAt', '-hiredAt', 'createdAt', '-createdAt', 'updatedAt', '-updatedAt'])(
      'sorts by date %s',
      async (sort) => {
        const expected = await expectPage({ sort, limit: 100 });
        const times = expected.items.map((teacher) => Date.parse(teacher[sort.replace('-', '') as 'hiredAt']));
        const ordered = [...times].sort((a, b) => (sort.startsWith('-') ? b - a : a - b));
        expect(times).toEqual(ordered);
      },
    );

    it('sorts a filtered list', async () => {
      await expectPage({ schoolId: bigSchool.id, sort: '-hiredAt', limit: 10, offset: 5 });
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=', 'limit'],
      ['offset=-1', 'offset'],
      ['offset=abc', 'offset'],
      ['sort=salary', 'sort'],
      ['sort=-salary', 'sort'],
      ['sort=_id', 'sort'],
      ['sort=schoolId', 'sort'],
      ['sort=lastName,firstName', 'sort'],
      ['salary=1', 'salary'],
      ['schoolId=nothex', 'schoolId'],
      ['schoolId=ffffffffffffffffffffffffff', 'schoolId'],
      ['subject=Mathematics', 'subject'],
      ['subject=', 'subject'],
      ['status=retired', 'status'],
      ['q=', 'q'],
      [`q=${'a'.repeat(101)}`, 'q'],
    ])('returns 400 for the bad query %s', async (query, field) => {
      expectClientError(await app.request('GET', `/api/teachers?${query}`), 400, field);
    });

    it.each([
      ['schoolId[$ne]=x', /schoolId/],
      ['schoolId[$gt]=', /schoolId/],
      ['q[$regex]=.', /q/],
      ['status[$in]=active', /status/],
      ['limit[$gt]=0', /limit/],
    ])('rejects the operator injection %s with 400', async (query, field) => {
      expectClientError(await app.request('GET', `/api/teachers?${query}`), 400, field);
    });

    it('returns 400 for a repeated filter parameter', async () => {
      const response = await app.request('GET', `/api/teachers?schoolId=${bigSchool.id}&schoolId=${smallSchool.id}`);
      expectClientError(response, 400, 'schoolId');
    });
  });

  describe('GET /api/teachers/:id', () => {
    it('returns the teacher', async () => {
      for (const teacher of [demo.teachers[0], demo.teachers[399], demo.teachers[demo.teachers.length - 1]]) {
        const response = await app.request('GET', `/api/teachers/${teacher._id.toHexString()}`);
        expect(response.status).toBe(200);
        expect(response.body).toEqual(teacherJson(teacher));
        expectCleanJson(response.body);
      }
    });

    it('accepts an id in upper-case hex', async () => {
      const teacher = demo.teachers[10];
      const response = await app.request('GET', `/api/teachers/${teacher._id.toHexString().toUpperCase()}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(teacherJson(teacher));
    });

    it('returns 404 for an unknown id', async () => {
      const response = await app.request('GET', `/api/teachers/${UNKNOWN_ID}`);
      expectClientError(response, 404);
      expect(response.body.field).toBe('id');
      expect(response.body.message).toContain(UNKNOWN_ID);
    });

    it('returns 404 for the id of a school', async () => {
      const response = await app.request('GET', `/api/teachers/${demo.schools[0]._id.toHexString()}`);
      expectClientError(response, 404);
      expect(response.body.field).toBe('id');
    });

    it.each(['nothex', '123', 'zzzzzzzzzzzzzzzzzzzzzzzz', 'ffffffffffffffffffffffffff', '{"$gt":""}'])(
      'returns 400 for the malformed id %p',
      async (id) => {
        expectClientError(await app.request('GET', `/api/teachers/${encodeURIComponent(id)}`), 400, 'id');
      },
    );
  });

  describe('POST /api/teachers', () => {
    it('creates a teacher with status active and hiredAt now by default', async () => {
      const body = newTeacherBody();
      const before = Date.now();
      const response = await create(body);
      const after = Date.now();
      expect(response.status).toBe(201);
      expectCleanJson(response.body);
      expect(response.body).toMatchObject({
        firstName: body.firstName,
        lastName: body.lastName,
        email: body.email,
        phone: body.phone,
        schoolId: body.schoolId,
        subjects: body.subjects,
        status: 'active',
      });
      for (const date of [response.body.hiredAt, response.body.createdAt, response.body.updatedAt]) {
        expect(Date.parse(date)).toBeGreaterThanOrEqual(before - 1000);
        expect(Date.parse(date)).toBeLessThanOrEqual(after + 1000);
      }
    });

    it('keeps a given status and hiredAt', async () => {
      const response = await create(newTeacherBody({ status: 'on_leave', hiredAt: '2019-09-01T08:00:00.000Z' }));
      expect(response.status).toBe(201);
      expect(response.body.status).toBe('on_leave');
      expect(response.body.hiredAt).toBe('2019-09-01T08:00:00.000Z');
    });

    it('accepts a date-only hiredAt', async () => {
      const response = await create(newTeacherBody({ hiredAt: '2018-01-15' }));
      expect(response.status).toBe(201);
      expect(response.body.hiredAt).toBe('2018-01-15T00:00:00.000Z');
    });

    it('stores the e-mail in lower case', async () => {
      const body = newTeacherBody();
      const response = await create({ ...body, email: String(body.email).toUpperCase() });
      expect(response.status).toBe(201);
      expect(response.body.email).toBe(String(body.email).toLowerCase());
    });

    it('makes the new teacher appear in the filtered list', async () => {
      const response = await create(newTeacherBody({ subjects: ['drama'], status: 'left' }));
      expect(response.status).toBe(201);
      const found = await list({ schoolId: smallSchool.id, subject: 'drama', status: 'left', q: 'zebulon' });
      expect(found.status).toBe(200);
      expect(found.body.items).toEqual([response.body]);
      expect(found.body.total).toBe(1);
    });

    it.each(['firstName', 'lastName', 'email', 'phone', 'schoolId', 'subjects'])(
      'returns 400 when the required field %s is missing',
      async (field) => {
        const body = newTeacherBody();
        delete body[field];
        expectClientError(await create(body), 400, field);
      },
    );

    it.each([
      ['email', 'not-an-email'],
      ['email', 'a@b'],
      ['email', 42],
      ['phone', 'call me'],
      ['phone', '123'],
      ['phone', '+1 555 0100 0100 0100 0100'],
      ['phone', 5550100],
      ['firstName', ''],
      ['firstName', 42],
      ['firstName', ['Ada']],
      ['lastName', 'x'.repeat(101)],
      ['lastName', true],
      ['subjects', 'mathematics'],
      ['subjects', []],
      ['subjects', [1]],
      ['subjects', ['Mathematics']],
      ['subjects', ['mathematics', 'mathematics']],
      ['subjects', { 0: 'mathematics' }],
      ['subjects', ['astrology']],
      ['subjects', ['mathematics', 'astrology']],
      ['status', 'retired'],
      ['status', 1],
      ['hiredAt', 'not a date'],
      ['hiredAt', '2020-13-45'],
      ['schoolId', 'nothex'],
      ['schoolId', 12],
    ])('returns 400 naming %s for the bad value %p', async (field, value) => {
      expectClientError(await create(newTeacherBody({ [field]: value })), 400, field);
    });

    it.each(['salary', 'id', '_id', 'createdAt', '__v'])('returns 400 for the unknown field %s', async (field) => {
      expectClientError(await create(newTeacherBody({ [field]: 'x' })), 400, field);
    });

    it('returns 400 naming schoolId for a school that does not exist', async () => {
      expectClientError(await create(newTeacherBody({ schoolId: UNKNOWN_ID })), 400, 'schoolId');
    });

    it('returns 409 naming email when the e-mail is taken', async () => {
      const taken = demo.teachers[5].email;
      expectClientError(await create(newTeacherBody({ email: taken })), 409, 'email');
      expectClientError(await create(newTeacherBody({ email: taken.toUpperCase() })), 409, 'email');
    });

    it('returns 409 naming email when a new teacher reuses a just-created e-mail', async () => {
      const first = await create(newTeacherBody());
      expect(first.status).toBe(201);
      expectClientError(await create(newTeacherBody({ email: first.body.email })), 409, 'email');
    });

    it('returns 400 for an invalid JSON body', async () => {
      const response = await app.request('POST', '/api/teachers', '{"firstName": "Ada",');
      expectClientError(response, 400);
      expect(response.body.message).toMatch(/json/i);
    });

    it('returns 400 naming a required field for an empty body', async () => {
      const response = await app.request('POST', '/api/teachers', {});
      expectClientError(response, 400, /^(firstName|lastName|email|phone|schoolId|subjects)$/);
    });

    it('returns 400 for an empty JSON body', async () => {
      expectClientError(await app.request('POST', '/api/teachers', ''), 400);
    });

    it('returns 413 for a body over the size limit', async () => {
      const response = await app.request('POST', '/api/teachers', newTeacherBody({ firstName: 'x'.repeat(2_000_000) }));
      expectClientError(response, 413);
    });

    it.each([
      '{"__proto__": {"isAdmin": true}, "firstName": "Ada"}',
      '{"constructor": {"prototype": {"isAdmin": true}}, "firstName": "Ada"}',
    ])('returns 400 for the prototype-poisoning body %s', async (body) => {
      expectClientError(await app.request('POST', '/api/teachers', body), 400);
    });

    it('returns 400 for a JSON array body', async () => {
      expectClientError(await app.request('POST', '/api/teachers', [newTeacherBody()]), 400);
    });

    it('returns 400 for a body that is not JSON', async () => {
      const response = await app.request('POST', '/api/teachers', 'firstName=Ada', { 'content-type': 'text/plain' });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    });

    it.each([
      ['email', { $gt: '' }],
      ['email', { $ne: null }],
      ['schoolId', { $ne: null }],
      ['firstName', { $regex: '.' }],
      ['subjects', { $in: ['mathematics'] }],
    ])('rejects the operator injection in %s with 400 and creates nothing', async (field, value) => {
      const body = newTeacherBody({ lastName: 'Injectionattempt' });
      expectClientError(await create({ ...body, [field]: value }), 400, field);
      const found = await list({ q: 'Injectionattempt' });
      expect(found.body.total).toBe(0);
    });
  });

  describe('PATCH /api/teachers/:id', () => {
    it('moves a teacher to another school and changes hiredAt, email and phone', async () => {
      const created = await create(newTeacherBody());
      const changes = {
        schoolId: bigSchool.id,
        hiredAt: '2010-02-03T04:05:06.000Z',
        email: `Moved.${Date.now()}@Example.org`,
        phone: '(020) 7946-0000',
      };
      const response = await app.request<TeacherJson>('PATCH', `/api/teachers/${created.body.id}`, changes);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ ...changes, email: changes.email.toLowerCase() });
      const inSchool = await list({ schoolId: bigSchool.id, q: 'zebulon' });
      expect(inSchool.body.items.map((teacher) => teacher.id)).toEqual([created.body.id]);
    });

    it("returns 400 naming subjects for a code the teacher's school does not teach, and changes nothing", async () => {
      const created = await create(newTeacherBody());
      const response = await app.request('PATCH', `/api/teachers/${created.body.id}`, { subjects: ['astrology'] });
      expectClientError(response, 400, 'subjects');
      expect((await app.request('GET', `/api/teachers/${created.body.id}`)).body).toEqual(created.body);
    });

    it('accepts an empty body and changes nothing', async () => {
      const created = await create(newTeacherBody());
      const response = await app.request<TeacherJson>('PATCH', `/api/teachers/${created.body.id}`, {});
      expect(response.status).toBe(200);
      expect({ ...response.body, updatedAt: undefined }).toEqual({ ...created.body, updatedAt: undefined });
    });

    it('returns 404 for an unknown id', async () => {
      const response = await app.request('PATCH', `/api/teachers/${UNKNOWN_ID}`, { lastName: 'Nobody' });
      expectClientError(response, 404);
      expect(response.body.field).toBe('id');
      expect(response.body.message).toContain(UNKNOWN_ID);
    });

    it('returns 400 for a malformed id', async () => {
      expectClientError(await app.request('PATCH', '/api/teachers/nothex', { lastName: 'Nobody' }), 400, 'id');
    });

    it.each([
      ['email', 'not-an-email'],
      ['phone', 'call me'],
      ['firstName', ''],
      ['firstName', 42],
      ['subjects', 'history'],
      ['subjects', []],
      ['status', 'retired'],
      ['hiredAt', 'yesterday'],
      ['schoolId', 'nothex'],
      ['salary', 1],
      ['id', UNKNOWN_ID],
      ['createdAt', '2020-01-01T00:00:00.000Z'],
    ])('returns 400 naming %s for the bad value %p and changes nothing', async (field, value) => {
      const created = await create(newTeacherBody());
      const response = await app.request('PATCH', `/api/teachers/${created.body.id}`, { [field]: value });
      expectClientError(response, 400, field);
      expect((await app.request('GET', `/api/teachers/${created.body.id}`)).body).toEqual(created.body);
    });

    it.each(['firstName', 'lastName', 'email', 'phone', 'schoolId', 'subjects', 'status', 'hiredAt'])(
      'returns 400 naming %s when it is set to null, and changes nothing',
      async (field) => {
        const created = await create(newTeacherBody());
        const response = await app.request('PATCH', `/api/teachers/${created.body.id}`, { [field]: null });
        expectClientError(response, 400, field);
        expect((await app.request('GET', `/api/teachers/${created.body.id}`)).body).toEqual(created.body);
      },
    );

    it('returns 400 naming schoolId for a school that does not exist', async () => {
      const created = await create(newTeacherBody());
      const response = await app.request('PATCH', `/api/teachers/${created.body.id}`, { schoolId: UNKNOWN_ID });
      expectClientError(response, 400, 'schoolId');
    });

    it('returns 409 naming email when the e-mail belongs to another teacher', async () => {
      const created = await create(newTeacherBody());
      const taken = demo.teachers[7].email;
      const response = await app.request('PATCH', `/api/teachers/${created.body.id}`, { email: taken.toUpperCase() });
      expectClientError(response, 409, 'email');
      expect((await app.request('GET', `/api/teachers/${created.body.id}`)).body).toEqual(created.body);
    });

    it("accepts the teacher's own e-mail", async () => {
      const created = await create(newTeacherBody());
      const response = await app.request('PATCH', `/api/teachers/${created.body.id}`, { email: created.body.email });
      expect(response.status).toBe(200);
    });

    it('returns 400 for an invalid JSON body', async () => {
      const created = await create(newTeacherBody());
      const response = await app.request('PATCH', `/api/teachers/${created.body.id}`, '{lastName: Renamed}');
      expectClientError(response, 400);
      expect(response.body.message).toMatch(/json/i);
    });

    it.each([
      ['email', { $gt: '' }],
      ['lastName', { $set: 'x' }],
      ['status', { $ne: 'active' }],
    ])('rejects the operator injection in %s with 400 and changes nothing', async (field, value) => {
      const created = await create(newTeacherBody());
      const response = await app.request('PATCH', `/api/teachers/${created.body.id}`, { [field]: value });
      expectClientError(response, 400, field);
      expect((await app.request('GET', `/api/teachers/${created.body.id}`)).body).toEqual(created.body);
    });

    it('rejects update operators as top-level keys with 400', async () => {
      const created = await create(newTeacherBody());
      const response = await app.request('PATCH', `/api/teachers/${created.body.id}`, {
        $set: { lastName: 'Hacked' },
      });
      expectClientError(response, 400, '$set');
      expect((await app.request('GET', `/api/teachers/${created.body.id}`)).body).toEqual(created.body);
    });
  });

  describe('DELETE /api/teachers/:id', () => {
    it('leaves the demo teachers alone', async () => {
      const created = await create(newTeacherBody());
      await app.request('DELETE', `/api/teachers/${created.body.id}`);
      await expectPage({ limit: 1 });
    });

    it('returns 404 for an unknown id', async () => {
      const response = await app.request('DELETE', `/api/teachers/${UNKNOWN_ID}`);
      expectClientError(response, 404);
      expect(response.body.field).toBe('id');
    });

    it('returns 400 for a malformed id', async () => {
      expectClientError(await app.request('DELETE', '/api/teachers/nothex'), 400, 'id');
    });
  });
});
