/**
 * End-to-end tests of the headmaster REST endpoints (`/api/headmasters` and its sub-resources
 * school, teachers and dashboard) against the real service and a real FerretDB server, with the
 * deterministic demo data as the oracle: every expected result is computed here from
 * `generateDemoData()`, the exact records `seedDemoData` inserts.
 *
 * Tests that write create their own records and delete them again, so the demo data stays intact
 * for the read tests whatever the order.
 */
import {
  generateDemoData,
  headmasterOf,
  type HeadmasterSeed,
  type SchoolSeed,
  type TeacherSeed,
} from '../src/demo-data/demo-data';
import {
  expectClientError,
  expectCleanJson,
  expectNotFound,
  expectRestLifecycle,
  type PageJson,
  queryString,
  RestCollection,
} from './support/crud';
import { compareValues, matchesName, teacherJson, type TeacherJson } from './support/demo-json';
import { startTestApp, type HttpResult, type TestApp } from './support/test-app';

const demo = generateDemoData();

interface HeadmasterJson {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  schoolId: string;
  appointedAt: string;
  createdAt: string;
  updatedAt: string;
}

type ListJson<T> = PageJson<T>;

interface DashboardJson {
  school: Record<string, unknown>;
  teacherCount: number;
  teachersBySubject: { subject: string; count: number }[];
  teachersByStatus: { status: string; count: number }[];
}

interface PageQuery {
  limit?: number;
  offset?: number;
  sort?: string;
}

interface HeadmasterQuery extends PageQuery {
  schoolId?: string;
}

interface SchoolTeacherQuery extends PageQuery {
  subject?: string;
  status?: string;
  q?: string;
}

const UNKNOWN_ID = 'ffffffffffffffffffffffff';

function headmasterJson(headmaster: HeadmasterSeed): HeadmasterJson {
  return {
    id: headmaster._id.toHexString(),
    firstName: headmaster.firstName,
    lastName: headmaster.lastName,
    email: headmaster.email,
    phone: headmaster.phone,
    schoolId: headmaster.schoolId.toHexString(),
    appointedAt: headmaster.appointedAt.toISOString(),
    createdAt: headmaster.createdAt.toISOString(),
    updatedAt: headmaster.updatedAt.toISOString(),
  };
}

function schoolJson(school: SchoolSeed): Record<string, unknown> {
  return {
    id: school._id.toHexString(),
    name: school.name,
    code: school.code,
    type: school.type,
    address: { ...school.address },
    phone: school.phone,
    email: school.email,
    headmasterId: headmasterOf(demo, school)._id.toHexString(),
    createdAt: school.createdAt.toISOString(),
    updatedAt: school.updatedAt.toISOString(),
  };
}

/** Sorts like the service: by the `sort` field (a leading - descends), then by id ascending. */
function sortRecords<T extends { _id: { toHexString(): string } }>(records: T[], sort: string | undefined): T[] {
  const descending = sort?.startsWith('-') ?? false;
  const field = (descending ? sort!.slice(1) : sort) as keyof T | undefined;
  return [...records].sort((a, b) => {
    if (field) {
      const byField = compareValues(a[field] as string | Date, b[field] as string | Date) * (descending ? -1 : 1);
      if (byField !== 0) return byField;
    }
    return compareValues(a._id.toHexString(), b._id.toHexString());
  });
}

function pageOf<T, J>(records: T[], query: PageQuery, toJson: (record: T) => J): ListJson<J> {
  const limit = query.limit ?? 20;
  const offset = query.offset ?? 0;
  return { items: records.slice(offset, offset + limit).map(toJson), total: records.length, limit, offset };
}

function expectedHeadmasters(query: HeadmasterQuery): ListJson<HeadmasterJson> {
  const matching = demo.headmasters.filter(
    (headmaster) => query.schoolId === undefined || headmaster.schoolId.toHexString() === query.schoolId,
  );
  return pageOf(sortRecords(matching, query.sort), query, headmasterJson);
}

function teachersOfSchool(schoolId: string): TeacherSeed[] {
  return demo.teachers.filter((teacher) => teacher.schoolId.toHexString() === schoolId);
}

function expectedSchoolTeachers(headmaster: HeadmasterSeed, query: SchoolTeacherQuery): ListJson<TeacherJson> {
  const matching = teachersOfSchool(headmaster.schoolId.toHexString()).filter(
    (teacher) =>
      (query.subject === undefined || (teacher.subjects as string[]).includes(query.subject)) &&
      (query.status === undefined || teacher.status === query.status) &&
      (query.q === undefined || matchesName(teacher, query.q)),
  );
  return pageOf(sortRecords(matching, query.sort), query, teacherJson);
}

