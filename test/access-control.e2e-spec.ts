import { backupWorld, demoWorld, type SchoolWorld } from './support/school-world';
import { startTestApp, type TestApp, type TestClient } from './support/test-app';

/**
 * The authorization matrix: every role (anonymous, a teacher and a headmaster of one school, an admin) against
 * every endpoint, on their own school and on another, over REST and GraphQL, with the database answering and
 * with the service answering from backup data (a drill). A record the caller may not read is not found (404);
 * test/access-before-existence.e2e-spec.ts compares those answers with an unknown id's.
 */

type CallerName = keyof SchoolWorld['callers'];
const CALLERS: CallerName[] = ['anonymous', 'teacher', 'headmaster', 'admin'];
type Outcome = 'ok' | 401 | 403 | 404;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

interface RestCase {
  name: string;
  request: (world: SchoolWorld) => { method: string; path: string; body?: unknown };
  outcomes: Record<CallerName, Outcome>;
  /** What an allowed answer must and must not contain. */
  check?: (caller: CallerName, body: any, world: SchoolWorld) => void;
}

const PRIVATE_SCHOOL_FIELDS = ['phone', 'email', 'headmasterId', 'createdAt', 'updatedAt'];
const PRIVATE_TEACHER_FIELDS = ['email', 'phone', 'status', 'hiredAt', 'createdAt', 'updatedAt'];
const SUBJECT_FIELDS = ['code', 'createdAt', 'id', 'name', 'schoolId', 'updatedAt'];

function expectSchoolView(school: any, full: boolean): void {
  for (const field of PRIVATE_SCHOOL_FIELDS.filter((field) => field !== 'headmasterId')) {
    if (full) expect(school).toHaveProperty(field);
    else expect(school).not.toHaveProperty(field);
  }
  if (!full) {
    expect(school).not.toHaveProperty('headmasterId');
    expect(Object.keys(school.address)).toEqual(['city']);
  } else {
    expect(school.address).toHaveProperty('street');
  }
}

function expectTeacherView(teacher: any, full: boolean): void {
  for (const field of PRIVATE_TEACHER_FIELDS) {
    if (full) expect(teacher).toHaveProperty(field);
    else expect(teacher).not.toHaveProperty(field);
  }
  expect(teacher).toHaveProperty('lastName');
  expect(teacher).toHaveProperty('subjects');
}

const memberOfOwn = (caller: CallerName) => caller === 'teacher' || caller === 'headmaster';

const validSchool = {
  name: 'Matrix Academy',
  code: 'MATRIX-1',
  type: 'primary',
  address: { street: '1 Grid Road', city: 'Leeds', region: 'Yorkshire', postalCode: 'LS1 1AA' },
  phone: '+1 555 0150',
  email: 'office@matrix.example.org',
};
const validHeadmaster = (schoolId: string) => ({
  firstName: 'Mat',
  lastName: 'Rix',
  email: 'mat.rix@example.org',
  phone: '+1 555 0151',
  schoolId,
});
const validSubject = (schoolId: string, code: string) => ({ name: 'Matrix studies', code, schoolId });
const validTeacher = (suffix: string) => ({
  firstName: 'Nora',
  lastName: `Matrix${suffix}`,
  email: `nora.matrix.${suffix}@example.org`,
  phone: '+1 555 0152',
  subjects: ['mathematics'],
});

