import { generateDemoData, type SubjectSeed } from '../src/demo-data/demo-data';
import { EdgeTtls } from '../src/edge/edge-ttls';
import { expectGraphqlLifecycle, expectRestLifecycle, RestCollection } from './support/crud';
import { backupWorld, demoWorld, readFixture, type SchoolWorld } from './support/school-world';
import { startTestApp, type TestApp, type TestClient } from './support/test-app';

/**
 * Subjects over REST and GraphQL against the real database (public reads, writes by the school's headmaster
 * and admins, a code unique within its school), the references teachers make to them (School.subjects,
 * Teacher.subjectDetails, teachers' subjects checked against their school's), their edge-cache headers and
 * their backup data. Expected values come from the demo data and the backup fixture files.
 */

const demo = generateDemoData();
const world = demoWorld();
const backup = backupWorld();
const backupSubjects = readFixture('subject/persistence/fixtures/subjects.json');
const FIELDS = 'id name code schoolId createdAt updatedAt';
const UNKNOWN_ID = 'aaaaaaaaaaaaaaaaaaaaaaaa';

type CallerName = keyof SchoolWorld['callers'];

const hex = (id: { toHexString(): string }) => id.toHexString();
const subjectsOf = (schoolId: string) => demo.subjects.filter((subject) => hex(subject.schoolId) === schoolId);
const teachersOf = (schoolId: string) => demo.teachers.filter((teacher) => hex(teacher.schoolId) === schoolId);
const asJson = (subject: SubjectSeed) => ({
  id: hex(subject._id),
  name: subject.name,
  code: subject.code,
  schoolId: hex(subject.schoolId),
  createdAt: subject.createdAt.toISOString(),
  updatedAt: subject.updatedAt.toISOString(),
});

/** An elective one demo school teaches and another does not. */
const elective = (() => {
  for (const subject of demo.subjects) {
    const lacking = demo.schools.find(
      (school) => !subjectsOf(hex(school._id)).some((other) => other.code === subject.code),
    );
    if (lacking) return { code: subject.code, taughtAt: hex(subject.schoolId), notTaughtAt: hex(lacking._id) };
  }
  throw new Error('the demo data has no subject that only some schools teach');
})();

const newTeacher = (suffix: string, subjects: string[]) => ({
  firstName: 'Sam',
  lastName: `Subject${suffix}`,
  email: `sam.subject.${suffix.toLowerCase()}@example.org`,
  phone: '+1 555 0160',
  subjects,
});