function countsBy(values: string[]): { value: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || compareValues(a.value, b.value));
}

/** The dashboard of a headmaster, from the demo data plus any extra teachers hired into the school. */
function expectedDashboard(
  headmaster: HeadmasterSeed,
  extraTeachers: { subjects: string[]; status: string }[] = [],
): DashboardJson {
  const school = demo.schools.find((candidate) => candidate._id.equals(headmaster.schoolId))!;
  const teachers: { subjects: string[]; status: string }[] = [
    ...teachersOfSchool(school._id.toHexString()),
    ...extraTeachers,
  ];
  return {
    school: schoolJson(school),
    teacherCount: teachers.length,
    teachersBySubject: countsBy(teachers.flatMap((teacher) => teacher.subjects)).map(({ value, count }) => ({
      subject: value,
      count,
    })),
    teachersByStatus: countsBy(teachers.map((teacher) => teacher.status)).map(({ value, count }) => ({
      status: value,
      count,
    })),
  };
}

/** The headmaster of the school with the most demo teachers, and of the one with the fewest. */
const headmastersBySchoolSize = [...demo.headmasters].sort(
  (a, b) =>
    teachersOfSchool(b.schoolId.toHexString()).length - teachersOfSchool(a.schoolId.toHexString()).length ||
    compareValues(a._id.toHexString(), b._id.toHexString()),
);
const bigHeadmaster = headmastersBySchoolSize[0];
const smallHeadmaster = headmastersBySchoolSize[headmastersBySchoolSize.length - 1];
/** Used only by the write tests, so read tests of the other headmasters never see their records. */
const hiringHeadmaster = headmastersBySchoolSize[1];
/** Schools of the write tests' own, without a headmaster (one per school): created before the tests. */
let spareSchoolId: string;
let otherSpareSchoolId: string;

function newSchoolBody(code: string): Record<string, unknown> {
  return {
    name: `Headtester School ${code}`,
    code,
    type: 'primary',
    address: { street: '1 Head Lane', city: 'Headtown', region: 'Test Region', postalCode: 'H1 1HT' },
    phone: '+1 555 0170',
    email: `office.${code.toLowerCase()}@school.example.org`,
  };
}

let sequence = 0;

function uniqueEmail(prefix: string): string {
  sequence += 1;
  return `${prefix}.${sequence}.${Date.now()}@example.org`;
}

/** A valid headmaster create body whose name and e-mail no demo record has. */
function newHeadmasterBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    firstName: 'Quintessa',
    lastName: 'Headtester',
    email: uniqueEmail('quintessa.headtester'),
    phone: '+1 555 0199',
    schoolId: spareSchoolId,
    ...overrides,
  };
}

/** A valid hire body (no schoolId: the school is the headmaster's) whose name no demo teacher has. */
function newHireBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    firstName: 'Zebulon',
    lastName: 'Hiretester',
    email: uniqueEmail('zebulon.hiretester'),
    phone: '+1 555 0142',
    subjects: ['drama', 'mathematics'],
    ...overrides,
  };
}