const READS: RestCase[] = [
  {
    name: 'GET /api/schools: the directory for all, each school in full for its members',
    request: () => ({ method: 'GET', path: '/api/schools?limit=100' }),
    outcomes: { anonymous: 'ok', teacher: 'ok', headmaster: 'ok', admin: 'ok' },
    check: (caller, body, world) => {
      expect(body.total).toBe(world.counts.schools);
      for (const school of body.items) {
        expectSchoolView(school, caller === 'admin' || (memberOfOwn(caller) && school.id === world.own.school));
      }
    },
  },
  {
    name: 'GET /api/schools/:own',
    request: (world) => ({ method: 'GET', path: `/api/schools/${world.own.school}` }),
    outcomes: { anonymous: 'ok', teacher: 'ok', headmaster: 'ok', admin: 'ok' },
    check: (caller, body) => expectSchoolView(body, caller !== 'anonymous'),
  },
  {
    name: 'GET /api/schools/:other',
    request: (world) => ({ method: 'GET', path: `/api/schools/${world.other.school}` }),
    outcomes: { anonymous: 'ok', teacher: 'ok', headmaster: 'ok', admin: 'ok' },
    check: (caller, body) => expectSchoolView(body, caller === 'admin'),
  },
  {
    name: 'GET /api/schools sorted by a field the directory does not show',
    request: () => ({ method: 'GET', path: '/api/schools?sort=-createdAt' }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'GET /api/headmasters: only those of the own school',
    request: () => ({ method: 'GET', path: '/api/headmasters?limit=100' }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 'ok', admin: 'ok' },
    check: (caller, body, world) => {
      if (caller === 'admin') return expect(body.total).toBe(world.counts.headmasters);
      expect(body.total).toBe(world.counts.ownHeadmasters);
      for (const headmaster of body.items) expect(headmaster.schoolId).toBe(world.own.school);
    },
  },
  {
    name: 'GET /api/headmasters?schoolId=:other',
    request: (world) => ({ method: 'GET', path: `/api/headmasters?schoolId=${world.other.school}` }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  ...['', '/school', '/teachers', '/dashboard'].flatMap((suffix): RestCase[] => [
    {
      name: `GET /api/headmasters/:own${suffix}`,
      request: (world) => ({ method: 'GET', path: `/api/headmasters/${world.own.headmaster}${suffix}` }),
      outcomes: { anonymous: 401, teacher: 403, headmaster: 'ok', admin: 'ok' },
    },
    {
      name: `GET /api/headmasters/:other${suffix}`,
      request: (world) => ({ method: 'GET', path: `/api/headmasters/${world.other.headmaster}${suffix}` }),
      outcomes: { anonymous: 401, teacher: 403, headmaster: 404, admin: 'ok' },
    },
  ]),
  {
    name: 'GET /api/teachers: the own school only; to a teacher every member (themselves too) without contact data',
    request: () => ({ method: 'GET', path: '/api/teachers?limit=100' }),
    outcomes: { anonymous: 401, teacher: 'ok', headmaster: 'ok', admin: 'ok' },
    check: (caller, body, world) => {
      if (caller === 'admin') return expect(body.total).toBe(world.counts.teachers);
      expect(body.total).toBe(world.counts.ownTeachers);
      for (const teacher of body.items) {
        expect(teacher.schoolId).toBe(world.own.school);
        expectTeacherView(teacher, caller === 'headmaster');
      }
    },
  },
  {
    name: 'GET /api/teachers?schoolId=:other',
    request: (world) => ({ method: 'GET', path: `/api/teachers?schoolId=${world.other.school}` }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'GET /api/teachers filtered by status (not shown to colleagues)',
    request: () => ({ method: 'GET', path: '/api/teachers?status=on_leave' }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 'ok', admin: 'ok' },
  },
  {
    name: 'GET /api/teachers sorted by e-mail (not shown to colleagues)',
    request: () => ({ method: 'GET', path: '/api/teachers?sort=email' }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 'ok', admin: 'ok' },
  },
  {
    name: 'GET /api/teachers by name and subject, sorted by last name',
    request: () => ({ method: 'GET', path: '/api/teachers?q=a&sort=-lastName' }),
    outcomes: { anonymous: 401, teacher: 'ok', headmaster: 'ok', admin: 'ok' },
  },
  {
    name: 'GET /api/teachers/:self (the teacher’s own profile)',
    request: (world) => ({ method: 'GET', path: `/api/teachers/${world.own.teacher}` }),
    outcomes: { anonymous: 401, teacher: 'ok', headmaster: 'ok', admin: 'ok' },
    check: (_caller, body) => expectTeacherView(body, true),
  },
  {
    name: 'GET /api/teachers/:colleague',
    request: (world) => ({ method: 'GET', path: `/api/teachers/${world.own.colleague}` }),
    outcomes: { anonymous: 401, teacher: 'ok', headmaster: 'ok', admin: 'ok' },
    check: (caller, body) => expectTeacherView(body, caller !== 'teacher'),
  },
  {
    name: 'GET /api/teachers/:other',
    request: (world) => ({ method: 'GET', path: `/api/teachers/${world.other.teacher}` }),
    outcomes: { anonymous: 401, teacher: 404, headmaster: 404, admin: 'ok' },
  },
  {
    name: 'GET /api/subjects: every school’s subjects, for anyone',
    request: () => ({ method: 'GET', path: '/api/subjects?limit=100' }),
    outcomes: { anonymous: 'ok', teacher: 'ok', headmaster: 'ok', admin: 'ok' },
    check: (_caller, body, world) => {
      expect(body.total).toBe(world.counts.subjects);
      for (const subject of body.items) expect(Object.keys(subject).sort()).toEqual(SUBJECT_FIELDS);
    },
  },
  {
    name: 'GET /api/subjects?schoolId=:other',
    request: (world) => ({ method: 'GET', path: `/api/subjects?schoolId=${world.other.school}&limit=100` }),
    outcomes: { anonymous: 'ok', teacher: 'ok', headmaster: 'ok', admin: 'ok' },
    check: (_caller, body, world) => {
      expect(body.total).toBe(world.counts.otherSubjects);
      for (const subject of body.items) expect(subject.schoolId).toBe(world.other.school);
    },
  },
  {
    name: 'GET /api/subjects/:other',
    request: (world) => ({ method: 'GET', path: `/api/subjects/${world.other.subject}` }),
    outcomes: { anonymous: 'ok', teacher: 'ok', headmaster: 'ok', admin: 'ok' },
    check: (_caller, body, world) =>
      expect(body).toMatchObject({ id: world.other.subject, schoolId: world.other.school }),
  },
  {
    name: 'GET /api/admin/fallback (operators)',
    request: () => ({ method: 'GET', path: '/api/admin/fallback' }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'GET /metrics (operators)',
    request: () => ({ method: 'GET', path: '/metrics' }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
];

/** Writes the callers may not make; allowed writes are tested one by one below (they change the data). */
const DENIED_WRITES: RestCase[] = [
  {
    name: 'POST /api/schools',
    request: () => ({ method: 'POST', path: '/api/schools', body: validSchool }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'PATCH /api/schools/:own',
    request: (world) => ({ method: 'PATCH', path: `/api/schools/${world.own.school}`, body: { name: 'Renamed' } }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'DELETE /api/schools/:other',
    request: (world) => ({ method: 'DELETE', path: `/api/schools/${world.other.school}` }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'POST /api/headmasters',
    request: (world) => ({ method: 'POST', path: '/api/headmasters', body: validHeadmaster(world.own.school) }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'PATCH /api/headmasters/:own',
    request: (world) => ({
      method: 'PATCH',
      path: `/api/headmasters/${world.own.headmaster}`,
      body: { schoolId: world.other.school },
    }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'DELETE /api/headmasters/:other',
    request: (world) => ({ method: 'DELETE', path: `/api/headmasters/${world.other.headmaster}` }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'POST /api/teachers into the own school',
    request: (world) => ({
      method: 'POST',
      path: '/api/teachers',
      body: { ...validTeacher('own'), schoolId: world.own.school },
    }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 'ok', admin: 'ok' },
  },
  {
    name: 'POST /api/teachers into another school',
    request: (world) => ({
      method: 'POST',
      path: '/api/teachers',
      body: { ...validTeacher('other'), schoolId: world.other.school },
    }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'PATCH /api/teachers/:colleague',
    request: (world) => ({ method: 'PATCH', path: `/api/teachers/${world.own.colleague}`, body: { status: 'left' } }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 'ok', admin: 'ok' },
  },
  {
    name: 'PATCH /api/teachers/:own moving them to another school',
    request: (world) => ({
      method: 'PATCH',
      path: `/api/teachers/${world.own.teacher}`,
      body: { schoolId: world.other.school },
    }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'PATCH /api/teachers/:other',
    request: (world) => ({ method: 'PATCH', path: `/api/teachers/${world.other.teacher}`, body: { status: 'left' } }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 404, admin: 'ok' },
  },
  {
    name: 'DELETE /api/teachers/:other',
    request: (world) => ({ method: 'DELETE', path: `/api/teachers/${world.other.teacher}` }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 404, admin: 'ok' },
  },
  {
    name: 'POST /api/headmasters/:other/teachers (hire into another school)',
    request: (world) => ({
      method: 'POST',
      path: `/api/headmasters/${world.other.headmaster}/teachers`,
      body: validTeacher('hired-other'),
    }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 404, admin: 'ok' },
  },
  {
    name: 'POST /api/subjects into the own school',
    request: (world) => ({ method: 'POST', path: '/api/subjects', body: validSubject(world.own.school, 'matrix-own') }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 'ok', admin: 'ok' },
  },
  {
    name: 'POST /api/subjects into another school',
    request: (world) => ({
      method: 'POST',
      path: '/api/subjects',
      body: validSubject(world.other.school, 'matrix-other'),
    }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'PATCH /api/subjects/:own',
    request: (world) => ({ method: 'PATCH', path: `/api/subjects/${world.own.subject}`, body: { name: 'Renamed' } }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 'ok', admin: 'ok' },
  },
  {
    name: 'PATCH /api/subjects/:other',
    request: (world) => ({ method: 'PATCH', path: `/api/subjects/${world.other.subject}`, body: { name: 'Renamed' } }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'DELETE /api/subjects/:other',
    request: (world) => ({ method: 'DELETE', path: `/api/subjects/${world.other.subject}` }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
  {
    name: 'POST /api/admin/fallback/drill',
    request: () => ({ method: 'POST', path: '/api/admin/fallback/drill' }),
    outcomes: { anonymous: 401, teacher: 403, headmaster: 403, admin: 'ok' },
  },
];

/**
 * A denial says who may not, never what is withheld: no record, no field of one, no id. A record the caller may
 * not read is not found, named by the id asked for only, as an unknown id is.
 */
function expectDenial(answer: Answer, outcome: 401 | 403 | 404, world: SchoolWorld, path: string): void {
  expect(answer.status).toBe(outcome);
  if (outcome === 404) {
    const [, entity, id] = /^\/api\/(teacher|headmaster)s\/([0-9a-f]{24})/.exec(path)!;
    expect(answer.body).toEqual({
      statusCode: 404,
      error: 'NOT_FOUND',
      message: `${entity} ${id} not found`,
      field: 'id',
    });
    return;
  }
  expect(Object.keys(answer.body).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(answer.body.error).toBe(outcome === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
  const text = JSON.stringify(answer.body);
  for (const id of [world.own.school, world.other.school, world.other.teacher, world.other.headmaster]) {
    expect(text).not.toContain(id);
  }
  expect(text).not.toMatch(/@/);
  if (outcome === 401) expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
}

interface GraphqlCase {
  name: string;
  query: (world: SchoolWorld) => string;
  /** Checks the answer of one caller: data and the errors (with their paths and codes). */
  check: (caller: CallerName, answer: { data?: any; errors?: any[] }, world: SchoolWorld) => void;
}

const deniedCode = (caller: CallerName) => (caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
/** Another school's teacher or headmaster: not there for those who may read such records of their own school. */
const hiddenCode = (caller: CallerName, readsOwn: CallerName[]) =>
  readsOwn.includes(caller) ? 'NOT_FOUND' : deniedCode(caller);
const errorAt = (errors: any[] | undefined, path: (string | number)[]) =>
  errors?.find((error) => JSON.stringify(error.path) === JSON.stringify(path));

const GRAPHQL: GraphqlCase[] = [
  {
    name: 'schools: directory fields for all; private fields FORBIDDEN except on the own school',
    query: () =>
      '{ schools(limit: 100) { total items { id name code type address { city street } phone headmasterId } } }',
    check: (caller, { data, errors }, world) => {
      expect(data.schools.total).toBe(world.counts.schools);
      data.schools.items.forEach((school: any, index: number) => {
        expect(school.name).toEqual(expect.any(String));
        expect(school.address.city).toEqual(expect.any(String));
        const visible = caller === 'admin' || (memberOfOwn(caller) && school.id === world.own.school);
        for (const path of [['phone'], ['address', 'street']]) {
          const error = errorAt(errors, ['schools', 'items', index, ...path]);
          const value = path.reduce((parent, key) => parent[key], school);
          if (visible) {
            expect(error).toBeUndefined();
            expect(value).toEqual(expect.any(String));
          } else {
            expect(value).toBeNull();
            expect(error?.extensions.code).toBe(deniedCode(caller));
          }
        }
      });
    },
  },
  {
    name: 'another school: no relation reveals its headmaster, teachers or their number',
    query: (world) =>
      `{ school(id: "${world.other.school}") { name teacherCount headmaster { email } teachers { total items { email } } } }`,
    check: (caller, { data, errors }) => {
      expect(data.school.name).toEqual(expect.any(String));
      for (const field of ['teacherCount', 'headmaster', 'teachers']) {
        const error = errorAt(errors, ['school', field]);
        if (caller === 'admin') {
          expect(error).toBeUndefined();
          expect(data.school[field]).not.toBeNull();
        } else {
          expect(data.school[field]).toBeNull();
          expect(error?.extensions.code).toBe(deniedCode(caller));
        }
      }
    },
  },
  {
    name: 'the own school: teachers see the staff’s names only (themselves too) and not the headmaster',
    query: (world) =>
      `{ school(id: "${world.own.school}") { phone teacherCount headmaster { email } teachers(limit: 100) { total items { id lastName email } } } }`,
    check: (caller, { data, errors }, world) => {
      if (caller === 'anonymous') {
        expect(errorAt(errors, ['school', 'phone'])?.extensions.code).toBe('UNAUTHENTICATED');
        expect(errorAt(errors, ['school', 'teachers'])?.extensions.code).toBe('UNAUTHENTICATED');
        return;
      }
      expect(data.school.phone).toEqual(expect.any(String));
      expect(data.school.teacherCount).toBe(world.counts.ownTeachers);
      expect(data.school.teachers.total).toBe(world.counts.ownTeachers);
      if (caller === 'teacher') {
        expect(errorAt(errors, ['school', 'headmaster'])?.extensions.code).toBe('FORBIDDEN');
        data.school.teachers.items.forEach((teacher: any, index: number) => {
          expect(teacher.lastName).toEqual(expect.any(String));
          const error = errorAt(errors, ['school', 'teachers', 'items', index, 'email']);
          expect(error?.extensions.code).toBe('FORBIDDEN');
        });
      } else {
        expect(errors).toBeUndefined();
        expect(data.school.headmaster.email).toEqual(expect.any(String));
      }
    },
  },
  {
    name: 'another school’s headmaster and their dashboard',
    query: (world) => `{ headmaster(id: "${world.other.headmaster}") { email dashboard { teacherCount } } }`,
    check: (caller, { data, errors }) => {
      if (caller === 'admin') return expect(data.headmaster.dashboard.teacherCount).toEqual(expect.any(Number));
      expect(data).toBeNull();
      expect(errorAt(errors, ['headmaster'])?.extensions.code).toBe(hiddenCode(caller, ['headmaster']));
    },
  },
  {
    name: 'the own headmaster’s dashboard',
    query: (world) => `{ headmaster(id: "${world.own.headmaster}") { email dashboard { teacherCount } } }`,
    check: (caller, { data, errors }, world) => {
      if (caller === 'admin' || caller === 'headmaster') {
        expect(errors).toBeUndefined();
        return expect(data.headmaster.dashboard.teacherCount).toBe(world.counts.ownTeachers);
      }
      expect(errorAt(errors, ['headmaster'])?.extensions.code).toBe(deniedCode(caller));
    },
  },
  {
    name: 'teachers filtered by another school',
    query: (world) => `{ teachers(filter: { schoolId: "${world.other.school}" }) { total } }`,
    check: (caller, { data, errors }) => {
      if (caller === 'admin') return expect(data.teachers.total).toBeGreaterThan(0);
      expect(errorAt(errors, ['teachers'])?.extensions.code).toBe(deniedCode(caller));
    },
  },
  {
    name: 'a colleague and the own school through the relation',
    query: (world) => `{ teacher(id: "${world.own.colleague}") { lastName email school { name phone } } }`,
    check: (caller, { data, errors }) => {
      if (caller === 'anonymous') return expect(errorAt(errors, ['teacher'])?.extensions.code).toBe('UNAUTHENTICATED');
      expect(data.teacher.lastName).toEqual(expect.any(String));
      expect(data.teacher.school.phone).toEqual(expect.any(String));
      if (caller === 'teacher') expect(errorAt(errors, ['teacher', 'email'])?.extensions.code).toBe('FORBIDDEN');
      else expect(errors).toBeUndefined();
    },
  },
  {
    name: 'a teacher of another school',
    query: (world) => `{ teacher(id: "${world.other.teacher}") { firstName } }`,
    check: (caller, { data, errors }) => {
      if (caller === 'admin') return expect(data.teacher.firstName).toEqual(expect.any(String));
      expect(errorAt(errors, ['teacher'])?.extensions.code).toBe(hiddenCode(caller, ['teacher', 'headmaster']));
    },
  },
  {
    name: 'nested relations: a teacher never reaches the headmaster through their school',
    query: () => '{ teachers(limit: 3) { items { school { headmaster { email } } } } }',
    check: (caller, { data, errors }) => {
      if (caller === 'anonymous') return expect(errorAt(errors, ['teachers'])?.extensions.code).toBe('UNAUTHENTICATED');
      data.teachers.items.forEach((item: any, index: number) => {
        const error = errorAt(errors, ['teachers', 'items', index, 'school', 'headmaster']);
        if (caller === 'teacher') expect(error?.extensions.code).toBe('FORBIDDEN');
        else expect(item.school.headmaster.email).toEqual(expect.any(String));
      });
    },
  },
  {
    name: 'mutation: a teacher into another school',
    query: (world) => `mutation {
      createTeacher(input: { firstName: "G", lastName: "Q", email: "g.q@example.org", phone: "+1 555 0153",
        subjects: ["art"], schoolId: "${world.other.school}" }) { id }
    }`,
    check: (caller, { data, errors }) => {
      expect(data).toBeNull();
      expect(errorAt(errors, ['createTeacher'])?.extensions.code).toBe(deniedCode(caller));
    },
  },
  {
    name: 'another school’s subjects, for anyone',
    query: (world) =>
      `{ school(id: "${world.other.school}") { subjects(limit: 100) { total items { code schoolId } } } }`,
    check: (_caller, { data, errors }, world) => {
      expect(errors).toBeUndefined();
      expect(data.school.subjects.total).toBe(world.counts.otherSubjects);
      for (const subject of data.school.subjects.items) expect(subject.schoolId).toBe(world.other.school);
    },
  },
  {
    name: 'a colleague’s subject details',
    query: (world) => `{ teacher(id: "${world.own.colleague}") { subjects subjectDetails { code schoolId } } }`,
    check: (caller, { data, errors }, world) => {
      if (caller === 'anonymous') return expect(errorAt(errors, ['teacher'])?.extensions.code).toBe('UNAUTHENTICATED');
      expect(errors).toBeUndefined();
      expect(data.teacher.subjectDetails).toEqual(
        data.teacher.subjects.map((code: string) => ({ code, schoolId: world.own.school })),
      );
    },
  },
  {
    name: 'mutation: a subject of another school',
    query: (world) => `mutation {
      updateSubject(id: "${world.other.subject}", input: { name: "Renamed" }) { id }
    }`,
    check: (caller, { data, errors }) => {
      expect(data).toBeNull();
      expect(errorAt(errors, ['updateSubject'])?.extensions.code).toBe(deniedCode(caller));
    },
  },
  {
    name: 'mutation: renaming the own school',
    query: (world) => `mutation { updateSchool(id: "${world.own.school}", input: { name: "Renamed" }) { id } }`,
    check: (caller, { data, errors }) => {
      expect(data).toBeNull();
      expect(errorAt(errors, ['updateSchool'])?.extensions.code).toBe(deniedCode(caller));
    },
  },
];

describe.each([
  ['the database', 'database', demoWorld],
  ['backup data (a drill)', 'fallback', backupWorld],
] as const)('Access control, answering from %s', (_label, source, makeWorld) => {
  const world = makeWorld();
  let sut: TestApp;
  const clients = {} as Record<CallerName, TestClient>;

  beforeAll(async () => {
    sut = await startTestApp();
    for (const caller of CALLERS) clients[caller] = await sut.as(world.callers[caller]);
    if (source === 'fallback') expect((await sut.request('POST', '/api/admin/fallback/drill')).status).toBe(200);
  });

  afterAll(async () => {
    await sut?.close();
  });

  describe('REST reads', () => {
    describe.each(READS.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
      it.each(CALLERS)('as %s', async (caller) => {
        const { method, path, body } = entry.request(world);
        const answer = await clients[caller].request(method, path, body);
        const outcome = entry.outcomes[caller];
        if (outcome !== 'ok') return expectDenial(answer, outcome, world, path);
        expect(answer.status).toBe(200);
        if (path.startsWith('/api/') && !path.startsWith('/api/admin')) {
          expect(answer.headers.get('x-data-source')).toBe(source);
        }
        entry.check?.(caller, answer.body, world);
      });
    });
  });

  describe('REST writes that are not allowed', () => {
    describe.each(DENIED_WRITES.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
      const denied = CALLERS.filter((caller) => entry.outcomes[caller] !== 'ok');
      it.each(denied)('as %s', async (caller) => {
        const { method, path, body } = entry.request(world);
        const outcome = entry.outcomes[caller] as 401 | 403 | 404;
        expectDenial(await clients[caller].request(method, path, body), outcome, world, path);
      });
    });

    it('changed nothing', async () => {
      const own = await sut.request('GET', `/api/schools/${world.own.school}`);
      expect(own.body.name).not.toBe('Renamed');
      expect((await sut.request('GET', `/api/teachers/${world.other.teacher}`)).status).toBe(200);
      expect((await sut.request('GET', `/api/headmasters/${world.other.headmaster}`)).status).toBe(200);
      const created = await sut.request('GET', '/api/teachers?q=Matrix');
      expect(created.body.total).toBe(0);
      expect((await sut.request('GET', '/api/subjects?q=matrix')).body.total).toBe(0);
      const subject = await sut.request('GET', `/api/subjects/${world.other.subject}`);
      expect(subject.body.name).not.toBe('Renamed');
    });
  });

  describe('REST writes that are allowed', () => {
    const accepted = source === 'fallback' ? [202] : [200, 201, 204];

    it('a headmaster hires, updates and removes a teacher of their own school', async () => {
      const hired = await clients.headmaster.request(
        'POST',
        `/api/headmasters/${world.own.headmaster}/teachers`,
        validTeacher(`hired-${source}`),
      );
      expect(accepted).toContain(hired.status);
      expect(hired.body.schoolId).toBe(world.own.school);
      const updated = await clients.headmaster.request('PATCH', `/api/teachers/${hired.body.id}`, {
        status: 'on_leave',
      });
      expect(accepted).toContain(updated.status);
      expect(updated.body.status).toBe('on_leave');
      const removed = await clients.headmaster.request('DELETE', `/api/teachers/${hired.body.id}`);
      expect(accepted).toContain(removed.status);
    });

    it('a headmaster adds a teacher to their own school directly', async () => {
      const created = await clients.headmaster.request('POST', '/api/teachers', {
        ...validTeacher(`direct-${source}`),
        schoolId: world.own.school,
      });
      expect(accepted).toContain(created.status);
      await sut.request('DELETE', `/api/teachers/${created.body.id}`);
    });

    it('a headmaster adds, renames and removes a subject of their own school', async () => {
      const added = await clients.headmaster.request(
        'POST',
        '/api/subjects',
        validSubject(world.own.school, `matrix-${source}`),
      );
      expect(accepted).toContain(added.status);
      expect(added.body.schoolId).toBe(world.own.school);
      const renamed = await clients.headmaster.request('PATCH', `/api/subjects/${added.body.id}`, {
        name: 'Matrix studies II',
      });
      expect(accepted).toContain(renamed.status);
      expect(renamed.body.name).toBe('Matrix studies II');
      const removed = await clients.headmaster.request('DELETE', `/api/subjects/${added.body.id}`);
      expect(accepted).toContain(removed.status);
    });

    it('an admin creates and removes a school', async () => {
      const created = await clients.admin.request('POST', '/api/schools', {
        ...validSchool,
        code: `MATRIX-${source.toUpperCase()}`,
      });
      expect(accepted).toContain(created.status);
      expect((await clients.admin.request('DELETE', `/api/schools/${created.body.id}`)).status).toBe(
        source === 'fallback' ? 202 : 204,
      );
    });
  });

  describe('GraphQL', () => {
    describe.each(GRAPHQL.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
      // Mutations are run only by those they are denied to: an admin's would change the data.
      const callers = entry.query(world).trim().startsWith('mutation')
        ? CALLERS.filter((caller) => caller !== 'admin')
        : CALLERS;
      it.each(callers)('as %s', async (caller) => {
        const answer = await clients[caller].graphql(entry.query(world));
        expect(answer.status).toBe(200);
        // Where the data came from, when any was read (a denial before any read reads nothing).
        const data = Object.values(answer.body.data ?? {}).filter((value) => value !== null);
        if (data.length > 0) expect(answer.body.extensions?.dataSource).toBe(source);
        for (const error of answer.body.errors ?? []) {
          expect(JSON.stringify(error)).not.toMatch(/@/);
          expect(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND']).toContain(error.extensions?.code);
        }
        entry.check(caller, answer.body, world);
      });
    });
  });
});
