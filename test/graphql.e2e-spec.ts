/**
 * Every GraphQL operation end to end: real HTTP against the whole service, backed by a real
 * FerretDB server and seeded with the deterministic demo data. Expected results are computed from
 * `generateDemoData()` (the exact records the seed inserts), never hard-coded.
 */
import type { Types } from 'mongoose';
import {
  generateDemoData,
  headmasterOf,
  type HeadmasterSeed,
  type SchoolSeed,
  type TeacherSeed,
} from '../src/demo-data/demo-data';
import { startTestApp, type TestApp } from './support/test-app';

// ---------------------------------------------------------------------------------------------
// The oracle: the demo data, and how the API must present and order it
// ---------------------------------------------------------------------------------------------

const demo = generateDemoData();
const hex = (id: Types.ObjectId): string => id.toHexString();

type Comparable = string | number | Date;

function compare(a: Comparable, b: Comparable): number {
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Orders like the service: by `field` (a leading "-" descends), ties broken by ascending _id; no field: by _id. */
function sorted<T extends { _id: Types.ObjectId }>(records: readonly T[], sort?: string): T[] {
  const descending = sort?.startsWith('-') ?? false;
  const path = sort?.replace(/^-/, '').split('.') ?? [];
  const valueOf = (record: T): Comparable =>
    path.reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], record) as Comparable;
  return [...records].sort((a, b) => {
    const byField = path.length ? compare(valueOf(a), valueOf(b)) * (descending ? -1 : 1) : 0;
    return byField || compare(hex(a._id), hex(b._id));
  });
}

/** The page `{ items, total }` the API must answer for the matching records. */
function page<T extends { _id: Types.ObjectId }, V>(
  matching: readonly T[],
  view: (record: T) => V,
  { limit = 20, offset = 0, sort }: { limit?: number; offset?: number; sort?: string } = {},
) {
  return {
    total: matching.length,
    items: sorted(matching, sort)
      .slice(offset, offset + limit)
      .map(view),
  };
}

const SCHOOL_FIELDS =
  'id name code type address { street city region postalCode } phone email headmasterId createdAt updatedAt';
const HEADMASTER_FIELDS = 'id firstName lastName email phone schoolId appointedAt createdAt updatedAt';
const TEACHER_FIELDS = 'id firstName lastName email phone schoolId subjects status hiredAt createdAt updatedAt';

function schoolView(school: SchoolSeed) {
  return {
    id: hex(school._id),
    name: school.name,
    code: school.code,
    type: school.type,
    address: { ...school.address },
    phone: school.phone,
    email: school.email,
    headmasterId: hex(headmasterOf(demo, school)._id),
    createdAt: school.createdAt.toISOString(),
    updatedAt: school.updatedAt.toISOString(),
  };
}

function headmasterView(headmaster: HeadmasterSeed) {
  return {
    id: hex(headmaster._id),
    firstName: headmaster.firstName,
    lastName: headmaster.lastName,
    email: headmaster.email,
    phone: headmaster.phone,
    schoolId: hex(headmaster.schoolId),
    appointedAt: headmaster.appointedAt.toISOString(),
    createdAt: headmaster.createdAt.toISOString(),
    updatedAt: headmaster.updatedAt.toISOString(),
  };
}

function teacherView(teacher: TeacherSeed) {
  return {
    id: hex(teacher._id),
    firstName: teacher.firstName,
    lastName: teacher.lastName,
    email: teacher.email,
    phone: teacher.phone,
    schoolId: hex(teacher.schoolId),
    subjects: [...teacher.subjects],
    status: teacher.status,
    hiredAt: teacher.hiredAt.toISOString(),
    createdAt: teacher.createdAt.toISOString(),
    updatedAt: teacher.updatedAt.toISOString(),
  };
}

const idView = (record: { _id: Types.ObjectId }) => ({ id: hex(record._id) });

interface TeacherFilter {
  schoolId?: string;
  subject?: string;
  status?: string;
  q?: string;
}

/** The teachers a filter must select: every `q` word is a case-insensitive substring of the first or last name. */
function teachersMatching(filter: TeacherFilter): TeacherSeed[] {
  const words = filter.q?.trim().toLowerCase().split(/\s+/).filter(Boolean) ?? [];
  return demo.teachers.filter(
    (teacher) =>
      (filter.schoolId === undefined || hex(teacher.schoolId) === filter.schoolId.toLowerCase()) &&
      (filter.subject === undefined || (teacher.subjects as string[]).includes(filter.subject)) &&
      (filter.status === undefined || teacher.status === filter.status) &&
      words.every(
        (word) => teacher.firstName.toLowerCase().includes(word) || teacher.lastName.toLowerCase().includes(word),
      ),
  );
}

/** Counts per key, ordered by count descending then key ascending (the dashboard's order). */
function countsBy(values: readonly string[]): [key: string, count: number][] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort(([keyA, a], [keyB, b]) => b - a || compare(keyA, keyB));
}

function teachersOfSchool(schoolId: string): TeacherSeed[] {
  return demo.teachers.filter((teacher) => hex(teacher.schoolId) === schoolId);
}

const schoolById = new Map(demo.schools.map((school) => [hex(school._id), school]));
const headmasterById = new Map(demo.headmasters.map((headmaster) => [hex(headmaster._id), headmaster]));

/** A well-formed id that no record has. */
const UNKNOWN_ID = 'ffffffffffffffffffffffff';

// ---------------------------------------------------------------------------------------------
// Talking to the service
// ---------------------------------------------------------------------------------------------

interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/** GraphQL answers are compared by value with the oracle, so their shape is left open. */

type GraphqlData = any;

interface GraphqlBody {
  data?: GraphqlData;
  errors?: GraphqlError[];
}

let sut: TestApp;

async function run(query: string, variables?: Record<string, unknown>) {
  const response = await sut.graphql(query, variables);
  return { status: response.status, body: response.body };
}

/** Runs an operation that must succeed and returns its data. */
async function data(query: string, variables?: Record<string, unknown>): Promise<GraphqlData> {
  const { status, body } = await run(query, variables);
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return body.data;
}

/**
 * Asserts the answer is a client error with `code` (and `field`, when given): never an internal error,
 * never internals such as a stack trace in the extensions.
 */
function expectClientError(body: GraphqlBody, code: string, field?: string): GraphqlError {
  expect(body.errors?.length).toBeGreaterThan(0);
  for (const error of body.errors!) {
    expect(error.message).not.toMatch(/internal server error/i);
    expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(Object.keys(error.extensions ?? {}).sort()).toEqual(expect.arrayContaining(['code']));
    expect(error.extensions).not.toHaveProperty('stacktrace');
    expect(error.extensions).not.toHaveProperty('exception');
  }
  const [first] = body.errors!;
  expect(first.extensions?.code).toBe(code);
  if (field !== undefined) expect(first.extensions?.field).toBe(field);
  return first;
}

