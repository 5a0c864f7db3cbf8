import { Types } from 'mongoose';
import type { FerretdbServer } from '../src/database/ferretdb-server';
import { generateDemoData } from '../src/demo-data/demo-data';
import { SnapshotRefresher } from '../src/fallback/last-known-good/snapshot-refresher';
import { startFaultDatabase, waitUntil } from './support/fault-database';
import { startTestApp, TestApp } from './support/test-app';

const SETTINGS = {
  FALLBACK_OPERATION_TIMEOUT_MS: '1000',
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
  FALLBACK_SNAPSHOT_COLLECTIONS: 'schools,headmasters,teachers,subjects',
  FALLBACK_SNAPSHOT_REFRESH_SECONDS: '1',
  FALLBACK_SNAPSHOT_PAGE_SIZE: '50',
};

/** A school with its headmaster and three teachers, written straight into the database: the service never read them. */
function newSchoolWorld() {
  const demo = generateDemoData();
  const schoolId = new Types.ObjectId();
  const school = { ...demo.schools[0], _id: schoolId, code: 'SNAP-0001', name: 'Snapshot Hill Academy' };
  const headmaster = { ...demo.headmasters[0], _id: new Types.ObjectId(), schoolId, email: 'head@snapshot-hill.org' };
  const teachers = demo.teachers
    .filter((teacher) => teacher.schoolId.equals(demo.schools[0]._id))
    .slice(0, 3)
    .map((teacher, index) => ({
      ...teacher,
      _id: new Types.ObjectId(),
      schoolId,
      email: `teacher${index}@snapshot-hill.org`,
    }));
  return { school, headmaster, teachers };
}

describe('Snapshots answer a collection whole through an outage', () => {
  let database: FerretdbServer;
  let sut: TestApp;
  const world = newSchoolWorld();
  const headmasterId = world.headmaster._id.toHexString();
  const schoolId = world.school._id.toHexString();

  beforeAll(async () => {
    database = await startFaultDatabase();
    sut = await startTestApp({ env: { MONGODB_URI: database.uri, ...SETTINGS } });
    const db = sut.connection.db!;
    await db.collection('schools').insertOne(world.school);
    await db.collection('headmasters').insertOne(world.headmaster);
    await db.collection('teachers').insertMany(world.teachers);
    const written = Date.now();
    const refresher = sut.app.get(SnapshotRefresher);
    await waitUntil(
      () =>
        Promise.resolve(
          Object.values(refresher.state()).every(
            (status) =>
              status.state === 'complete' && status.refreshedAt !== null && Date.parse(status.refreshedAt) > written,
          ),
        ),
      20_000,
      'a snapshot refresh after the writes',
    );
    await database.kill();
  }, 60_000);

  afterAll(async () => {
    await sut?.close().catch(() => undefined);
    await database?.stop();
  });

  it('keeps the configured collections whole', () => {
    const state = sut.app.get(SnapshotRefresher).state();
    expect(Object.keys(state).sort()).toEqual(['headmasters', 'schools', 'subjects', 'teachers']);
    expect(state.teachers.records).toBeGreaterThan(world.teachers.length);
  });

  it("answers a never-read headmaster's dashboard with the real values, marked stale with its age", async () => {
    const response = await sut.request('GET', `/api/headmasters/${headmasterId}/dashboard`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-data-source')).toBe('stale');
    expect(Number(response.headers.get('x-data-age'))).toBeGreaterThanOrEqual(0);
    expect(response.body.school).toMatchObject({ id: schoolId, name: 'Snapshot Hill Academy', code: 'SNAP-0001' });
    expect(response.body.teacherCount).toBe(3);
    const byStatus = response.body.teachersByStatus.reduce(
      (sum: number, { count }: { count: number }) => sum + count,
      0,
    );
    expect(byStatus).toBe(3);
  });

  it('answers list queries on a snapshotted collection with the real records', async () => {
    const response = await sut.request('GET', `/api/teachers?schoolId=${schoolId}&limit=10`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-data-source')).toBe('stale');
    expect(response.body.total).toBe(3);
    expect(response.body.items.map((teacher: { email: string }) => teacher.email).sort()).toEqual(
      world.teachers.map((teacher) => teacher.email).sort(),
    );
  });

  it('answers the same dashboard through GraphQL', async () => {
    const response = await sut.graphql<{
      headmaster: { dashboard: { teacherCount: number; school: { name: string } } };
    }>(`{ headmaster(id: "${headmasterId}") { dashboard { teacherCount school { name } } } }`);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.headmaster.dashboard).toEqual({
      teacherCount: 3,
      school: { name: 'Snapshot Hill Academy' },
    });
    expect(response.body.extensions).toMatchObject({ dataSource: 'stale', dataAgeSeconds: expect.any(Number) });
  });
});
