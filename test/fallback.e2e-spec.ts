import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mongo } from 'mongoose';
import type { FerretdbServer } from '../src/database/ferretdb-server';
import { generateDemoData } from '../src/demo-data/demo-data';
import { startFaultDatabase, waitUntil } from './support/fault-database';
import { startTestApp, TestApp } from './support/test-app';

function fixture(file: string): any[] {
  const text = readFileSync(join(__dirname, '..', 'src', file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => mongo.BSON.EJSON.parse(line, { relaxed: false }));
}

const backup = {
  schools: fixture('school/persistence/fixtures/schools.json'),
  headmasters: fixture('headmaster/persistence/fixtures/headmasters.json'),
  teachers: fixture('teacher/persistence/fixtures/teachers.json'),
  subjects: fixture('subject/persistence/fixtures/subjects.json'),
};
const demo = generateDemoData();
const backupHeadmaster = backup.headmasters[1];
const backupSchoolId = backupHeadmaster.schoolId.toHexString();
const backupTeachersOfSchool = backup.teachers.filter((teacher) => teacher.schoolId.toHexString() === backupSchoolId);
/** A backup headmaster whose school, unlike backupHeadmaster's, the database does not hold. */
const strandedHeadmaster = backup.headmasters.find(
  (headmaster) => headmaster.schoolId.toHexString() !== backupSchoolId,
);

const FALLBACK_SETTINGS = {
  FALLBACK_OPERATION_TIMEOUT_MS: '1000',
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
  FALLBACK_RETRY_AFTER_SECONDS: '7',
};

describe('Fallback through real database outages', () => {
  let database: FerretdbServer;
  let sut: TestApp;

  const source = async (path: string) => (await sut.request('GET', path)).headers.get('x-data-source');

  beforeAll(async () => {
    database = await startFaultDatabase();
    sut = await startTestApp({ env: { MONGODB_URI: database.uri, ...FALLBACK_SETTINGS } });
    // The backup data is a sample of the database: backupHeadmaster's school and its subjects are stored there too,
    // so that a teacher hired into it during an outage refers to records the replay finds in the database.
    const db = sut.connection.db!;
    await db
      .collection('schools')
      .insertOne(backup.schools.find((school) => school._id.equals(backupHeadmaster.schoolId)));
    await db
      .collection('subjects')
      .insertMany(backup.subjects.filter((subject) => subject.schoolId.equals(backupHeadmaster.schoolId)));
  });

  afterAll(async () => {
    await database.restart().catch(() => undefined);
    await sut?.close();
    await database?.stop();
  });

  async function expectDatabaseBack() {
    await waitUntil(
      async () => (await source('/api/schools?limit=1')) === 'database',
      5000,
      'answers from the database',
    );
  }

  describe('while the database answers', () => {
    it('marks answers as database data, cacheable', async () => {
      const response = await sut.request('GET', '/api/schools?limit=1');
      expect(response.headers.get('x-data-source')).toBe('database');
      expect(response.headers.get('cache-control')).not.toBe('no-store');
      const graphql = await sut.graphql('{ schools(limit: 1) { total } }');
      expect(graphql.body.extensions).toEqual({ dataSource: 'database' });
    });

    it('reports normal mode', async () => {
      const health = await sut.request('GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ mode: 'normal', breaker: { state: 'closed' }, database: { status: 'up' } });
    });

    it('never answers application errors from backup data', async () => {
      const invalid = await sut.request('POST', '/api/teachers', { firstName: 'x' });
      const duplicate = await sut.request('POST', '/api/schools', {
        name: 'Dup',
        code: demo.schools[0].code,
        type: 'primary',
        address: { street: 's', city: 'c', region: 'r', postalCode: 'p' },
        phone: '+1 555 0100',
        email: 'dup@example.org',
      });
      const missing = await sut.request('GET', '/api/teachers/0123456789abcdef01234567');
      expect([invalid.status, duplicate.status, missing.status]).toEqual([400, 409, 404]);
      for (const response of [invalid, duplicate, missing])
        expect(response.headers.get('x-data-source')).toBe('database');
      const health = await sut.request('GET', '/health');
      expect(health.body.breaker.state).toBe('closed');
      // One count per registered collection, every one of them 0.
      expect(Object.keys(health.body.fallbackAnswers)).toEqual(expect.arrayContaining(['schools', 'subjects']));
      expect(Object.entries(health.body.fallbackAnswers).filter(([, count]) => count !== 0)).toEqual([]);
    });
  });

  describe('when the database process is killed', () => {
    beforeAll(async () => {
      await database.kill();
    });

    afterAll(async () => {
      await database.restart();
      await expectDatabaseBack();
    });

    it('answers the headmaster endpoints from backup data, marked', async () => {
      const id = backupHeadmaster._id.toHexString();
      const [school, teachers, dashboard] = await Promise.all([
        sut.request('GET', `/api/headmasters/${id}/school`),
        sut.request('GET', `/api/headmasters/${id}/teachers?limit=100`),
        sut.request('GET', `/api/headmasters/${id}/dashboard`),
      ]);
      for (const response of [school, teachers, dashboard]) {
        expect(response.status).toBe(200);
        expect(response.headers.get('x-data-source')).toBe('fallback');
        expect(response.headers.get('cache-control')).toBe('no-store');
      }
      expect(school.body.id).toBe(backupSchoolId);
      expect(teachers.body.total).toBe(backupTeachersOfSchool.length);
      expect(dashboard.body.teacherCount).toBe(backupTeachersOfSchool.length);
      const active = backupTeachersOfSchool.filter((teacher) => teacher.status === 'active').length;
      expect(dashboard.body.teachersByStatus).toContainEqual({ status: 'active', count: active });
    });

    it('evaluates filters, name search, sort and paging on the backup data', async () => {
      const subject = backup.teachers[0].subjects[0];
      const expected = backup.teachers
        .filter((teacher) => teacher.subjects.includes(subject))
        .sort((a, b) => a.lastName.localeCompare(b.lastName) || a._id.toHexString().localeCompare(b._id.toHexString()));
      const response = await sut.request('GET', `/api/teachers?subject=${subject}&sort=lastName&limit=2&offset=1`);
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(expected.length);
      expect(response.body.items.map((teacher: any) => teacher.id)).toEqual(
        expected.slice(1, 3).map((teacher) => teacher._id.toHexString()),
      );
      const name = backup.teachers[3].lastName;
      const search = await sut.request('GET', `/api/teachers?q=${encodeURIComponent(name.toLowerCase())}`);
      expect(search.body.items.map((teacher: any) => teacher.lastName)).toContain(name);
    });

    it('answers every list and GraphQL relation from backup data', async () => {
      for (const path of ['/api/schools', '/api/headmasters', '/api/teachers']) {
        const response = await sut.request('GET', path);
        expect(response.status).toBe(200);
        expect(response.headers.get('x-data-source')).toBe('fallback');
      }
      const graphql = await sut.graphql(
        `query ($id: ID!) {
          headmaster(id: $id) { lastName school { code teacherCount headmaster { id } } teachers { total } dashboard { teacherCount } }
          schools(limit: 50) { total items { code } }
        }`,
        { id: backupHeadmaster._id.toHexString() },
      );
      expect(graphql.body.errors).toBeUndefined();
      expect(graphql.body.extensions).toEqual({ dataSource: 'fallback' });
      expect(graphql.headers.get('x-data-source')).toBe('fallback');
      expect(graphql.body.data.headmaster.school.teacherCount).toBe(backupTeachersOfSchool.length);
      expect(graphql.body.data.headmaster.school.headmaster.id).toBe(backupHeadmaster._id.toHexString());
      expect(graphql.body.data.schools.total).toBe(backup.schools.length);
    });

    it('answers 503 with Retry-After for a record that is not in the backup data', async () => {
      const response = await sut.request('GET', `/api/teachers/${demo.teachers[0]._id.toHexString()}`);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('7');
      const graphql = await sut.graphql(`{ teacher(id: "${demo.teachers[0]._id.toHexString()}") { id } }`);
      expect(graphql.body.errors?.[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 7 });
    });

    it('reports degraded mode, since when and why, while staying ready', async () => {
      const health = await sut.request('GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        mode: 'degraded',
        database: { status: 'down' },
        breaker: { state: expect.stringMatching(/open/) },
      });
      expect(Date.parse(health.body.degradedSince)).toBeLessThanOrEqual(Date.now());
      expect(health.body.reason).toEqual(expect.any(String));
      expect(health.body.fallbackAnswers.teachers).toBeGreaterThan(0);
      expect((await sut.request('GET', '/health/ready')).status).toBe(200);
      expect((await sut.request('GET', '/health/live')).status).toBe(200);
      const metrics = await sut.request('GET', '/metrics');
      expect(metrics.body).toMatch(/fallback_answers_total\{collection="teachers",operation="find"\} [1-9]/);
      expect(metrics.body).toMatch(/database_circuit_state [12]/);
    });
  });

  describe('writes during an outage', () => {
    const email = 'queued.teacher@example.org';
    let queuedId: string;

    beforeAll(async () => {
      await database.kill();
    });

    it('accepts a write with 202, marked, and reads it back on the same instance', async () => {
      const response = await sut.request('POST', `/api/headmasters/${backupHeadmaster._id.toHexString()}/teachers`, {
        firstName: 'Queued',
        lastName: 'Teacher',
        email,
        phone: '+1 555 0150',
        subjects: ['mathematics'],
      });
      expect(response.status).toBe(202);
      expect(response.headers.get('x-data-source')).toBe('fallback');
      queuedId = response.body.id;
      const read = await sut.request('GET', `/api/teachers/${queuedId}`);
      expect(read.status).toBe(200);
      expect(read.body.email).toBe(email);
      const dashboard = await sut.request('GET', `/api/headmasters/${backupHeadmaster._id.toHexString()}/dashboard`);
      expect(dashboard.body.teacherCount).toBe(backupTeachersOfSchool.length + 1);
    });

    it('still validates writes, and rejects clashes with the backup data', async () => {
      const invalid = await sut.request('POST', '/api/teachers', { firstName: 'x' });
      expect(invalid.status).toBe(400);
      const clash = await sut.request('POST', `/api/headmasters/${backupHeadmaster._id.toHexString()}/teachers`, {
        firstName: 'Other',
        lastName: 'Teacher',
        email,
        phone: '+1 555 0151',
        subjects: ['art'],
      });
      expect(clash.status).toBe(409);
      expect(clash.body.field).toBe('email');
    });

    it('marks GraphQL mutations as queued', async () => {
      const response = await sut.graphql(
        `mutation ($id: ID!) { updateTeacher(id: $id, input: { status: on_leave }) { id status } }`,
        { id: queuedId },
      );
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data.updateTeacher.status).toBe('on_leave');
      expect(response.body.extensions).toEqual({ dataSource: 'fallback', writeQueued: true });
    });

    it('lists the pending writes for operators', async () => {
      const journal = await sut.request('GET', '/api/admin/fallback/journal?status=pending');
      expect(journal.body.entries.map((entry: any) => entry.operation)).toEqual(['insert', 'update']);
    });

    it('replays them to the database exactly once when it is back', async () => {
      await database.restart();
      await expectDatabaseBack();
      await waitUntil(
        async () => (await sut.request('GET', '/health')).body.journal.pending === 0,
        5000,
        'the journal to be replayed',
      );
      const stored = await sut.connection.db!.collection('teachers').find({ email }).toArray();
      expect(stored).toHaveLength(1);
      expect(stored[0]._id.toHexString()).toBe(queuedId);
      expect(stored[0].status).toBe('on_leave');
      const read = await sut.request('GET', `/api/teachers/${queuedId}`);
      expect(read.headers.get('x-data-source')).toBe('database');
      expect(read.body.status).toBe('on_leave');
    });

    it('keeps a write that cannot be applied as failed, with its reason', async () => {
      await database.kill();
      // The backup teacher does not exist in this database: the replayed update has nothing to change.
      const backupTeacherId = backup.teachers[0]._id.toHexString();
      const update = await sut.request('PATCH', `/api/teachers/${backupTeacherId}`, { status: 'left' });
      expect(update.status).toBe(202);
      // A school known only from the backup data: the hire is accepted now, but its reference does not hold at replay.
      const strandedSchoolId = strandedHeadmaster.schoolId.toHexString();
      const hire = await sut.request('POST', `/api/headmasters/${strandedHeadmaster._id.toHexString()}/teachers`, {
        firstName: 'Stranded',
        lastName: 'Teacher',
        email: 'stranded.teacher@example.org',
        phone: '+1 555 0152',
        subjects: ['mathematics'],
      });
      expect(hire.status).toBe(202);
      await database.restart();
      await expectDatabaseBack();
      await waitUntil(
        async () => (await sut.request('GET', '/health')).body.journal.failed === 2,
        5000,
        'the update and the hire to be marked failed',
      );
      const failed = await sut.request('GET', '/api/admin/fallback/journal');
      expect(failed.body.entries).toHaveLength(2);
      expect(failed.body.entries[0]).toMatchObject({ documentId: backupTeacherId, status: 'failed' });
      expect(failed.body.entries[0].error).toMatch(/deleted meanwhile/);
      expect(failed.body.entries[1]).toMatchObject({ documentId: hire.body.id, operation: 'insert', status: 'failed' });
      expect(failed.body.entries[1].error).toBe(
        `BAD_USER_INPUT (schoolId): schoolId ${strandedSchoolId} is not a known school`,
      );
      expect(
        await sut.connection.db!.collection('teachers').countDocuments({ email: 'stranded.teacher@example.org' }),
      ).toBe(0);
      const metrics = await sut.request('GET', '/metrics');
      expect(metrics.body).toMatch(/fallback_journal_replayed_total\{outcome="failed"\} 2/);
    });
  });

  describe('when the database process hangs (SIGSTOP)', () => {
    afterAll(async () => {
      database.resume();
      await expectDatabaseBack();
    });

    it('answers from backup data within the time limit instead of hanging', async () => {
      database.pause();
      const started = Date.now();
      const response = await sut.request('GET', `/api/headmasters/${backupHeadmaster._id.toHexString()}/dashboard`);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-data-source')).toBe('fallback');
      const next = Date.now();
      await sut.request('GET', '/api/schools');
      await sut.request('GET', '/api/schools');
      const third = await sut.request('GET', '/api/schools');
      expect(third.headers.get('x-data-source')).toBe('fallback');
      expect(Date.now() - next).toBeLessThan(4000);
    });

    it('returns to the database after SIGCONT', async () => {
      database.resume();
      const elapsed = await waitUntil(
        async () => (await source('/api/schools?limit=1')) === 'database',
        5000,
        'recovery',
      );
      expect(elapsed).toBeLessThan(5000);
    });
  });

  describe('drill mode', () => {
    it('forces degraded mode without touching the database, and ends on request', async () => {
      const start = await sut.request('POST', '/api/admin/fallback/drill');
      expect(start.body).toMatchObject({ mode: 'degraded', drill: true, breaker: { state: 'isolated' } });
      expect(await source('/api/schools')).toBe('fallback');
      const stop = await sut.request('DELETE', '/api/admin/fallback/drill');
      expect(stop.body).toMatchObject({ drill: false, breaker: { state: 'closed' } });
      expect(await source('/api/schools')).toBe('database');
    });
  });
});