/** Runs an operation that must fail with a client error and returns that error. */
async function failure(query: string, variables: Record<string, unknown> | undefined, code: string, field?: string) {
  const { body } = await run(query, variables);
  return expectClientError(body, code, field);
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

const SCHOOL = `query ($id: ID!) { school(id: $id) { ${SCHOOL_FIELDS} } }`;
const SCHOOLS = `query ($filter: SchoolFilter, $limit: Int! = 20, $offset: Int! = 0, $sort: String) {
  schools(filter: $filter, limit: $limit, offset: $offset, sort: $sort) { total items { ${SCHOOL_FIELDS} } }
}`;
const HEADMASTER = `query ($id: ID!) { headmaster(id: $id) { ${HEADMASTER_FIELDS} } }`;
const HEADMASTERS = `query ($filter: HeadmasterFilter, $limit: Int! = 20, $offset: Int! = 0, $sort: String) {
  headmasters(filter: $filter, limit: $limit, offset: $offset, sort: $sort) { total items { ${HEADMASTER_FIELDS} } }
}`;
const TEACHER = `query ($id: ID!) { teacher(id: $id) { ${TEACHER_FIELDS} } }`;
const TEACHERS = `query ($filter: TeacherFilter, $limit: Int! = 20, $offset: Int! = 0, $sort: String) {
  teachers(filter: $filter, limit: $limit, offset: $offset, sort: $sort) { total items { ${TEACHER_FIELDS} } }
}`;
const TEACHER_IDS = `query ($filter: TeacherFilter, $limit: Int! = 20, $offset: Int! = 0, $sort: String) {
  teachers(filter: $filter, limit: $limit, offset: $offset, sort: $sort) { total items { id } }
}`;

const SCHOOL_RELATIONS = `query ($id: ID!, $filter: SchoolTeacherFilter, $limit: Int! = 20, $offset: Int! = 0, $sort: String) {
  school(id: $id) {
    id
    headmaster { ${HEADMASTER_FIELDS} }
    teacherCount
    teachers(filter: $filter, limit: $limit, offset: $offset, sort: $sort) { total items { ${TEACHER_FIELDS} } }
  }
}`;
const HEADMASTER_RELATIONS = `query ($id: ID!, $filter: SchoolTeacherFilter, $limit: Int! = 20, $offset: Int! = 0, $sort: String) {
  headmaster(id: $id) {
    id
    school { ${SCHOOL_FIELDS} }
    teachers(filter: $filter, limit: $limit, offset: $offset, sort: $sort) { total items { id } }
  }
}`;
const DASHBOARD = `query ($id: ID!) {
  headmaster(id: $id) {
    dashboard {
      school { id name }
      teacherCount
      teachersBySubject { subject count }
      teachersByStatus { status count }
    }
  }
}`;

const CREATE_SCHOOL = `mutation ($input: CreateSchoolInput!) { createSchool(input: $input) { ${SCHOOL_FIELDS} } }`;
const UPDATE_SCHOOL = `mutation ($id: ID!, $input: UpdateSchoolInput!) { updateSchool(id: $id, input: $input) { ${SCHOOL_FIELDS} } }`;
const DELETE_SCHOOL = `mutation ($id: ID!) { deleteSchool(id: $id) { ${SCHOOL_FIELDS} } }`;
const CREATE_HEADMASTER = `mutation ($input: CreateHeadmasterInput!) { createHeadmaster(input: $input) { ${HEADMASTER_FIELDS} } }`;
const UPDATE_HEADMASTER = `mutation ($id: ID!, $input: UpdateHeadmasterInput!) {
  updateHeadmaster(id: $id, input: $input) { ${HEADMASTER_FIELDS} }
}`;
const DELETE_HEADMASTER = `mutation ($id: ID!) { deleteHeadmaster(id: $id) { ${HEADMASTER_FIELDS} } }`;
const CREATE_TEACHER = `mutation ($input: CreateTeacherInput!) { createTeacher(input: $input) { ${TEACHER_FIELDS} } }`;
const UPDATE_TEACHER = `mutation ($id: ID!, $input: UpdateTeacherInput!) { updateTeacher(id: $id, input: $input) { ${TEACHER_FIELDS} } }`;
const DELETE_TEACHER = `mutation ($id: ID!) { deleteTeacher(id: $id) { ${TEACHER_FIELDS} } }`;
const HIRE_TEACHER = `mutation ($headmasterId: ID!, $input: HireTeacherInput!) {
  hireTeacher(headmasterId: $headmasterId, input: $input) { ${TEACHER_FIELDS} school { id } }
}`;

// A few fixed picks from the demo data, used throughout.
const [firstSchool] = demo.schools;
const biggestSchool = [...demo.schools].sort(
  (a, b) => teachersOfSchool(hex(b._id)).length - teachersOfSchool(hex(a._id)).length,
)[0];
const onLeaveTeacher = demo.teachers.find((teacher) => teacher.status === 'on_leave')!;
/** The school the mutation tests try to delete (refused: others refer to it); the other mutation tests stay clear of it. */
const refusedSchool = demo.schools[8];
const outsideRefusedSchool = demo.teachers.filter((teacher) => !teacher.schoolId.equals(refusedSchool._id));
const multiSubjectTeacher = outsideRefusedSchool.find((teacher) => teacher.subjects.length > 1)!;

// =============================================================================================
// Reads: the seeded database is never changed in this block
// =============================================================================================

describe('GraphQL reads (demo data)', () => {
  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut?.close();
  });

  describe('school / schools', () => {
    it.each([0, 17, demo.schools.length - 1].map((index) => [index] as const))(
      'school(id) returns demo school #%i with every field',
      async (index) => {
        const school = demo.schools[index];
        expect(await data(SCHOOL, { id: hex(school._id) })).toEqual({ school: schoolView(school) });
      },
    );

    it('accepts an id in upper case', async () => {
      expect(await data(SCHOOL, { id: hex(firstSchool._id).toUpperCase() })).toEqual({
        school: schoolView(firstSchool),
      });
    });

    it('schools without arguments: the first 20 by id, and the total', async () => {
      expect(await data(SCHOOLS)).toEqual({ schools: page(demo.schools, schoolView) });
    });

    it.each([
      { limit: 1 },
      { limit: 7, offset: 5 },
      { limit: 100 },
      { limit: 10, offset: demo.schools.length - 3 },
      { limit: 10, offset: demo.schools.length + 10 },
    ])('schools pages with %j', async (paging) => {
      expect(await data(SCHOOLS, paging)).toEqual({ schools: page(demo.schools, schoolView, paging) });
    });

    it.each([
      'name',
      '-name',
      'code',
      '-code',
      'type',
      '-type',
      'address.city',
      '-address.city',
      'createdAt',
      '-updatedAt',
    ])('schools sorted by %s', async (sort) => {
      expect(await data(SCHOOLS, { sort, limit: 100 })).toEqual({
        schools: page(demo.schools, schoolView, { sort, limit: 100 }),
      });
    });

    const cities = [...new Set(demo.schools.map((school) => school.address.city))];
    const types = [...new Set(demo.schools.map((school) => school.type))];
    const cityAndType = demo.schools[3];
    it.each<{ city?: string; type?: string }>([
      ...cities.map((city) => ({ city })),
      ...types.map((type) => ({ type })),
      { city: cityAndType.address.city, type: cityAndType.type },
      { city: 'Atlantis' },
      {},
    ])('schools filtered by %j', async (filter) => {
      const matching = demo.schools.filter(
        (school) =>
          (filter.city === undefined || school.address.city === filter.city) &&
          (filter.type === undefined || school.type === filter.type),
      );
      expect(await data(SCHOOLS, { filter, limit: 100 })).toEqual({
        schools: page(matching, schoolView, { limit: 100 }),
      });
    });

    it('combines filter, sort and paging', async () => {
      const filter = { type: 'primary' };
      const matching = demo.schools.filter((school) => school.type === 'primary');
      const args = { sort: '-name', limit: 3, offset: 2 };
      expect(await data(SCHOOLS, { filter, ...args })).toEqual({ schools: page(matching, schoolView, args) });
    });
  });

  describe('headmaster / headmasters', () => {
    it.each([0, 21, demo.headmasters.length - 1].map((index) => [index] as const))(
      'headmaster(id) returns demo headmaster #%i',
      async (index) => {
        const headmaster = demo.headmasters[index];
        expect(await data(HEADMASTER, { id: hex(headmaster._id) })).toEqual({
          headmaster: headmasterView(headmaster),
        });
      },
    );

    it.each([{}, { limit: 100 }, { limit: 5, offset: 36 }, { limit: 4, offset: 100 }])(
      'headmasters pages with %j',
      async (paging) => {
        expect(await data(HEADMASTERS, paging)).toEqual({
          headmasters: page(demo.headmasters, headmasterView, paging),
        });
      },
    );

    it.each(['lastName', '-lastName', 'firstName', 'email', '-appointedAt', 'createdAt', 'updatedAt'])(
      'headmasters sorted by %s',
      async (sort) => {
        expect(await data(HEADMASTERS, { sort, limit: 100 })).toEqual({
          headmasters: page(demo.headmasters, headmasterView, { sort, limit: 100 }),
        });
      },
    );

    it.each([demo.schools[0], demo.schools[30]].map((school) => [school.name, hex(school._id)]))(
      'headmasters filtered by the school %s',
      async (_name, schoolId) => {
        const matching = demo.headmasters.filter((headmaster) => hex(headmaster.schoolId) === schoolId);
        expect(matching).toHaveLength(1);
        expect(await data(HEADMASTERS, { filter: { schoolId } })).toEqual({
          headmasters: page(matching, headmasterView),
        });
      },
    );

    it('headmasters of an unknown school: an empty page', async () => {
      expect(await data(HEADMASTERS, { filter: { schoolId: UNKNOWN_ID } })).toEqual({
        headmasters: { total: 0, items: [] },
      });
    });
  });

  describe('teacher / teachers', () => {
    it.each([0, 399, demo.teachers.length - 1].map((index) => [index] as const))(
      'teacher(id) returns demo teacher #%i',
      async (index) => {
        const teacher = demo.teachers[index];
        expect(await data(TEACHER, { id: hex(teacher._id) })).toEqual({ teacher: teacherView(teacher) });
      },
    );

    it('teachers without arguments: the first 20 of all demo teachers by id', async () => {
      expect(await data(TEACHERS)).toEqual({ teachers: page(demo.teachers, teacherView) });
    });

    it.each([
      { limit: 100, offset: 0 },
      { limit: 100, offset: 700 },
      { limit: 13, offset: 789 },
    ])('teachers pages with %j', async (paging) => {
      expect(await data(TEACHERS, paging)).toEqual({ teachers: page(demo.teachers, teacherView, paging) });
    });

    it.each(['lastName', '-lastName', 'firstName', 'email', '-email', 'status', '-hiredAt', 'createdAt', '-updatedAt'])(
      'teachers sorted by %s',
      async (sort) => {
        for (const offset of [0, 400, 750]) {
          const args = { sort, limit: 100, offset };
          expect(await data(TEACHER_IDS, args)).toEqual({ teachers: page(demo.teachers, idView, args) });
        }
      },
    );

    const [teacherA, teacherB] = [demo.teachers[10], demo.teachers[500]];
    const filters: TeacherFilter[] = [
      { schoolId: hex(biggestSchool._id) },
      { schoolId: hex(firstSchool._id).toUpperCase() },
      { schoolId: UNKNOWN_ID },
      { subject: 'mathematics' },
      { subject: multiSubjectTeacher.subjects[1] },
      { subject: 'underwater-basket-weaving' },
      { status: 'active' },
      { status: 'on_leave' },
      { status: 'left' },
      { q: teacherA.lastName },
      { q: teacherA.firstName.toUpperCase() },
      { q: `${teacherB.firstName} ${teacherB.lastName}` },
      { q: `  ${teacherB.lastName.slice(0, 3).toLowerCase()}   ${teacherB.firstName.slice(1, 4)} ` },
      { q: 'an' },
      { q: "O'Connor" },
      { q: '.*' },
      { q: '(' },
      { q: 'zzzzzz' },
      { schoolId: hex(biggestSchool._id), subject: 'english', status: 'active' },
      { schoolId: hex(biggestSchool._id), q: 'a' },
      { subject: 'physics', status: 'on_leave', q: 'e' },
    ];
    it.each(filters.map((filter) => [JSON.stringify(filter), filter] as const))(
      'teachers filtered by %s',
      async (_label, filter) => {
        const matching = teachersMatching(filter);
        expect(await data(TEACHERS, { filter, limit: 100 })).toEqual({
          teachers: page(matching, teacherView, { limit: 100 }),
        });
      },
    );

    it('the filters select what they must (the oracle is not vacuous)', () => {
      expect(teachersMatching({ q: '.*' })).toHaveLength(0);
      expect(teachersMatching({ q: "O'Connor" }).length).toBeGreaterThan(0);
      expect(teachersMatching({ status: 'on_leave' }).length).toBeGreaterThan(0);
      expect(teachersMatching({ q: `${teacherB.firstName} ${teacherB.lastName}` }).length).toBeGreaterThan(0);
    });

    it('teachers combine a filter with sort and paging', async () => {
      const filter = { subject: 'english' };
      const args = { sort: '-hiredAt', limit: 5, offset: 3 };
      expect(await data(TEACHERS, { filter, ...args })).toEqual({
        teachers: page(teachersMatching(filter), teacherView, args),
      });
    });
  });

  describe('relations', () => {
    it('School.headmaster, School.teacherCount and School.teachers', async () => {
      const schoolId = hex(biggestSchool._id);
      const headmaster = headmasterById.get(hex(headmasterOf(demo, biggestSchool)._id))!;
      const staff = teachersOfSchool(schoolId);
      expect(await data(SCHOOL_RELATIONS, { id: schoolId })).toEqual({
        school: {
          id: schoolId,
          headmaster: headmasterView(headmaster),
          teacherCount: staff.length,
          teachers: page(staff, teacherView),
        },
      });
    });

    it.each([
      { filter: { subject: 'mathematics' } },
      { filter: { status: 'active' }, limit: 5, offset: 5 },
      { filter: { q: 'a' }, sort: 'lastName', limit: 100 },
      { filter: { subject: 'english', status: 'active', q: 'e' } },
      { sort: '-hiredAt', limit: 3, offset: 1 },
      { offset: 1000 },
    ])('School.teachers with %j', async (args) => {
      const schoolId = hex(biggestSchool._id);
      const matching = teachersMatching({ ...args.filter, schoolId });
      const result = await data(SCHOOL_RELATIONS, { id: schoolId, ...args });
      expect(result.school.teachers).toEqual(page(matching, teacherView, args));
    });

    it('School.teacherCount and School.headmaster for every school in one query', async () => {
      const result = await data(
        `{ schools(limit: 100) { total items { id teacherCount headmaster { id schoolId } } } }`,
      );
      expect(result.schools).toEqual(
        page(
          demo.schools,
          (school) => ({
            id: hex(school._id),
            teacherCount: teachersOfSchool(hex(school._id)).length,
            headmaster: { id: hex(headmasterOf(demo, school)._id), schoolId: hex(school._id) },
          }),
          { limit: 100 },
        ),
      );
      const teacherCounts = result.schools.items.map((school: { teacherCount: number }) => school.teacherCount);
      expect(teacherCounts.reduce((sum: number, count: number) => sum + count, 0)).toBe(demo.teachers.length);
    });

    it('Teacher.school for a page of teachers', async () => {
      const result = await data(`{ teachers(limit: 100, offset: 350) { items { id school { ${SCHOOL_FIELDS} } } } }`);
      expect(result.teachers.items).toEqual(
        sorted(demo.teachers)
          .slice(350, 450)
          .map((teacher) => ({ id: hex(teacher._id), school: schoolView(schoolById.get(hex(teacher.schoolId))!) })),
      );
    });

    it('Headmaster.school and Headmaster.teachers', async () => {
      const headmaster = headmasterById.get(hex(headmasterOf(demo, biggestSchool)._id))!;
      const schoolId = hex(headmaster.schoolId);
      for (const args of [
        {},
        { filter: { status: 'active' }, sort: 'lastName', limit: 100 },
        { limit: 4, offset: 4 },
      ]) {
        const matching = teachersMatching({ ...(args as { filter?: TeacherFilter }).filter, schoolId });
        expect(await data(HEADMASTER_RELATIONS, { id: hex(headmaster._id), ...args })).toEqual({
          headmaster: {
            id: hex(headmaster._id),
            school: schoolView(schoolById.get(schoolId)!),
            teachers: page(matching, idView, args),
          },
        });
      }
    });

    it('Headmaster.school for every headmaster', async () => {
      const result = await data(`{ headmasters(limit: 100) { items { id school { id headmasterId } } } }`);
      expect(result.headmasters.items).toEqual(
        sorted(demo.headmasters).map((headmaster) => ({
          id: hex(headmaster._id),
          school: { id: hex(headmaster.schoolId), headmasterId: hex(headmaster._id) },
        })),
      );
    });

    it.each([biggestSchool, firstSchool, demo.schools[25]].map((school) => [school.name, school] as const))(
      'Headmaster.dashboard of the head of %s',
      async (_name, school) => {
        const staff = teachersOfSchool(hex(school._id));
        expect(await data(DASHBOARD, { id: hex(headmasterOf(demo, school)._id) })).toEqual({
          headmaster: {
            dashboard: {
              school: { id: hex(school._id), name: school.name },
              teacherCount: staff.length,
              teachersBySubject: countsBy(staff.flatMap((teacher) => teacher.subjects)).map(([subject, count]) => ({
                subject,
                count,
              })),
              teachersByStatus: countsBy(staff.map((teacher) => teacher.status)).map(([status, count]) => ({
                status,
                count,
              })),
            },
          },
        });
      },
    );

    it('a deep query across every relation', async () => {
      const teacher = demo.teachers[123];
      const school = schoolById.get(hex(teacher.schoolId))!;
      const result = await data(
        `query ($id: ID!) {
          teacher(id: $id) {
            id
            school { id headmaster { id school { id teacherCount } teachers(limit: 1) { total } } }
          }
        }`,
        { id: hex(teacher._id) },
      );
      expect(result).toEqual({
        teacher: {
          id: hex(teacher._id),
          school: {
            id: hex(school._id),
            headmaster: {
              id: hex(headmasterOf(demo, school)._id),
              school: { id: hex(school._id), teacherCount: teachersOfSchool(hex(school._id)).length },
              teachers: { total: teachersOfSchool(hex(school._id)).length },
            },
          },
        },
      });
    });
  });

  describe('GET /graphql', () => {
    const get = (params: Record<string, string>, headers: Record<string, string> = {}) =>
      sut.request<GraphqlBody>('GET', `/graphql?${new URLSearchParams(params).toString()}`, undefined, headers);

    it('answers a query with variables, without any special header', async () => {
      const response = await get({
        query: SCHOOLS,
        variables: JSON.stringify({ filter: { type: 'secondary' }, limit: 5, sort: 'name' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
      expect(response.body.errors).toBeUndefined();
      expect({ data: response.body.data }).toEqual({
        data: {
          schools: page(
            demo.schools.filter((school) => school.type === 'secondary'),
            schoolView,
            { limit: 5, sort: 'name' },
          ),
        },
      });
    });

    it('answers a query without variables, and relations too', async () => {
      const school = demo.schools[9];
      const response = await get({
        query: `{ school(id: "${hex(school._id)}") { id name teacherCount headmaster { id } } }`,
      });
      expect(response.status).toBe(200);
      expect(response.body.errors).toBeUndefined();
      expect({ data: response.body.data }).toEqual({
        data: {
          school: {
            id: hex(school._id),
            name: school.name,
            teacherCount: teachersOfSchool(hex(school._id)).length,
            headmaster: { id: hex(headmasterOf(demo, school)._id) },
          },
        },
      });
    });

    it('answers a client error as a GraphQL error', async () => {
      const response = await get({ query: SCHOOL, variables: JSON.stringify({ id: 'nope' }) });
      expectClientError(response.body, 'BAD_USER_INPUT', 'id');
    });

    it('refuses a mutation', async () => {
      const response = await get({
        query: DELETE_SCHOOL,
        variables: JSON.stringify({ id: hex(firstSchool._id) }),
      });
      expect(response.status).toBe(405);
      expect(response.body.data).toBeUndefined();
      expect(await data(SCHOOL, { id: hex(firstSchool._id) })).toEqual({ school: schoolView(firstSchool) });
    });
  });

  describe('client errors in queries', () => {
    it.each(['nope', '123', 'zzzzzzzzzzzzzzzzzzzzzzzz', `${hex(firstSchool._id)}0`, ''])(
      'a malformed id %j: BAD_USER_INPUT naming the id',
      async (id) => {
        for (const query of [SCHOOL, HEADMASTER, TEACHER]) {
          const error = await failure(query, { id }, 'BAD_USER_INPUT', 'id');
          expect(error.message).toMatch(/id/);
        }
      },
    );

    it.each([
      ['school', SCHOOL],
      ['headmaster', HEADMASTER],
      ['teacher', TEACHER],
    ])('an unknown %s id: NOT_FOUND', async (_entity, query) => {
      const { status, body } = await run(query, { id: UNKNOWN_ID });
      expect(status).toBe(200);
      expect(body.data).toBeNull();
      const error = expectClientError(body, 'NOT_FOUND');
      expect(error.message).toContain(UNKNOWN_ID);
    });

    it('a demo id of another entity is unknown too', async () => {
      await failure(SCHOOL, { id: hex(demo.teachers[0]._id) }, 'NOT_FOUND');
      await failure(TEACHER, { id: hex(demo.schools[0]._id) }, 'NOT_FOUND');
      await failure(HEADMASTER, { id: hex(demo.schools[0]._id) }, 'NOT_FOUND');
    });

    it.each([0, -1, 101, 1000])('limit %i: BAD_USER_INPUT for every list', async (limit) => {
      for (const query of [SCHOOLS, HEADMASTERS, TEACHERS]) {
        const error = await failure(query, { limit }, 'BAD_USER_INPUT', 'limit');
        expect(error.message).toMatch(/limit/);
      }
      await failure(SCHOOL_RELATIONS, { id: hex(firstSchool._id), limit }, 'BAD_USER_INPUT', 'limit');
      await failure(
        HEADMASTER_RELATIONS,
        { id: hex(headmasterOf(demo, firstSchool)._id), limit },
        'BAD_USER_INPUT',
        'limit',
      );
    });

    it('limit 100 is the largest page', async () => {
      const result = await data(TEACHER_IDS, { limit: 100 });
      expect(result.teachers.items).toHaveLength(100);
    });

    it('a negative offset: BAD_USER_INPUT', async () => {
      await failure(SCHOOLS, { offset: -1 }, 'BAD_USER_INPUT', 'offset');
      await failure(TEACHERS, { offset: -5 }, 'BAD_USER_INPUT', 'offset');
    });

    it.each([
      'phone',
      '-password',
      'address',
      '_id',
      'headmasterId',
      '$where',
      '-',
      '--name',
      'name; drop',
      'a'.repeat(41),
    ])('an unknown sort field %j: BAD_USER_INPUT for every list', async (sort) => {
      await failure(SCHOOLS, { sort }, 'BAD_USER_INPUT', 'sort');
      await failure(HEADMASTERS, { sort }, 'BAD_USER_INPUT', 'sort');
      await failure(TEACHERS, { sort }, 'BAD_USER_INPUT', 'sort');
      await failure(SCHOOL_RELATIONS, { id: hex(firstSchool._id), sort }, 'BAD_USER_INPUT', 'sort');
      await failure(
        HEADMASTER_RELATIONS,
        { id: hex(headmasterOf(demo, firstSchool)._id), sort },
        'BAD_USER_INPUT',
        'sort',
      );
    });

    it('a sort field of another entity: BAD_USER_INPUT', async () => {
      await failure(SCHOOLS, { sort: 'lastName' }, 'BAD_USER_INPUT', 'sort');
      await failure(HEADMASTERS, { sort: 'status' }, 'BAD_USER_INPUT', 'sort');
      await failure(TEACHERS, { sort: '-code' }, 'BAD_USER_INPUT', 'sort');
      await failure(SCHOOL_RELATIONS, { id: hex(firstSchool._id), sort: 'name' }, 'BAD_USER_INPUT', 'sort');
    });

    it('a malformed schoolId in a filter: BAD_USER_INPUT', async () => {
      await failure(TEACHERS, { filter: { schoolId: 'nope' } }, 'BAD_USER_INPUT', 'filter.schoolId');
      await failure(HEADMASTERS, { filter: { schoolId: '12345' } }, 'BAD_USER_INPUT', 'filter.schoolId');
    });

    it('a malformed subject filter: BAD_USER_INPUT', async () => {
      await failure(TEACHERS, { filter: { subject: 'Maths & Physics' } }, 'BAD_USER_INPUT', 'filter.subject');
    });

    it.each([
      ['a string for an Int', TEACHERS, { limit: 'ten' }],
      ['a float for an Int', TEACHERS, { limit: 2.5 }],
      ['a missing required variable', SCHOOL, {}],
      ['null for a required variable', SCHOOL, { id: null }],
      ['an unknown enum value', SCHOOLS, { filter: { type: 'university' } }],
      ['an unknown input field', SCHOOLS, { filter: { country: 'UK' } }],
      ['a list for a String', TEACHERS, { filter: { q: ['a', 'b'] } }],
      ['a number for an ID', TEACHERS, { filter: { schoolId: 1.5 } }],
    ])('bad variables (%s): BAD_USER_INPUT, HTTP 400', async (_case, query, variables) => {
      const { status, body } = await run(query, variables);
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expectClientError(body, 'BAD_USER_INPUT');
    });

    describe('operator injection through variables is rejected', () => {
      const operators: unknown[] = [
        { $ne: null },
        { $gt: '' },
        { $regex: '.*' },
        { $in: ['active', 'left'] },
        { $where: '1' },
      ];
      it.each(operators.map((operator) => [JSON.stringify(operator), operator] as const))(
        '%s as a filter value, an id or a sort',
        async (_label, operator) => {
          const attempts: [string, Record<string, unknown>][] = [
            [TEACHERS, { filter: { subject: operator } }],
            [TEACHERS, { filter: { status: operator } }],
            [TEACHERS, { filter: { q: operator } }],
            [TEACHERS, { filter: { schoolId: operator } }],
            [TEACHERS, { sort: operator }],
            [SCHOOLS, { filter: { city: operator } }],
            [SCHOOLS, { filter: { type: operator } }],
            [HEADMASTERS, { filter: { schoolId: operator } }],
            [SCHOOL, { id: operator }],
            [TEACHER, { id: operator }],
            [SCHOOL_RELATIONS, { id: hex(firstSchool._id), filter: { subject: operator } }],
          ];
          for (const [query, variables] of attempts) {
            const { status, body } = await run(query, variables);
            expect(status).toBe(400);
            expect(body.data).toBeUndefined();
            expectClientError(body, 'BAD_USER_INPUT');
          }
        },
      );

      it('an operator-like string is only ever a literal value', async () => {
        for (const filter of [{ q: '{"$ne": null}' }, { q: '$ne' }, { schoolId: '{"$ne":null}' }]) {
          const { body } = await run(TEACHER_IDS, { filter });
          if (body.errors) expectClientError(body, 'BAD_USER_INPUT');
          else expect(body.data).toEqual({ teachers: { total: 0, items: [] } });
        }
        expect((await data(SCHOOLS, { filter: { city: '{"$ne": null}' } })).schools).toEqual({ total: 0, items: [] });
        await failure(TEACHERS, { filter: { subject: '{"$ne":null}' } }, 'BAD_USER_INPUT', 'filter.subject');
      });

      it('an operator object in the document itself is a validation error', async () => {
        const { status, body } = await run(`{ teachers(filter: { subject: { ne: null } }) { total } }`);
        expect(status).toBe(400);
        expectClientError(body, 'GRAPHQL_VALIDATION_FAILED');
      });
    });
  });

  describe('malformed documents', () => {
    it.each([
      '{ schools { total ',
      'query { schools(limit: ) { total } }',
      '}{',
      'mutation { createSchool(input: { name: "x" ) { id } }',
    ])('a syntax error %j: GRAPHQL_PARSE_FAILED, HTTP 400', async (query) => {
      const { status, body } = await run(query);
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expectClientError(body, 'GRAPHQL_PARSE_FAILED');
    });

    it.each([
      ['an unknown field', '{ schools { total colour } }'],
      ['an unknown query', '{ pupils { total } }'],
      ['an unknown argument', '{ schools(page: 2) { total } }'],
      ['a wrong literal type', '{ schools(limit: "ten") { total } }'],
      ['a missing selection', '{ schools }'],
      ['a selection on a scalar', '{ schools { total { value } } }'],
      ['an undefined variable', 'query { school(id: $id) { id } }'],
      ['a missing required argument', '{ school { id } }'],
      ['an unknown enum literal', '{ schools(filter: { type: university }) { total } }'],
      ['a literal of the wrong type in an input', 'mutation { deleteSchool(id: 12.5) { id } }'],
    ])('%s: GRAPHQL_VALIDATION_FAILED, HTTP 400', async (_case, query) => {
      const { status, body } = await run(query);
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expectClientError(body, 'GRAPHQL_VALIDATION_FAILED');
    });

    it('a request without a query: HTTP 400 with a client error', async () => {
      const response = await sut.request<GraphqlBody>('POST', '/graphql', { variables: {} });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).not.toMatch(/internal server error/i);
    });
  });
});

// =============================================================================================
// Writes: a database of its own, so the reads above keep the pristine demo data
// =============================================================================================

describe('GraphQL mutations (demo data)', () => {
  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut?.close();
  });

  const schoolsTotal = async (): Promise<number> => Number((await data('{ schools { total } }')).schools.total);
  const teachersTotal = async (): Promise<number> => Number((await data('{ teachers { total } }')).teachers.total);
  const headmastersTotal = async (): Promise<number> =>
    Number((await data('{ headmasters { total } }')).headmasters.total);

  const newSchool = (suffix: string) => ({
    name: `GraphQL Test School ${suffix}`,
    code: `GQL-${suffix}`,
    type: 'special',
    address: { street: '1 Query Lane', city: 'Testbury', region: 'Nowhere', postalCode: 'TB1 1QL' },
    phone: '+44 20 7946 0999',
    email: `office.${suffix.toLowerCase()}@school.example.org`,
  });
  const newPerson = (suffix: string) => ({
    firstName: 'Grace',
    lastName: `Hopper${suffix}`,
    email: `grace.hopper.${suffix.toLowerCase()}@example.org`,
    phone: '+1 555 0100',
  });

  describe('schools', () => {
    it('createSchool creates a school every query then shows', async () => {
      const before = await schoolsTotal();
      const input = newSchool('CREATE');
      const { createSchool: created } = await data(CREATE_SCHOOL, { input });
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        ...input,
        headmasterId: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(Date.parse(created.createdAt)).toBeGreaterThan(Date.now() - 60_000);

      expect(await data(SCHOOL, { id: created.id })).toEqual({ school: created });
      expect(await schoolsTotal()).toBe(before + 1);
      expect((await data(SCHOOLS, { filter: { city: 'Testbury' } })).schools).toEqual({ total: 1, items: [created] });
      expect(await data(SCHOOL_RELATIONS, { id: created.id })).toEqual({
        school: { id: created.id, headmaster: null, teacherCount: 0, teachers: { total: 0, items: [] } },
      });
    });

    it('createSchool with the code of a demo school: CONFLICT, nothing created', async () => {
      const before = await schoolsTotal();
      const error = await failure(
        CREATE_SCHOOL,
        { input: { ...newSchool('DUP'), code: firstSchool.code } },
        'CONFLICT',
        'code',
      );
      expect(error.message).toMatch(/code/);
      expect(await schoolsTotal()).toBe(before);
    });

    it.each([
      ['email', { email: 'not-an-email' }],
      ['email', { email: 'office@' }],
      ['code', { code: 'lower-case' }],
      ['phone', { phone: 'call me' }],
      ['name', { name: '' }],
      ['address.city', { address: { street: '1 A Road', city: '', region: 'R', postalCode: 'P1' } }],
    ])('createSchool with an invalid %s: BAD_USER_INPUT, nothing created', async (field, change) => {
      const before = await schoolsTotal();
      await failure(CREATE_SCHOOL, { input: { ...newSchool('INVALID'), ...change } }, 'BAD_USER_INPUT', field);
      expect(await schoolsTotal()).toBe(before);
    });

    it('createSchool with a missing or unknown input field: BAD_USER_INPUT', async () => {
      const withoutEmail: Partial<ReturnType<typeof newSchool>> = newSchool('MISSING');
      delete withoutEmail.email;
      await failure(CREATE_SCHOOL, { input: withoutEmail }, 'BAD_USER_INPUT');
      await failure(CREATE_SCHOOL, { input: { ...newSchool('EXTRA'), $where: '1' } }, 'BAD_USER_INPUT');
    });

    it("createSchool or updateSchool with a headmasterId: BAD_USER_INPUT (the headmaster's record says whom they head)", async () => {
      const before = await schoolsTotal();
      const school = demo.schools[14];
      const id = hex(school._id);
      for (const headmasterId of [null, 'nope', hex(demo.headmasters[13]._id)]) {
        const created = await failure(
          CREATE_SCHOOL,
          { input: { ...newSchool('WITHHEAD'), headmasterId } },
          'BAD_USER_INPUT',
        );
        expect(created.message).toMatch(/headmasterId/);
        const updated = await failure(UPDATE_SCHOOL, { id, input: { headmasterId } }, 'BAD_USER_INPUT');
        expect(updated.message).toMatch(/headmasterId/);
      }
      expect(await schoolsTotal()).toBe(before);
      expect(await data(SCHOOL, { id })).toEqual({ school: schoolView(school) });
      expect((await data(SCHOOL_RELATIONS, { id })).school.headmaster).toEqual(
        headmasterView(headmasterOf(demo, school)),
      );
    });

    it('updateSchool changes only the given fields, and queries show it', async () => {
      const school = demo.schools[5];
      const id = hex(school._id);
      const { updateSchool: updated } = await data(UPDATE_SCHOOL, {
        id,
        input: { name: 'Renamed Academy', address: { ...school.address, city: 'Renamedton' } },
      });
      const expected = {
        ...schoolView(school),
        name: 'Renamed Academy',
        address: { ...school.address, city: 'Renamedton' },
        updatedAt: expect.any(String),
      };
      expect(updated).toEqual(expected);
      expect(updated.updatedAt).not.toBe(school.updatedAt.toISOString());
      expect(await data(SCHOOL, { id })).toEqual({ school: updated });
      expect((await data(SCHOOLS, { filter: { city: 'Renamedton' } })).schools).toEqual({ total: 1, items: [updated] });
      // Its relations are untouched.
      const relations = await data(SCHOOL_RELATIONS, { id });
      expect(relations.school.headmaster.id).toBe(hex(headmasterOf(demo, school)._id));
      expect(relations.school.teacherCount).toBe(teachersOfSchool(id).length);
    });

    it('updateSchool to the code of another school: CONFLICT, nothing changed', async () => {
      const school = demo.schools[6];
      await failure(UPDATE_SCHOOL, { id: hex(school._id), input: { code: demo.schools[7].code } }, 'CONFLICT', 'code');
      expect(await data(SCHOOL, { id: hex(school._id) })).toEqual({ school: schoolView(school) });
    });

    it('updateSchool with an invalid e-mail: BAD_USER_INPUT, nothing changed', async () => {
      const school = demo.schools[6];
      await failure(UPDATE_SCHOOL, { id: hex(school._id), input: { email: 'nope' } }, 'BAD_USER_INPUT', 'email');
      expect(await data(SCHOOL, { id: hex(school._id) })).toEqual({ school: schoolView(school) });
    });

    it.each(['name', 'code', 'type', 'address', 'phone', 'email'])(
      'updateSchool with %s null: BAD_USER_INPUT, nothing changed',
      async (field) => {
        const school = demo.schools[15];
        await failure(UPDATE_SCHOOL, { id: hex(school._id), input: { [field]: null } }, 'BAD_USER_INPUT', field);
        expect(await data(SCHOOL, { id: hex(school._id) })).toEqual({ school: schoolView(school) });
      },
    );

    it('updateSchool or deleteSchool of an unknown id: NOT_FOUND; of a malformed id: BAD_USER_INPUT', async () => {
      await failure(UPDATE_SCHOOL, { id: UNKNOWN_ID, input: { name: 'Ghost School' } }, 'NOT_FOUND');
      await failure(DELETE_SCHOOL, { id: UNKNOWN_ID }, 'NOT_FOUND');
      await failure(UPDATE_SCHOOL, { id: 'nope', input: { name: 'Ghost School' } }, 'BAD_USER_INPUT', 'id');
      await failure(DELETE_SCHOOL, { id: 'nope' }, 'BAD_USER_INPUT', 'id');
      expect((await data(SCHOOLS, { filter: { city: 'Ghost Town' } })).schools.total).toBe(0);
    });

    it('deleteSchool returns the school as it was; it is gone afterwards', async () => {
      const { createSchool: created } = await data(CREATE_SCHOOL, { input: newSchool('DELETE') });
      const before = await schoolsTotal();
      expect(await data(DELETE_SCHOOL, { id: created.id })).toEqual({ deleteSchool: created });
      await failure(SCHOOL, { id: created.id }, 'NOT_FOUND');
      expect(await schoolsTotal()).toBe(before - 1);
      await failure(DELETE_SCHOOL, { id: created.id }, 'NOT_FOUND');
      // Its code is free again.
      expect((await data(CREATE_SCHOOL, { input: newSchool('DELETE') })).createSchool.code).toBe('GQL-DELETE');
    });

    it('deleting a demo school that teachers, a headmaster and subjects belong to: CONFLICT naming them, nothing deleted', async () => {
      const school = refusedSchool;
      const schoolId = hex(school._id);
      const staff = teachersOfSchool(schoolId);
      const subjects = demo.subjects.filter((subject) => subject.schoolId.equals(school._id));
      const error = await failure(DELETE_SCHOOL, { id: schoolId }, 'CONFLICT');
      expect(error.message).toBe(
        `school ${schoolId} is referred to by ${staff.length} teachers (schoolId), ${subjects.length} subjects ` +
          `(schoolId) and 1 headmaster (schoolId): it cannot be deleted while they refer to it`,
      );
      expect(await data(SCHOOL, { id: schoolId })).toEqual({ school: schoolView(school) });
      const teacher = staff[0];
      expect(
        await data(`query ($id: ID!) { teacher(id: $id) { id school { id } } }`, { id: hex(teacher._id) }),
      ).toEqual({ teacher: { id: hex(teacher._id), school: { id: schoolId } } });
      const headmasterId = hex(headmasterOf(demo, school)._id);
      expect(await data(`query ($id: ID!) { headmaster(id: $id) { id school { id } } }`, { id: headmasterId })).toEqual(
        { headmaster: { id: headmasterId, school: { id: schoolId } } },
      );
    });

    it('deleteSchool succeeds once its teacher, headmaster and subject are gone, one by one', async () => {
      const { createSchool: school } = await data(CREATE_SCHOOL, { input: newSchool('EMPTIED') });
      const { createSubject: subject } = await data(
        `mutation ($input: CreateSubjectInput!) { createSubject(input: $input) { id } }`,
        { input: { schoolId: school.id, code: 'astronomy', name: 'Astronomy' } },
      );
      const { createHeadmaster: headmaster } = await data(CREATE_HEADMASTER, {
        input: { ...newPerson('EMPTIED'), schoolId: school.id },
      });
      const { createTeacher: teacher } = await data(CREATE_TEACHER, {
        input: { ...newPerson('EMPTIED'), schoolId: school.id, subjects: ['astronomy'] },
      });
      const refusal = (who: string) =>
        `school ${school.id} is referred to by ${who}: it cannot be deleted while they refer to it`;
      const deleteSubject = `mutation ($id: ID!) { deleteSubject(id: $id) { id } }`;

      const all = '1 teacher (schoolId), 1 subject (schoolId) and 1 headmaster (schoolId)';
      expect((await failure(DELETE_SCHOOL, { id: school.id }, 'CONFLICT')).message).toBe(refusal(all));
      // The subject is taught by the teacher: it stays too.
      expect((await failure(deleteSubject, { id: subject.id }, 'CONFLICT', 'id')).message).toMatch(/1 teacher/);
      await data(DELETE_TEACHER, { id: teacher.id });
      expect((await failure(DELETE_SCHOOL, { id: school.id }, 'CONFLICT')).message).toBe(
        refusal('1 subject (schoolId) and 1 headmaster (schoolId)'),
      );
      await data(DELETE_HEADMASTER, { id: headmaster.id });
      expect((await failure(DELETE_SCHOOL, { id: school.id }, 'CONFLICT')).message).toBe(
        refusal('1 subject (schoolId)'),
      );
      await data(deleteSubject, { id: subject.id });
      expect(await data(DELETE_SCHOOL, { id: school.id })).toEqual({ deleteSchool: school });
      await failure(SCHOOL, { id: school.id }, 'NOT_FOUND');
    });
  });

  describe('headmasters', () => {
    /** A new school, without a headmaster. */
    const headlessSchool = async (suffix: string): Promise<{ id: string }> =>
      (await data(CREATE_SCHOOL, { input: newSchool(suffix) })).createSchool;
    const headmasterIdOf = async (schoolId: string): Promise<string | null> =>
      (await data(SCHOOL, { id: schoolId })).school.headmasterId;
    let school: { id: string };

    beforeAll(async () => {
      school = await headlessSchool('HEADS');
    });

    it('createHeadmaster heads their school at once: both sides of the relation show it', async () => {
      const before = await headmastersTotal();
      const input = { ...newPerson('HEAD'), schoolId: school.id, appointedAt: '2024-09-01T00:00:00.000Z' };
      const { createHeadmaster: created } = await data(CREATE_HEADMASTER, { input });
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        ...input,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(await data(HEADMASTER, { id: created.id })).toEqual({ headmaster: created });
      expect(await headmastersTotal()).toBe(before + 1);
      expect((await data(HEADMASTERS, { filter: { schoolId: school.id } })).headmasters).toEqual({
        total: 1,
        items: [created],
      });
      expect((await data(HEADMASTER_RELATIONS, { id: created.id })).headmaster.school.id).toBe(school.id);
      const relations = await data(SCHOOL_RELATIONS, { id: school.id });
      expect(relations.school.headmaster).toEqual(created);
      expect(await headmasterIdOf(school.id)).toBe(created.id);
      const listed = (await data(SCHOOLS, { filter: { city: 'Testbury' }, limit: 100 })).schools.items;
      expect(listed.find((item: { id: string }) => item.id === school.id).headmasterId).toBe(created.id);
    });

    it('createHeadmaster for a school that has one: CONFLICT naming schoolId, nothing created', async () => {
      const head = demo.headmasters[13];
      const before = await headmastersTotal();
      for (const schoolId of [school.id, hex(head.schoolId)]) {
        await failure(CREATE_HEADMASTER, { input: { ...newPerson('SECOND'), schoolId } }, 'CONFLICT', 'schoolId');
      }
      expect(await headmastersTotal()).toBe(before);
      expect(await headmasterIdOf(hex(head.schoolId))).toBe(hex(head._id));
    });

    it('createHeadmaster without appointedAt defaults it to now', async () => {
      const { createHeadmaster: created } = await data(CREATE_HEADMASTER, {
        input: { ...newPerson('NOW'), schoolId: (await headlessSchool('NOW')).id },
      });
      expect(Math.abs(Date.parse(created.appointedAt) - Date.now())).toBeLessThan(60_000);
    });

    it('createHeadmaster with an invalid e-mail or an unknown school: BAD_USER_INPUT, nothing created', async () => {
      const before = await headmastersTotal();
      await failure(
        CREATE_HEADMASTER,
        { input: { ...newPerson('X'), email: 'x@', schoolId: school.id } },
        'BAD_USER_INPUT',
        'email',
      );
      await failure(
        CREATE_HEADMASTER,
        { input: { ...newPerson('X'), schoolId: 'nope' } },
        'BAD_USER_INPUT',
        'schoolId',
      );
      await failure(
        CREATE_HEADMASTER,
        { input: { ...newPerson('X'), schoolId: UNKNOWN_ID } },
        'BAD_USER_INPUT',
        'schoolId',
      );
      await failure(
        CREATE_HEADMASTER,
        { input: { ...newPerson('X'), schoolId: school.id, appointedAt: 'yesterday' } },
        'BAD_USER_INPUT',
      );
      expect(await headmastersTotal()).toBe(before);
    });

    it('createHeadmaster with the e-mail of a demo headmaster: CONFLICT', async () => {
      const before = await headmastersTotal();
      await failure(
        CREATE_HEADMASTER,
        {
          input: {
            ...newPerson('X'),
            email: demo.headmasters[0].email.toUpperCase(),
            schoolId: (await headlessSchool('DUPHEAD')).id,
          },
        },
        'CONFLICT',
        'email',
      );
      expect(await headmastersTotal()).toBe(before);
    });

    it('updateHeadmaster changes only the given fields, and moves them to another school: both schools follow', async () => {
      const headmaster = demo.headmasters[3];
      const id = hex(headmaster._id);
      const to = await headlessSchool('MOVED');
      const { updateHeadmaster: updated } = await data(UPDATE_HEADMASTER, {
        id,
        input: { lastName: 'Renamed', schoolId: to.id },
      });
      expect(updated).toEqual({
        ...headmasterView(headmaster),
        lastName: 'Renamed',
        schoolId: to.id,
        updatedAt: expect.any(String),
      });
      expect(await data(HEADMASTER, { id })).toEqual({ headmaster: updated });
      const relations = await data(HEADMASTER_RELATIONS, { id });
      expect(relations.headmaster.school.id).toBe(to.id);
      expect(relations.headmaster.teachers).toEqual({ total: 0, items: [] });
      expect((await data(HEADMASTERS, { filter: { schoolId: hex(headmaster.schoolId) } })).headmasters.total).toBe(0);
      expect(await headmasterIdOf(to.id)).toBe(id);
      expect(await headmasterIdOf(hex(headmaster.schoolId))).toBeNull();
      expect((await data(SCHOOL_RELATIONS, { id: hex(headmaster.schoolId) })).school.headmaster).toBeNull();
    });

    it('a school left without a headmaster gets one by createHeadmaster, and loses them by deleteHeadmaster', async () => {
      const schoolId = hex(demo.headmasters[3].schoolId);
      const { createHeadmaster: created } = await data(CREATE_HEADMASTER, {
        input: { ...newPerson('SUCCESSOR'), schoolId },
      });
      expect(await headmasterIdOf(schoolId)).toBe(created.id);
      expect((await data(SCHOOL_RELATIONS, { id: schoolId })).school.headmaster).toEqual(created);
      await data(DELETE_HEADMASTER, { id: created.id });
      expect(await headmasterIdOf(schoolId)).toBeNull();
    });

    it.each(['firstName', 'lastName', 'email', 'phone', 'schoolId', 'appointedAt'])(
      'updateHeadmaster with %s null: BAD_USER_INPUT, nothing changed',
      async (field) => {
        const headmaster = demo.headmasters[6];
        const id = hex(headmaster._id);
        await failure(UPDATE_HEADMASTER, { id, input: { [field]: null } }, 'BAD_USER_INPUT', field);
        expect(await data(HEADMASTER, { id })).toEqual({ headmaster: headmasterView(headmaster) });
      },
    );

    it('updateHeadmaster errors: NOT_FOUND, BAD_USER_INPUT, CONFLICT', async () => {
      const headmaster = demo.headmasters[4];
      const id = hex(headmaster._id);
      await failure(UPDATE_HEADMASTER, { id: UNKNOWN_ID, input: { lastName: 'X' } }, 'NOT_FOUND');
      await failure(UPDATE_HEADMASTER, { id: 'nope', input: { lastName: 'X' } }, 'BAD_USER_INPUT', 'id');
      await failure(UPDATE_HEADMASTER, { id, input: { email: 'nope' } }, 'BAD_USER_INPUT', 'email');
      await failure(UPDATE_HEADMASTER, { id, input: { schoolId: UNKNOWN_ID } }, 'BAD_USER_INPUT', 'schoolId');
      await failure(UPDATE_HEADMASTER, { id, input: { email: demo.headmasters[5].email } }, 'CONFLICT', 'email');
      const taken = hex(demo.headmasters[5].schoolId);
      await failure(UPDATE_HEADMASTER, { id, input: { schoolId: taken } }, 'CONFLICT', 'schoolId');
      expect(await data(HEADMASTER, { id })).toEqual({ headmaster: headmasterView(headmaster) });
      expect(await headmasterIdOf(taken)).toBe(hex(demo.headmasters[5]._id));
    });

    it('deleteHeadmaster returns them as they were; their school then has no headmaster', async () => {
      const headmaster = demo.headmasters[10];
      const id = hex(headmaster._id);
      const schoolId = hex(headmaster.schoolId);
      const before = await headmastersTotal();
      expect(await data(DELETE_HEADMASTER, { id })).toEqual({ deleteHeadmaster: headmasterView(headmaster) });
      await failure(HEADMASTER, { id }, 'NOT_FOUND');
      await failure(DELETE_HEADMASTER, { id }, 'NOT_FOUND');
      expect(await headmastersTotal()).toBe(before - 1);
      expect((await data(SCHOOL_RELATIONS, { id: schoolId })).school.headmaster).toBeNull();
      expect(await headmasterIdOf(schoolId)).toBeNull();
    });

    it('deleteHeadmaster or hireTeacher with an unknown or malformed id', async () => {
      await failure(DELETE_HEADMASTER, { id: UNKNOWN_ID }, 'NOT_FOUND');
      await failure(DELETE_HEADMASTER, { id: 'nope' }, 'BAD_USER_INPUT', 'id');
      const before = await teachersTotal();
      await failure(
        HIRE_TEACHER,
        { headmasterId: UNKNOWN_ID, input: { ...newPerson('NOHEAD'), subjects: ['art'] } },
        'NOT_FOUND',
      );
      await failure(
        HIRE_TEACHER,
        { headmasterId: 'nope', input: { ...newPerson('NOHEAD'), subjects: ['art'] } },
        'BAD_USER_INPUT',
        'headmasterId',
      );
      expect(await teachersTotal()).toBe(before);
    });
  });

  describe('teachers', () => {
    const dashboardOf = async (headmasterId: string) =>
      (await data(DASHBOARD, { id: headmasterId })).headmaster.dashboard as {
        teacherCount: number;
        teachersBySubject: { subject: string; count: number }[];
        teachersByStatus: { status: string; count: number }[];
      };
    const countOf = <R extends { count: number }>(rows: R[], pick: (row: R) => boolean) => rows.find(pick)?.count ?? 0;

    it('createTeacher adds a teacher to a school: lists, counts and the dashboard show it', async () => {
      const school = demo.schools[12];
      const schoolId = hex(school._id);
      const headmasterId = hex(headmasterOf(demo, school)._id);
      const staff = teachersOfSchool(schoolId);
      const dashboardBefore = await dashboardOf(headmasterId);
      const before = await teachersTotal();

      const input = {
        ...newPerson('TEACH'),
        email: 'Grace.Hopper.TEACH@Example.org',
        schoolId,
        subjects: ['computing', 'mathematics'],
        status: 'on_leave',
        hiredAt: '2020-01-06T08:00:00.000Z',
      };
      const { createTeacher: created } = await data(CREATE_TEACHER, { input });
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        ...input,
        email: input.email.toLowerCase(),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(await data(TEACHER, { id: created.id })).toEqual({ teacher: created });
      expect(await teachersTotal()).toBe(before + 1);
      expect((await data(TEACHER_IDS, { filter: { q: 'HopperTEACH' } })).teachers).toEqual({
        total: 1,
        items: [{ id: created.id }],
      });

      const relations = await data(SCHOOL_RELATIONS, { id: schoolId, filter: { status: 'on_leave' }, limit: 100 });
      expect(relations.school.teacherCount).toBe(staff.length + 1);
      expect(relations.school.teachers.items.map((teacher: { id: string }) => teacher.id)).toContain(created.id);

      const dashboard = await dashboardOf(headmasterId);
      expect(dashboard.teacherCount).toBe(dashboardBefore.teacherCount + 1);
      for (const subject of ['computing', 'mathematics']) {
        const pick = (row: { subject: string }) => row.subject === subject;
        expect(countOf(dashboard.teachersBySubject, pick)).toBe(countOf(dashboardBefore.teachersBySubject, pick) + 1);
      }
      const onLeave = (row: { status: string }) => row.status === 'on_leave';
      expect(countOf(dashboard.teachersByStatus, onLeave)).toBe(countOf(dashboardBefore.teachersByStatus, onLeave) + 1);

      const withSchool = await data(`query ($id: ID!) { teacher(id: $id) { school { id name } } }`, { id: created.id });
      expect(withSchool.teacher.school).toEqual({ id: schoolId, name: school.name });
    });

    it('createTeacher defaults status to active and hiredAt to now', async () => {
      const { createTeacher: created } = await data(CREATE_TEACHER, {
        input: { ...newPerson('DEFAULTS'), schoolId: hex(demo.schools[12]._id), subjects: ['art'] },
      });
      expect(created.status).toBe('active');
      expect(Math.abs(Date.parse(created.hiredAt) - Date.now())).toBeLessThan(60_000);
    });

    it('createTeacher with the e-mail of a demo teacher (in any case): CONFLICT, nothing created', async () => {
      const before = await teachersTotal();
      for (const email of [demo.teachers[0].email, demo.teachers[1].email.toUpperCase()]) {
        const error = await failure(
          CREATE_TEACHER,
          { input: { ...newPerson('DUP'), email, schoolId: hex(firstSchool._id), subjects: ['art'] } },
          'CONFLICT',
          'email',
        );
        expect(error.message).toMatch(/email/);
      }
      expect(await teachersTotal()).toBe(before);
    });

    it.each([
      ['email', { email: 'grace@@example.org' }],
      ['email', { email: 'grace' }],
      ['subjects', { subjects: [] }],
      ['subjects', { subjects: ['Maths'] }],
      ['subjects', { subjects: ['art', 'art'] }],
      ['phone', { phone: '12' }],
      ['firstName', { firstName: '' }],
      ['schoolId', { schoolId: 'nope' }],
      ['schoolId', { schoolId: UNKNOWN_ID }],
    ])('createTeacher with an invalid %s: BAD_USER_INPUT, nothing created', async (field, change) => {
      const before = await teachersTotal();
      const input = { ...newPerson('INVALID'), schoolId: hex(firstSchool._id), subjects: ['art'], ...change };
      await failure(CREATE_TEACHER, { input }, 'BAD_USER_INPUT', field);
      expect(await teachersTotal()).toBe(before);
    });

    it('createTeacher with bad input types: BAD_USER_INPUT', async () => {
      const input = { ...newPerson('TYPES'), schoolId: hex(firstSchool._id), subjects: ['art'] };
      await failure(CREATE_TEACHER, { input: { ...input, status: 'retired' } }, 'BAD_USER_INPUT');
      await failure(CREATE_TEACHER, { input: { ...input, hiredAt: 'last tuesday' } }, 'BAD_USER_INPUT');
      await failure(CREATE_TEACHER, { input: { ...input, subjects: [42] } }, 'BAD_USER_INPUT');
      await failure(CREATE_TEACHER, { input: { ...input, email: { $ne: null } } }, 'BAD_USER_INPUT');
    });

    it('updateTeacher changes only the given fields (status included), and queries show it', async () => {
      const teacher = onLeaveTeacher;
      const id = hex(teacher._id);
      const { updateTeacher: updated } = await data(UPDATE_TEACHER, { id, input: { phone: '+44 20 7946 0123' } });
      expect(updated).toEqual({ ...teacherView(teacher), phone: '+44 20 7946 0123', updatedAt: expect.any(String) });
      expect(await data(TEACHER, { id })).toEqual({ teacher: updated });

      const { updateTeacher: changed } = await data(UPDATE_TEACHER, {
        id,
        input: { status: 'left', subjects: ['drama'] },
      });
      expect(changed).toEqual({ ...updated, status: 'left', subjects: ['drama'], updatedAt: expect.any(String) });
      expect(await data(TEACHER, { id })).toEqual({ teacher: changed });
      const leftInSchool = await data(TEACHER_IDS, {
        filter: { schoolId: hex(teacher.schoolId), status: 'left' },
        limit: 100,
      });
      expect(leftInSchool.teachers.items).toContainEqual({ id });
    });

    it('updateTeacher moves a teacher to another school: both schools count it right', async () => {
      const teacher = multiSubjectTeacher;
      const id = hex(teacher._id);
      const from = hex(teacher.schoolId);
      const to = hex(
        demo.schools.find((school) => hex(school._id) !== from && hex(school._id) !== hex(refusedSchool._id))!._id,
      );
      const counts = async () =>
        (await data(`{ schools(limit: 100) { items { id teacherCount } } }`)).schools.items as {
          id: string;
          teacherCount: number;
        }[];
      const countFor = (rows: { id: string; teacherCount: number }[], schoolId: string) =>
        rows.find((row) => row.id === schoolId)!.teacherCount;
      const before = await counts();

      const { updateTeacher: moved } = await data(UPDATE_TEACHER, { id, input: { schoolId: to } });
      expect(moved.schoolId).toBe(to);
      const after = await counts();
      expect(countFor(after, from)).toBe(countFor(before, from) - 1);
      expect(countFor(after, to)).toBe(countFor(before, to) + 1);
      expect(await data(`query ($id: ID!) { teacher(id: $id) { school { id } } }`, { id })).toEqual({
        teacher: { school: { id: to } },
      });
    });

    it.each(['firstName', 'lastName', 'email', 'phone', 'schoolId', 'subjects', 'status', 'hiredAt'])(
      'updateTeacher with %s null: BAD_USER_INPUT, nothing changed',
      async (field) => {
        const teacher = demo.teachers[44];
        const id = hex(teacher._id);
        await failure(UPDATE_TEACHER, { id, input: { [field]: null } }, 'BAD_USER_INPUT', field);
        expect(await data(TEACHER, { id })).toEqual({ teacher: teacherView(teacher) });
      },
    );

    it('updateTeacher errors: NOT_FOUND, BAD_USER_INPUT, CONFLICT; nothing changed', async () => {
      const teacher = demo.teachers[42];
      const id = hex(teacher._id);
      await failure(UPDATE_TEACHER, { id: UNKNOWN_ID, input: { lastName: 'X' } }, 'NOT_FOUND');
      await failure(UPDATE_TEACHER, { id: 'nope', input: { lastName: 'X' } }, 'BAD_USER_INPUT', 'id');
      await failure(UPDATE_TEACHER, { id, input: { email: 'nope' } }, 'BAD_USER_INPUT', 'email');
      await failure(UPDATE_TEACHER, { id, input: { schoolId: UNKNOWN_ID } }, 'BAD_USER_INPUT', 'schoolId');
      await failure(UPDATE_TEACHER, { id, input: { email: demo.teachers[43].email } }, 'CONFLICT', 'email');
      expect(await data(TEACHER, { id })).toEqual({ teacher: teacherView(teacher) });
    });

    it('deleteTeacher returns the teacher as they were; counts drop', async () => {
      const teacher = outsideRefusedSchool[77];
      const id = hex(teacher._id);
      const schoolId = hex(teacher.schoolId);
      const before = await teachersTotal();
      const countBefore = (await data(SCHOOL_RELATIONS, { id: schoolId })).school.teacherCount;
      expect(await data(DELETE_TEACHER, { id })).toEqual({ deleteTeacher: teacherView(teacher) });
      await failure(TEACHER, { id }, 'NOT_FOUND');
      await failure(DELETE_TEACHER, { id }, 'NOT_FOUND');
      await failure(DELETE_TEACHER, { id: 'nope' }, 'BAD_USER_INPUT', 'id');
      expect(await teachersTotal()).toBe(before - 1);
      expect((await data(SCHOOL_RELATIONS, { id: schoolId })).school.teacherCount).toBe(countBefore - 1);
      // The e-mail is free again.
      const { createTeacher: again } = await data(CREATE_TEACHER, {
        input: { ...newPerson('AGAIN'), email: teacher.email, schoolId, subjects: ['art'] },
      });
      expect(again.email).toBe(teacher.email);
    });

    it("hireTeacher hires into the headmaster's school: the headmaster's teachers and dashboard show it", async () => {
      const school = demo.schools[20];
      const schoolId = hex(school._id);
      const headmasterId = hex(headmasterOf(demo, school)._id);
      const dashboardBefore = await dashboardOf(headmasterId);
      const before = await teachersTotal();

      const input = { ...newPerson('HIRED'), subjects: ['french'] };
      const { hireTeacher: hired } = await data(HIRE_TEACHER, { headmasterId, input });
      expect(hired).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        ...input,
        schoolId,
        status: 'active',
        hiredAt: expect.any(String),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        school: { id: schoolId },
      });
      const teacher = { ...hired };
      delete teacher.school;
      expect(await data(TEACHER, { id: hired.id })).toEqual({ teacher });
      expect(await teachersTotal()).toBe(before + 1);

      const relations = await data(HEADMASTER_RELATIONS, { id: headmasterId, filter: { q: 'HopperHIRED' } });
      expect(relations.headmaster.teachers).toEqual({ total: 1, items: [{ id: hired.id }] });
      const dashboard = await dashboardOf(headmasterId);
      expect(dashboard.teacherCount).toBe(dashboardBefore.teacherCount + 1);
      const french = (row: { subject: string }) => row.subject === 'french';
      expect(countOf(dashboard.teachersBySubject, french)).toBe(countOf(dashboardBefore.teachersBySubject, french) + 1);
    });

    it('hireTeacher errors: invalid e-mail, duplicate e-mail; nothing hired', async () => {
      const headmasterId = hex(headmasterOf(demo, demo.schools[20])._id);
      const before = await teachersTotal();
      await failure(
        HIRE_TEACHER,
        { headmasterId, input: { ...newPerson('BAD'), email: 'bad', subjects: ['art'] } },
        'BAD_USER_INPUT',
        'email',
      );
      await failure(
        HIRE_TEACHER,
        { headmasterId, input: { ...newPerson('DUP'), email: demo.teachers[5].email, subjects: ['art'] } },
        'CONFLICT',
        'email',
      );
      await failure(
        HIRE_TEACHER,
        { headmasterId, input: { ...newPerson('SCHOOL'), subjects: ['art'], schoolId: hex(firstSchool._id) } },
        'BAD_USER_INPUT',
      );
      expect(await teachersTotal()).toBe(before);
    });
  });
});