describe('Headmasters REST API (e2e)', () => {
  let app: TestApp;
  let headmasters: RestCollection<HeadmasterJson>;
  let teachers: RestCollection<TeacherJson>;

  beforeAll(async () => {
    app = await startTestApp();
    headmasters = new RestCollection(app, '/api/headmasters');
    teachers = new RestCollection(app, '/api/teachers');
    spareSchoolId = (await app.request('POST', '/api/schools', newSchoolBody('HMT-001'))).body.id;
    otherSpareSchoolId = (await app.request('POST', '/api/schools', newSchoolBody('HMT-002'))).body.id;
  }, 120_000);

  afterEach(async () => {
    await headmasters.removeCreated();
    await teachers.removeCreated();
  });

  afterAll(async () => {
    await app?.close();
  });

  const createHeadmaster = (body: Record<string, unknown>) => headmasters.create(body);

  async function hire(headmasterId: string, body: Record<string, unknown>): Promise<HttpResult<TeacherJson>> {
    const response = await app.request<TeacherJson>('POST', `/api/headmasters/${headmasterId}/teachers`, body);
    if (response.status === 201) teachers.remember(response.body.id);
    return response;
  }

  async function expectHeadmasterPage(query: HeadmasterQuery): Promise<ListJson<HeadmasterJson>> {
    const response = await app.request('GET', `/api/headmasters${queryString({ ...query })}`);
    const expected = expectedHeadmasters(query);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(expected);
    return expected;
  }

  async function expectTeacherPage(
    headmaster: HeadmasterSeed,
    query: SchoolTeacherQuery,
  ): Promise<ListJson<TeacherJson>> {
    const path = `/api/headmasters/${headmaster._id.toHexString()}/teachers${queryString({ ...query })}`;
    const response = await app.request('GET', path);
    const expected = expectedSchoolTeachers(headmaster, query);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(expected);
    return expected;
  }

  it('creates, reads, lists, changes and deletes a headmaster', async () => {
    const body = newHeadmasterBody();
    const { created } = await expectRestLifecycle(headmasters, {
      create: body,
      listQuery: { schoolId: String(body.schoolId) },
      changes: { lastName: 'Renamed', phone: '(020) 7946-0999', appointedAt: '2012-12-12T12:12:12.000Z' },
    });
    expect(created).toMatchObject(body);
  });

  describe('GET /api/headmasters', () => {
    it('returns the first 20 headmasters by id with total, limit and offset by default', async () => {
      const expected = await expectHeadmasterPage({});
      expect(expected.items).toHaveLength(20);
      expect(expected.total).toBe(demo.headmasters.length);
    });

    it('returns items with an id of 24 hex digits and never _id or __v', async () => {
      const response = await app.request<ListJson<HeadmasterJson>>('GET', '/api/headmasters?limit=100');
      expect(response.status).toBe(200);
      expect(response.body.items).toHaveLength(demo.headmasters.length);
      response.body.items.forEach((item) => expectCleanJson(item));
    });

    it('filters by schoolId', async () => {
      for (const headmaster of [bigHeadmaster, smallHeadmaster]) {
        const expected = await expectHeadmasterPage({ schoolId: headmaster.schoolId.toHexString() });
        expect(expected.items.map((item) => item.id)).toEqual([headmaster._id.toHexString()]);
      }
    });

    it('returns an empty page for a well-formed schoolId without a headmaster', async () => {
      const response = await app.request('GET', `/api/headmasters?schoolId=${UNKNOWN_ID}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
    });

    it('applies limit and offset', async () => {
      await expectHeadmasterPage({ limit: 7, offset: 3 });
      await expectHeadmasterPage({ limit: 1 });
      await expectHeadmasterPage({ limit: 100 });
      await expectHeadmasterPage({ offset: 35 });
    });

    it('returns an empty page past the end with the full total', async () => {
      const expected = await expectHeadmasterPage({ offset: 1000 });
      expect(expected.items).toEqual([]);
    });

    it.each([
      'lastName',
      '-lastName',
      'firstName',
      '-firstName',
      'email',
      '-email',
      'appointedAt',
      '-appointedAt',
      'createdAt',
      '-createdAt',
      'updatedAt',
      '-updatedAt',
    ])('sorts by %s with the id as tie-breaker', async (sort) => {
      await expectHeadmasterPage({ sort, limit: 100 });
      await expectHeadmasterPage({ sort, limit: 9, offset: 11 });
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['offset=-1', 'offset'],
      ['sort=salary', 'sort'],
      ['sort=status', 'sort'],
      ['sort=hiredAt', 'sort'],
      ['sort=_id', 'sort'],
      ['salary=1', 'salary'],
      ['q=smith', 'q'],
      ['schoolId=nothex', 'schoolId'],
    ])('returns 400 for the bad query %s', async (query, field) => {
      expectClientError(await app.request('GET', `/api/headmasters?${query}`), 400, field);
    });

    it.each([
      ['schoolId[$ne]=x', /schoolId/],
      ['schoolId[$exists]=true', /schoolId/],
    ])('rejects the operator injection %s with 400', async (query, field) => {
      expectClientError(await app.request('GET', `/api/headmasters?${query}`), 400, field);
    });
  });

  describe('GET /api/headmasters/:id', () => {
    it('returns the headmaster', async () => {
      for (const headmaster of [demo.headmasters[0], bigHeadmaster, demo.headmasters[demo.headmasters.length - 1]]) {
        const response = await app.request('GET', `/api/headmasters/${headmaster._id.toHexString()}`);
        expect(response.status).toBe(200);
        expect(response.body).toEqual(headmasterJson(headmaster));
        expectCleanJson(response.body);
      }
    });

    it('returns 404 for an unknown id', async () => {
      expectNotFound(await app.request('GET', `/api/headmasters/${UNKNOWN_ID}`), UNKNOWN_ID);
    });

    it('returns 404 for the id of a teacher', async () => {
      const id = demo.teachers[0]._id.toHexString();
      expectNotFound(await app.request('GET', `/api/headmasters/${id}`), id);
    });

    it.each(['nothex', '123', 'zzzzzzzzzzzzzzzzzzzzzzzz', 'ffffffffffffffffffffffffff'])(
      'returns 400 for the malformed id %p',
      async (id) => {
        expectClientError(await app.request('GET', `/api/headmasters/${id}`), 400, 'id');
      },
    );
  });

  describe('POST /api/headmasters', () => {
    it('creates a headmaster with appointedAt now by default', async () => {
      const body = newHeadmasterBody();
      const before = Date.now();
      const response = await createHeadmaster(body);
      const after = Date.now();
      expect(response.status).toBe(201);
      expectCleanJson(response.body);
      expect(response.body).toMatchObject({
        firstName: body.firstName,
        lastName: body.lastName,
        email: body.email,
        phone: body.phone,
        schoolId: body.schoolId,
      });
      for (const date of [response.body.appointedAt, response.body.createdAt, response.body.updatedAt]) {
        expect(Date.parse(date)).toBeGreaterThanOrEqual(before - 1000);
        expect(Date.parse(date)).toBeLessThanOrEqual(after + 1000);
      }
    });

    it('keeps a given appointedAt and stores the e-mail in lower case', async () => {
      const body = newHeadmasterBody({ appointedAt: '2015-04-01T09:30:00.000Z' });
      const response = await createHeadmaster({ ...body, email: String(body.email).toUpperCase() });
      expect(response.status).toBe(201);
      expect(response.body.appointedAt).toBe('2015-04-01T09:30:00.000Z');
      expect(response.body.email).toBe(String(body.email).toLowerCase());
    });

    it.each(['firstName', 'lastName', 'email', 'phone', 'schoolId'])(
      'returns 400 when the required field %s is missing',
      async (field) => {
        const body = newHeadmasterBody();
        delete body[field];
        expectClientError(await createHeadmaster(body), 400, field);
      },
    );

    it.each([
      ['email', 'not-an-email'],
      ['email', 42],
      ['phone', 'call me'],
      ['phone', 5550199],
      ['firstName', ''],
      ['firstName', 42],
      ['lastName', ['Headtester']],
      ['schoolId', 'nothex'],
      ['schoolId', 7],
      ['appointedAt', 'not a date'],
      ['appointedAt', '2020-02-30T25:00:00Z'],
    ])('returns 400 naming %s for the bad value %p', async (field, value) => {
      expectClientError(await createHeadmaster(newHeadmasterBody({ [field]: value })), 400, field);
    });

    it.each(['salary', 'id', '_id', 'updatedAt', 'subjects'])('returns 400 for the unknown field %s', async (field) => {
      expectClientError(await createHeadmaster(newHeadmasterBody({ [field]: 'x' })), 400, field);
    });

    it('returns 400 naming schoolId for a school that does not exist', async () => {
      expectClientError(await createHeadmaster(newHeadmasterBody({ schoolId: UNKNOWN_ID })), 400, 'schoolId');
    });

    it('returns 409 naming email when the e-mail is taken', async () => {
      const taken = demo.headmasters[3].email;
      expectClientError(await createHeadmaster(newHeadmasterBody({ email: taken })), 409, 'email');
      expectClientError(await createHeadmaster(newHeadmasterBody({ email: taken.toUpperCase() })), 409, 'email');
    });

    it('returns 400 for an invalid JSON body', async () => {
      const response = await app.request('POST', '/api/headmasters', '{"firstName": ');
      expectClientError(response, 400);
      expect(response.body.message).toMatch(/json/i);
    });

    it.each([
      ['email', { $gt: '' }],
      ['schoolId', { $ne: null }],
      ['lastName', { $regex: '.' }],
    ])('rejects the operator injection in %s with 400 and creates nothing', async (field, value) => {
      expectClientError(await createHeadmaster(newHeadmasterBody({ [field]: value })), 400, field);
      const bySchool = await app.request('GET', `/api/headmasters?schoolId=${spareSchoolId}`);
      expect(bySchool.body.total).toBe(0);
    });
  });

  describe('PATCH /api/headmasters/:id', () => {
    it('changes only the given fields', async () => {
      const created = await createHeadmaster(newHeadmasterBody());
      const changes = {
        lastName: 'Renamed',
        phone: '(020) 7946-0999',
        appointedAt: '2012-12-12T12:12:12.000Z',
        schoolId: otherSpareSchoolId,
      };
      const response = await app.request<HeadmasterJson>('PATCH', `/api/headmasters/${created.body.id}`, changes);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ...created.body, ...changes, updatedAt: response.body.updatedAt });
      expect((await app.request('GET', `/api/headmasters/${created.body.id}`)).body).toEqual(response.body);
      const school = await app.request('GET', `/api/headmasters/${created.body.id}/school`);
      expect(school.body.id).toBe(changes.schoolId);
    });

    it('returns 404 for an unknown id', async () => {
      expectNotFound(await app.request('PATCH', `/api/headmasters/${UNKNOWN_ID}`, { lastName: 'Nobody' }), UNKNOWN_ID);
    });

    it('returns 400 for a malformed id', async () => {
      expectClientError(await app.request('PATCH', '/api/headmasters/nothex', { lastName: 'Nobody' }), 400, 'id');
    });

    it.each([
      ['email', 'not-an-email'],
      ['phone', 'call me'],
      ['firstName', ''],
      ['lastName', 7],
      ['schoolId', 'nothex'],
      ['appointedAt', 'tomorrow'],
      ['salary', 1],
      ['email', { $gt: '' }],
      ['firstName', null],
      ['lastName', null],
      ['email', null],
      ['phone', null],
      ['schoolId', null],
      ['appointedAt', null],
    ])('returns 400 naming %s for the value %p and changes nothing', async (field, value) => {
      const created = await createHeadmaster(newHeadmasterBody());
      const response = await app.request('PATCH', `/api/headmasters/${created.body.id}`, { [field]: value });
      expectClientError(response, 400, field);
      expect((await app.request('GET', `/api/headmasters/${created.body.id}`)).body).toEqual(created.body);
    });

    it('returns 400 naming schoolId for a school that does not exist', async () => {
      const created = await createHeadmaster(newHeadmasterBody());
      const response = await app.request('PATCH', `/api/headmasters/${created.body.id}`, { schoolId: UNKNOWN_ID });
      expectClientError(response, 400, 'schoolId');
    });

    it('returns 409 naming email when the e-mail belongs to another headmaster', async () => {
      const created = await createHeadmaster(newHeadmasterBody());
      const taken = demo.headmasters[4].email;
      const response = await app.request('PATCH', `/api/headmasters/${created.body.id}`, { email: taken });
      expectClientError(response, 409, 'email');
      expect((await app.request('GET', `/api/headmasters/${created.body.id}`)).body).toEqual(created.body);
    });

    it('returns 400 for an invalid JSON body', async () => {
      const created = await createHeadmaster(newHeadmasterBody());
      const response = await app.request('PATCH', `/api/headmasters/${created.body.id}`, '{"lastName": "x"');
      expectClientError(response, 400);
      expect(response.body.message).toMatch(/json/i);
    });
  });

  describe("a school's headmaster", () => {
    const headmasterIdOf = async (schoolId: string): Promise<unknown> => {
      const response = await app.request('GET', `/api/schools/${schoolId}`);
      expect(response.status).toBe(200);
      return response.body.headmasterId;
    };
    const overGraphql = async (schoolId: string) =>
      (await app.graphql(`{ school(id: "${schoolId}") { headmasterId headmaster { id } } }`)).body.data?.school;

    it('is who is appointed to it, at once: POST heads it, PATCH moves them on, DELETE leaves it without', async () => {
      expect(await headmasterIdOf(spareSchoolId)).toBeUndefined();
      const created = await createHeadmaster(newHeadmasterBody());
      expect(created.status).toBe(201);
      const id = created.body.id;
      expect(await headmasterIdOf(spareSchoolId)).toBe(id);
      expect(await overGraphql(spareSchoolId)).toEqual({ headmasterId: id, headmaster: { id } });

      const moved = await app.request('PATCH', `/api/headmasters/${id}`, { schoolId: otherSpareSchoolId });
      expect(moved.status).toBe(200);
      expect(await headmasterIdOf(spareSchoolId)).toBeUndefined();
      expect(await overGraphql(spareSchoolId)).toEqual({ headmasterId: null, headmaster: null });
      expect(await headmasterIdOf(otherSpareSchoolId)).toBe(id);
      expect(await overGraphql(otherSpareSchoolId)).toEqual({ headmasterId: id, headmaster: { id } });
      const listed = await app.request('GET', '/api/schools?city=Headtown&sort=code');
      expect(listed.body.items.map((school: { headmasterId?: string }) => school.headmasterId)).toEqual([
        undefined,
        id,
      ]);

      expect((await headmasters.delete(id)).status).toBe(204);
      expect(await headmasterIdOf(otherSpareSchoolId)).toBeUndefined();
      expect(await overGraphql(otherSpareSchoolId)).toEqual({ headmasterId: null, headmaster: null });
    });

    it('is one: a second headmaster for a school is 409 naming schoolId, created or moved there', async () => {
      const demoSchoolId = smallHeadmaster.schoolId.toHexString();
      expectClientError(await createHeadmaster(newHeadmasterBody({ schoolId: demoSchoolId })), 409, 'schoolId');
      await expectHeadmasterPage({ schoolId: demoSchoolId });

      const created = await createHeadmaster(newHeadmasterBody());
      const moved = await app.request('PATCH', `/api/headmasters/${created.body.id}`, { schoolId: demoSchoolId });
      expectClientError(moved, 409, 'schoolId');
      expect((await app.request('GET', `/api/headmasters/${created.body.id}`)).body).toEqual(created.body);
      expect(await headmasterIdOf(demoSchoolId)).toBe(smallHeadmaster._id.toHexString());
      expect(await headmasterIdOf(spareSchoolId)).toBe(created.body.id);
    });
  });

  describe('DELETE /api/headmasters/:id', () => {
    it('takes the sub-resources with the headmaster (404), and leaves the school and its other records', async () => {
      const created = await createHeadmaster(newHeadmasterBody());
      const id = created.body.id;
      expect((await headmasters.delete(id)).status).toBe(204);
      expectNotFound(await app.request('GET', `/api/headmasters/${id}/school`), id);
      expectNotFound(await app.request('GET', `/api/headmasters/${id}/teachers`), id);
      expectNotFound(await app.request('GET', `/api/headmasters/${id}/dashboard`), id);
      expectNotFound(await hire(id, newHireBody()), id);
      await expectHeadmasterPage({ schoolId: spareSchoolId });
    });

    it('returns 404 for an unknown id', async () => {
      expectNotFound(await app.request('DELETE', `/api/headmasters/${UNKNOWN_ID}`), UNKNOWN_ID);
    });

    it('returns 400 for a malformed id', async () => {
      expectClientError(await app.request('DELETE', '/api/headmasters/nothex'), 400, 'id');
    });
  });

  describe('GET /api/headmasters/:id/school', () => {
    it("returns the headmaster's school", async () => {
      for (const headmaster of [demo.headmasters[0], bigHeadmaster, smallHeadmaster]) {
        const response = await app.request('GET', `/api/headmasters/${headmaster._id.toHexString()}/school`);
        const school = demo.schools.find((candidate) => candidate._id.equals(headmaster.schoolId))!;
        expect(response.status).toBe(200);
        expect(response.body).toEqual(schoolJson(school));
        expect(response.body.headmasterId).toBe(headmaster._id.toHexString());
        expectCleanJson(response.body);
      }
    });

    it('returns 404 for an unknown id', async () => {
      expectNotFound(await app.request('GET', `/api/headmasters/${UNKNOWN_ID}/school`), UNKNOWN_ID);
    });

    it('returns 400 for a malformed id', async () => {
      expectClientError(await app.request('GET', '/api/headmasters/nothex/school'), 400, 'id');
    });
  });

  describe('GET /api/headmasters/:id/teachers', () => {
    it("returns the first 20 teachers of the headmaster's school by id", async () => {
      const expected = await expectTeacherPage(bigHeadmaster, {});
      expect(expected.items).toHaveLength(20);
      expect(expected.total).toBe(teachersOfSchool(bigHeadmaster.schoolId.toHexString()).length);
    });

    it("returns all teachers of the headmaster's school and no others", async () => {
      for (const headmaster of [bigHeadmaster, smallHeadmaster, demo.headmasters[0]]) {
        const expected = await expectTeacherPage(headmaster, { limit: 100 });
        expect(expected.items.every((teacher) => teacher.schoolId === headmaster.schoolId.toHexString())).toBe(true);
        expected.items.forEach((item) => expectCleanJson(item));
      }
    });

    it('filters by subject', async () => {
      const subject = teachersOfSchool(bigHeadmaster.schoolId.toHexString())[0].subjects[0];
      const expected = await expectTeacherPage(bigHeadmaster, { subject, limit: 100 });
      expect(expected.total).toBeGreaterThan(0);
    });

    it.each(['active', 'on_leave', 'left'])('filters by status %s', async (status) => {
      await expectTeacherPage(bigHeadmaster, { status, limit: 100 });
    });

    it('searches names with q', async () => {
      const [teacher] = teachersOfSchool(bigHeadmaster.schoolId.toHexString());
      const byLast = await expectTeacherPage(bigHeadmaster, { q: teacher.lastName.toUpperCase() });
      expect(byLast.items.map((item) => item.id)).toContain(teacher._id.toHexString());
      const byBoth = await expectTeacherPage(bigHeadmaster, { q: `${teacher.lastName} ${teacher.firstName}` });
      expect(byBoth.items.map((item) => item.id)).toContain(teacher._id.toHexString());
      await expectTeacherPage(bigHeadmaster, { q: '.*' });
    });

    it('combines filters, sort and paging', async () => {
      await expectTeacherPage(bigHeadmaster, { status: 'active', sort: '-hiredAt', limit: 5, offset: 2 });
      await expectTeacherPage(bigHeadmaster, { sort: 'lastName', limit: 10, offset: 10 });
      await expectTeacherPage(bigHeadmaster, { sort: '-email', offset: 1000 });
    });

    it.each(['lastName', '-firstName', 'email', 'status', '-hiredAt', 'createdAt', '-updatedAt'])(
      'sorts by %s',
      async (sort) => {
        await expectTeacherPage(bigHeadmaster, { sort, limit: 100 });
      },
    );

    it('returns 404 for an unknown id', async () => {
      expectNotFound(await app.request('GET', `/api/headmasters/${UNKNOWN_ID}/teachers`), UNKNOWN_ID);
    });

    it('returns 400 for a malformed id', async () => {
      expectClientError(await app.request('GET', '/api/headmasters/nothex/teachers'), 400, 'id');
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['offset=-1', 'offset'],
      ['sort=salary', 'sort'],
      ['sort=appointedAt', 'sort'],
      ['salary=1', 'salary'],
      ['schoolId=nothex', 'schoolId'],
      [`schoolId=${UNKNOWN_ID}`, 'schoolId'],
      ['subject=Art', 'subject'],
      ['status=retired', 'status'],
      ['q=', 'q'],
    ])('returns 400 for the bad query %s', async (query, field) => {
      const path = `/api/headmasters/${bigHeadmaster._id.toHexString()}/teachers?${query}`;
      expectClientError(await app.request('GET', path), 400, field);
    });

    it.each([
      ['q[$regex]=.', /q/],
      ['status[$ne]=left', /status/],
      ['schoolId[$ne]=x', /schoolId/],
    ])('rejects the operator injection %s with 400', async (query, field) => {
      const path = `/api/headmasters/${bigHeadmaster._id.toHexString()}/teachers?${query}`;
      expectClientError(await app.request('GET', path), 400, field);
    });
  });

  describe('POST /api/headmasters/:id/teachers', () => {
    it("hires a teacher into the headmaster's school, listed and counted there", async () => {
      const headmasterId = hiringHeadmaster._id.toHexString();
      const schoolId = hiringHeadmaster.schoolId.toHexString();
      const body = newHireBody({ subjects: ['drama', 'art'] });
      const before = Date.now();
      const response = await hire(headmasterId, body);
      expect(response.status).toBe(201);
      expectCleanJson(response.body);
      expect(response.body).toMatchObject({ ...body, schoolId, status: 'active' });
      expect(Date.parse(response.body.hiredAt)).toBeGreaterThanOrEqual(before - 1000);

      const teacher = await app.request('GET', `/api/teachers/${response.body.id}`);
      expect(teacher.body).toEqual(response.body);

      const listed = await app.request<ListJson<TeacherJson>>(
        'GET',
        `/api/headmasters/${headmasterId}/teachers?q=hiretester`,
      );
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({ items: [response.body], total: 1, limit: 20, offset: 0 });

      const all = await app.request<ListJson<TeacherJson>>(
        'GET',
        `/api/headmasters/${headmasterId}/teachers?limit=100`,
      );
      expect(all.body.total).toBe(teachersOfSchool(schoolId).length + 1);

      const dashboard = await app.request('GET', `/api/headmasters/${headmasterId}/dashboard`);
      expect(dashboard.status).toBe(200);
      expect(dashboard.body).toEqual(
        expectedDashboard(hiringHeadmaster, [{ subjects: ['drama', 'art'], status: 'active' }]),
      );
    });

    it('keeps a given status and hiredAt, reflected in the dashboard', async () => {
      const headmasterId = hiringHeadmaster._id.toHexString();
      const hired = [
        { subjects: ['music'], status: 'left', hiredAt: '2001-01-01T00:00:00.000Z' },
        { subjects: ['music', 'french'], status: 'on_leave', hiredAt: '2002-02-02T00:00:00.000Z' },
      ];
      for (const extra of hired) {
        const response = await hire(headmasterId, newHireBody(extra));
        expect(response.status).toBe(201);
        expect(response.body).toMatchObject(extra);
      }
      const dashboard = await app.request('GET', `/api/headmasters/${headmasterId}/dashboard`);
      expect(dashboard.body).toEqual(expectedDashboard(hiringHeadmaster, hired));
    });

    it('is undone by deleting the teacher', async () => {
      const headmasterId = hiringHeadmaster._id.toHexString();
      const response = await hire(headmasterId, newHireBody());
      expect(response.status).toBe(201);
      expect((await app.request('DELETE', `/api/teachers/${response.body.id}`)).status).toBe(204);
      const dashboard = await app.request('GET', `/api/headmasters/${headmasterId}/dashboard`);
      expect(dashboard.body).toEqual(expectedDashboard(hiringHeadmaster));
      await expectTeacherPage(hiringHeadmaster, { limit: 100 });
    });

    it('returns 400 naming schoolId when the body names a school', async () => {
      const body = newHireBody({ schoolId: spareSchoolId });
      expectClientError(await hire(hiringHeadmaster._id.toHexString(), body), 400, 'schoolId');
    });

    it.each(['firstName', 'lastName', 'email', 'phone', 'subjects'])(
      'returns 400 when the required field %s is missing',
      async (field) => {
        const body = newHireBody();
        delete body[field];
        expectClientError(await hire(hiringHeadmaster._id.toHexString(), body), 400, field);
      },
    );

    it.each([
      ['email', 'not-an-email'],
      ['phone', 'call me'],
      ['subjects', 'drama'],
      ['subjects', []],
      ['subjects', ['Drama']],
      ['status', 'retired'],
      ['hiredAt', 'not a date'],
      ['firstName', 3],
      ['salary', 1],
      ['email', { $gt: '' }],
    ])('returns 400 naming %s for the bad value %p', async (field, value) => {
      expectClientError(await hire(hiringHeadmaster._id.toHexString(), newHireBody({ [field]: value })), 400, field);
    });

    it('returns 409 naming email when the e-mail is taken', async () => {
      const taken = demo.teachers[0].email;
      expectClientError(await hire(hiringHeadmaster._id.toHexString(), newHireBody({ email: taken })), 409, 'email');
    });

    it('returns 400 for an invalid JSON body', async () => {
      const response = await app.request(
        'POST',
        `/api/headmasters/${hiringHeadmaster._id.toHexString()}/teachers`,
        '{"firstName"',
      );
      expectClientError(response, 400);
      expect(response.body.message).toMatch(/json/i);
    });

    it('returns 404 for an unknown id', async () => {
      expectNotFound(await hire(UNKNOWN_ID, newHireBody()), UNKNOWN_ID);
    });

    it('returns 400 for a malformed id', async () => {
      expectClientError(await hire('nothex', newHireBody()), 400, 'id');
    });
  });

  describe('GET /api/headmasters/:id/dashboard', () => {
    it('returns the school with teacher counts by subject and status computed from the demo data', async () => {
      for (const headmaster of [bigHeadmaster, smallHeadmaster, ...demo.headmasters.slice(0, 5)]) {
        const response = await app.request('GET', `/api/headmasters/${headmaster._id.toHexString()}/dashboard`);
        const expected = expectedDashboard(headmaster);
        expect(response.status).toBe(200);
        expect(response.body).toEqual(expected);
        expect(expected.teacherCount).toBe(teachersOfSchool(headmaster.schoolId.toHexString()).length);
      }
    });

    it('has counts that add up', async () => {
      const response = await app.request<DashboardJson>(
        'GET',
        `/api/headmasters/${bigHeadmaster._id.toHexString()}/dashboard`,
      );
      const teachers = teachersOfSchool(bigHeadmaster.schoolId.toHexString());
      const statusSum = response.body.teachersByStatus.reduce((sum, row) => sum + row.count, 0);
      const subjectSum = response.body.teachersBySubject.reduce((sum, row) => sum + row.count, 0);
      expect(statusSum).toBe(response.body.teacherCount);
      expect(subjectSum).toBe(teachers.reduce((sum, teacher) => sum + teacher.subjects.length, 0));
    });

    it('returns 404 for an unknown id', async () => {
      expectNotFound(await app.request('GET', `/api/headmasters/${UNKNOWN_ID}/dashboard`), UNKNOWN_ID);
    });

    it('returns 400 for a malformed id', async () => {
      expectClientError(await app.request('GET', '/api/headmasters/nothex/dashboard'), 400, 'id');
    });
  });
});