describe('Subjects', () => {
  let sut: TestApp;
  const as = {} as Record<CallerName, TestClient>;

  beforeAll(async () => {
    sut = await startTestApp();
    for (const caller of Object.keys(world.callers) as CallerName[]) as[caller] = await sut.as(world.callers[caller]);
  });

  afterAll(async () => {
    await sut?.close();
  });

  describe('REST', () => {
    it("lists a school's subjects to anyone, anonymous callers included", async () => {
      const answer = await as.anonymous.request(
        'GET',
        `/api/subjects?schoolId=${world.own.school}&limit=100&sort=code`,
      );
      expect(answer.status).toBe(200);
      const expected = subjectsOf(world.own.school).sort((a, b) => a.code.localeCompare(b.code));
      expect(answer.body).toEqual({ items: expected.map(asJson), total: expected.length, limit: 100, offset: 0 });
      const one = expected[0];
      expect(await as.anonymous.request('GET', `/api/subjects/${hex(one._id)}`)).toMatchObject({
        status: 200,
        body: asJson(one),
      });
    });

    it('finds subjects by words of their name or code, across schools unless one is asked for', async () => {
      const everywhere = await sut.request('GET', '/api/subjects?q=education&limit=100');
      const matching = demo.subjects.filter(({ name, code }) => /education/i.test(`${name} ${code}`));
      expect(everywhere.body.total).toBe(matching.length);
      const own = await sut.request('GET', `/api/subjects?q=physical%20EDU&schoolId=${world.own.school}`);
      expect(own.body.items.map((subject: { code: string }) => subject.code)).toEqual(['physical-education']);
      const all = await sut.request('GET', '/api/subjects?limit=1');
      expect(all.body.total).toBe(demo.subjects.length);
    });

    it("lets the school's headmaster create, read, list, rename and recode, and delete a subject", async () => {
      const { created } = await expectRestLifecycle(new RestCollection(as.headmaster, '/api/subjects'), {
        create: { name: 'Astronomy', code: 'astronomy', schoolId: world.own.school },
        listQuery: { schoolId: world.own.school, q: 'astronomy' },
        changes: { name: 'Astronomy and space', code: 'space-science' },
      });
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        name: 'Astronomy',
        code: 'astronomy',
        schoolId: world.own.school,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('answers 409 naming code for a code the school already has; another school may have it too', async () => {
      const taken = subjectsOf(world.own.school)[0];
      const clash = await sut.request('POST', '/api/subjects', {
        name: 'Again',
        code: taken.code,
        schoolId: world.own.school,
      });
      expect(clash).toMatchObject({ status: 409, body: { error: 'CONFLICT', field: 'code' } });

      const elsewhere = await sut.request('POST', '/api/subjects', {
        name: 'Latin',
        code: elective.code,
        schoolId: elective.notTaughtAt,
      });
      expect(elsewhere.status).toBe(201);
      expect((await sut.request('DELETE', `/api/subjects/${elsewhere.body.id}`)).status).toBe(204);

      const fresh = await sut.request('POST', '/api/subjects', {
        name: 'Fresh',
        code: 'fresh',
        schoolId: world.own.school,
      });
      const recode = await sut.request('PATCH', `/api/subjects/${fresh.body.id}`, { code: taken.code });
      expect(recode).toMatchObject({ status: 409, body: { error: 'CONFLICT', field: 'code' } });
      expect(recode.body.message).toBe('a subject with this code already exists');
      expect((await sut.request('DELETE', `/api/subjects/${fresh.body.id}`)).status).toBe(204);
    });

    it.each([
      ['name', { name: '' }],
      ['code', { code: 'Maths' }],
      ['code', { code: 'two words' }],
      ['code', { code: undefined }],
      ['schoolId', { schoolId: 'not-an-id' }],
      ['teachers', { teachers: [] }],
    ])('answers 400 naming %s for an invalid subject', async (field, change) => {
      const body = { name: 'Valid', code: 'valid-code', schoolId: world.own.school, ...change };
      const answer = await sut.request('POST', '/api/subjects', body);
      expect(answer).toMatchObject({ status: 400, body: { error: 'BAD_USER_INPUT', field } });
      expect(answer.body.message).toContain(field);
    });

    it('keeps a subject with its school: schoolId cannot be changed (400 naming it)', async () => {
      const subject = subjectsOf(world.own.school)[0];
      const answer = await sut.request('PATCH', `/api/subjects/${hex(subject._id)}`, { schoolId: world.other.school });
      expect(answer).toMatchObject({ status: 400, body: { field: 'schoolId' } });
    });

    it('answers 400 naming schoolId for a school that does not exist, 404 for an unknown subject', async () => {
      const noSchool = await sut.request('POST', '/api/subjects', { name: 'X', code: 'x', schoolId: UNKNOWN_ID });
      expect(noSchool).toMatchObject({ status: 400, body: { field: 'schoolId' } });
      expect((await sut.request('GET', `/api/subjects/${UNKNOWN_ID}`)).status).toBe(404);
      expect((await sut.request('PATCH', `/api/subjects/${UNKNOWN_ID}`, { name: 'X' })).status).toBe(404);
      expect((await sut.request('DELETE', `/api/subjects/${UNKNOWN_ID}`)).status).toBe(404);
      expect(await sut.request('GET', '/api/subjects/nope')).toMatchObject({ status: 400, body: { field: 'id' } });
    });

    it('keeps a subject that teachers of its school teach: 409 on delete and on a new code', async () => {
      const code = teachersOf(world.own.school)[0].subjects[0];
      const teaching = teachersOf(world.own.school).filter((teacher) => teacher.subjects.includes(code)).length;
      const subject = subjectsOf(world.own.school).find((candidate) => candidate.code === code)!;
      const removal = await sut.request('DELETE', `/api/subjects/${hex(subject._id)}`);
      expect(removal).toMatchObject({ status: 409, body: { error: 'CONFLICT', field: 'id' } });
      expect(removal.body.message).toBe(
        `subject ${code} is referred to by ${teaching} teachers (subjects): it cannot be deleted while they refer to it`,
      );
      const recode = await sut.request('PATCH', `/api/subjects/${hex(subject._id)}`, { code: `${code}-new` });
      expect(recode).toMatchObject({ status: 409, body: { field: 'code' } });
      expect(recode.body.message).toBe(
        `subject ${code} is referred to by ${teaching} teachers (subjects): its code cannot change while they refer to it`,
      );
      expect((await sut.request('GET', `/api/subjects/${hex(subject._id)}`)).body).toEqual(asJson(subject));
    });

    it('marks reads cacheable by the edge, keyed by the records and the collection', async () => {
      const subject = subjectsOf(world.own.school)[0];
      const answer = await as.anonymous.request('GET', `/api/subjects/${hex(subject._id)}`);
      expect(answer.headers.get('cache-control')).toBe(
        `public, max-age=0, s-maxage=${sut.app.get(EdgeTtls).ttlOf('subjects')}`,
      );
      expect(answer.headers.get('xkey')).toBe(`subject:${hex(subject._id)}`);
      const list = await as.anonymous.request('GET', `/api/subjects?schoolId=${world.own.school}&limit=2`);
      expect(list.headers.get('xkey')?.split(' ')).toContain('subjects');
    });
  });

  describe('access rules', () => {
    const input = (schoolId: string, code: string) => ({ name: 'Access', code, schoolId });

    it("lets only the school's headmaster and admins write its subjects", async () => {
      expect((await as.anonymous.request('POST', '/api/subjects', input(world.own.school, 'a1'))).status).toBe(401);
      expect((await as.teacher.request('POST', '/api/subjects', input(world.own.school, 'a2'))).status).toBe(403);
      expect((await as.headmaster.request('POST', '/api/subjects', input(world.other.school, 'a3'))).status).toBe(403);
      const other = subjectsOf(world.other.school)[0];
      expect((await as.headmaster.request('PATCH', `/api/subjects/${hex(other._id)}`, { name: 'x' })).status).toBe(403);
      expect((await as.teacher.request('DELETE', `/api/subjects/${hex(other._id)}`)).status).toBe(403);
      const byAdmin = await as.admin.request('POST', '/api/subjects', input(world.other.school, 'by-admin'));
      expect(byAdmin.status).toBe(201);
      expect((await as.admin.request('DELETE', `/api/subjects/${byAdmin.body.id}`)).status).toBe(204);
    });
  });

  describe('GraphQL', () => {
    it('creates, reads, lists, updates and deletes a subject', async () => {
      await expectGraphqlLifecycle(sut, {
        type: 'Subject',
        list: 'subjects',
        fields: FIELDS,
        input: { name: 'Philosophy', code: 'philosophy', schoolId: world.own.school },
        filter: { q: 'philosophy' },
        changes: { name: 'Philosophy and ethics' },
      });
    });

    it('answers BAD_USER_INPUT and CONFLICT naming code', async () => {
      const create = 'mutation ($input: CreateSubjectInput!) { createSubject(input: $input) { id } }';
      const invalid = await sut.graphql(create, {
        input: { name: 'X', code: 'Not A Code', schoolId: world.own.school },
      });
      expect(invalid.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
      const taken = subjectsOf(world.own.school)[0].code;
      const clash = await sut.graphql(create, { input: { name: 'X', code: taken, schoolId: world.own.school } });
      expect(clash.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'code' });
    });

    it("resolves School.subjects for anyone and Teacher.subjectDetails in the order of the teacher's codes", async () => {
      const school = await (
        await sut.as({ role: 'anonymous' })
      ).graphql('query ($id: ID!) { school(id: $id) { subjects(limit: 100) { total items { code } } } }', {
        id: world.own.school,
      });
      expect(school.body.errors).toBeUndefined();
      expect(school.body.data.school.subjects.total).toBe(subjectsOf(world.own.school).length);

      const teachers = await as.headmaster.graphql(
        '{ teachers(limit: 100) { items { id subjects subjectDetails { code name schoolId } } } }',
      );
      expect(teachers.body.errors).toBeUndefined();
      const items = teachers.body.data.teachers.items as { id: string; subjects: string[]; subjectDetails: any[] }[];
      expect(items).toHaveLength(teachersOf(world.own.school).length);
      for (const teacher of items) {
        expect(teacher.subjectDetails).toEqual(
          teacher.subjects.map((code) => {
            const subject = subjectsOf(world.own.school).find((candidate) => candidate.code === code)!;
            return { code, name: subject.name, schoolId: world.own.school };
          }),
        );
      }
    });
  });

  describe("teachers' subjects are subjects of their school", () => {
    it('refuses a teacher with a code the school does not teach: 400 naming subjects, over REST and GraphQL', async () => {
      const create = await sut.request('POST', '/api/teachers', {
        ...newTeacher('Unknown', ['mathematics', 'astrology']),
        schoolId: world.own.school,
      });
      expect(create).toMatchObject({ status: 400, body: { error: 'BAD_USER_INPUT', field: 'subjects' } });
      expect(create.body.message).toBe(`subjects: astrology is not a subject of school ${world.own.school}`);

      const hire = await as.headmaster.request(
        'POST',
        `/api/headmasters/${world.own.headmaster}/teachers`,
        newTeacher('Hired', ['alchemy']),
      );
      expect(hire).toMatchObject({ status: 400, body: { field: 'subjects' } });

      const graphql = await sut.graphql(
        'mutation ($input: CreateTeacherInput!) { createTeacher(input: $input) { id } }',
        { input: { ...newTeacher('Graphql', [elective.code]), schoolId: elective.notTaughtAt } },
      );
      expect(graphql.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subjects' });
      const none = await sut.request('GET', '/api/teachers?q=Subject');
      expect(none.body.total).toBe(0);
    });

    it("checks changed subjects, and a move to another school, against the teacher's school", async () => {
      const created = await sut.request('POST', '/api/teachers', {
        ...newTeacher('Mover', [elective.code]),
        schoolId: elective.taughtAt,
      });
      expect(created.status).toBe(201);
      const { id } = created.body;

      const unknown = await sut.request('PATCH', `/api/teachers/${id}`, { subjects: ['astrology'] });
      expect(unknown).toMatchObject({ status: 400, body: { field: 'subjects' } });
      const move = await sut.request('PATCH', `/api/teachers/${id}`, { schoolId: elective.notTaughtAt });
      expect(move).toMatchObject({ status: 400, body: { field: 'subjects' } });
      expect(move.body.message).toBe(`subjects: ${elective.code} is not a subject of school ${elective.notTaughtAt}`);

      const moved = await sut.request('PATCH', `/api/teachers/${id}`, {
        schoolId: elective.notTaughtAt,
        subjects: ['mathematics'],
      });
      expect(moved).toMatchObject({ status: 200, body: { schoolId: elective.notTaughtAt, subjects: ['mathematics'] } });
      await sut.request('DELETE', `/api/teachers/${id}`);
    });

    it('accepts a code once the school teaches the subject', async () => {
      const refused = await sut.request('POST', '/api/teachers', {
        ...newTeacher('Later', ['astronomy']),
        schoolId: world.own.school,
      });
      expect(refused.status).toBe(400);
      const subject = await as.headmaster.request('POST', '/api/subjects', {
        name: 'Astronomy',
        code: 'astronomy',
        schoolId: world.own.school,
      });
      const accepted = await sut.request('POST', '/api/teachers', {
        ...newTeacher('Later', ['astronomy']),
        schoolId: world.own.school,
      });
      expect(accepted.status).toBe(201);
      expect((await sut.request('DELETE', `/api/subjects/${subject.body.id}`)).status).toBe(409);
      await sut.request('DELETE', `/api/teachers/${accepted.body.id}`);
      expect((await sut.request('DELETE', `/api/subjects/${subject.body.id}`)).status).toBe(204);
    });
  });

  describe('during a drill (degraded on purpose)', () => {
    beforeAll(async () => {
      expect((await sut.request('POST', '/api/admin/fallback/drill')).status).toBe(200);
    });

    afterAll(async () => {
      await sut.request('DELETE', '/api/admin/fallback/drill');
    });

    it("answers from the backup data, marked as such, with each backup school's every subject", async () => {
      const [first] = backupSubjects;
      const one = await as.anonymous.request('GET', `/api/subjects/${hex(first._id)}`);
      expect(one).toMatchObject({ status: 200, body: { id: hex(first._id), code: first.code, name: first.name } });
      expect(one.headers.get('x-data-source')).toBe('fallback');
      expect(one.headers.get('cache-control')).toBe('no-store');

      const ofSchool = await as.anonymous.request('GET', `/api/subjects?schoolId=${backup.own.school}&limit=100`);
      expect(ofSchool.headers.get('x-data-source')).toBe('fallback');
      const expected = backupSubjects.filter((subject) => hex(subject.schoolId) === backup.own.school);
      expect(ofSchool.body.total).toBe(expected.length);
      expect(expected.length).toBeGreaterThanOrEqual(15);
    });

    it('keeps codes unique within the school against the backup data: 409 for a taken code, 202 for a new one', async () => {
      const taken = backupSubjects.find((subject) => hex(subject.schoolId) === backup.own.school);
      const input = { name: 'Drill subject', code: taken.code, schoolId: backup.own.school };
      const clash = await sut.request('POST', '/api/subjects', input);
      expect(clash).toMatchObject({ status: 409, body: { field: 'code' } });
      const accepted = await sut.request('POST', '/api/subjects', { ...input, code: 'drill-subject' });
      expect(accepted).toMatchObject({ status: 202, body: { code: 'drill-subject', schoolId: backup.own.school } });
      const sameCodeElsewhere = await sut.request('POST', '/api/subjects', {
        ...input,
        code: 'drill-subject',
        schoolId: backup.other.school,
      });
      expect(sameCodeElsewhere.status).toBe(202);
      for (const { body } of [accepted, sameCodeElsewhere]) {
        expect((await sut.request('DELETE', `/api/subjects/${body.id}`)).status).toBe(202);
      }
    });

    it("checks a teacher's subjects against the backup data: unknown codes 400, known ones accepted (202)", async () => {
      const backupClient = await sut.as({
        role: 'headmaster',
        schoolId: backup.own.school,
        sub: backup.own.headmaster,
      });
      const refused = await backupClient.request(
        'POST',
        `/api/headmasters/${backup.own.headmaster}/teachers`,
        newTeacher('Drill', ['astrology']),
      );
      expect(refused).toMatchObject({ status: 400, body: { field: 'subjects' } });
      const code = backupSubjects.find((subject) => hex(subject.schoolId) === backup.own.school).code;
      const accepted = await backupClient.request(
        'POST',
        `/api/headmasters/${backup.own.headmaster}/teachers`,
        newTeacher('Drill', [code]),
      );
      expect(accepted).toMatchObject({ status: 202, body: { subjects: [code], schoolId: backup.own.school } });
      expect(accepted.headers.get('x-data-source')).toBe('fallback');
      expect((await backupClient.request('DELETE', `/api/teachers/${accepted.body.id}`)).status).toBe(202);
    });
  });
});
