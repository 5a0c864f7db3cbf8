import { find } from 'mingo';
import mongoose, { Types, type Schema } from 'mongoose';
import { registeredCollections } from '../bootstrap/app.module';
import { collectionNameOf } from '../common/persistence/collection-registration';
import { generateDemoData, type DemoData, type TeacherSeed } from '../demo-data/demo-data';
import { SCHOOL_TYPES } from '../school/school';
import type { CollectionReference } from '../common/persistence/schema-references';
import { findDanglingReferences } from '../fallback/fixtures/fixture-loader';
import { collectionReferences } from '../common/persistence/schema-references';
import {
  chooseRoot,
  representative,
  sampleCollections,
  type Sample,
  type SampledCollection,
  type SampleSource,
  type SourceRecord,
} from './sampler';

/** Collections in memory, queried with a MongoDB query engine as the database would answer. */
class MemorySource implements SampleSource {
  readonly queries: { collection: string; filter: Record<string, unknown> }[] = [];

  constructor(private readonly data: Record<string, readonly object[]>) {}

  async find(collection: string, filter: Record<string, unknown>, projection?: Record<string, 1>) {
    this.queries.push({ collection, filter });
    const found = find([...(this.data[collection] ?? [])], filter, projection).all() as SourceRecord[];
    return Promise.resolve(found.sort((a, b) => hex(a._id).localeCompare(hex(b._id))));
  }
}

const hex = (id: unknown) => (id as Types.ObjectId).toHexString();

const registered = registeredCollections().map((registration) => ({
  collection: collectionNameOf(registration),
  modelName: registration.model.name,
  schema: registration.model.schema as Schema,
}));
const REFERENCES = collectionReferences(registered);

function demoSource(data: DemoData = generateDemoData()): MemorySource {
  return new MemorySource({
    schools: data.schools,
    headmasters: data.headmasters,
    teachers: data.teachers,
    subjects: data.subjects,
  });
}

function ids(sample: Sample, collection: string): string[] {
  return (sample.records.get(collection) ?? []).map((record) => hex(record._id));
}

function expectNoDanglingReference(sample: Sample, references: readonly CollectionReference[]): void {
  const collections = Object.fromEntries(
    [...sample.records].map(([collection, records]) => [collection, { file: `${collection}.json`, records }]),
  );
  expect(findDanglingReferences(collections, references).map((error) => error.message)).toEqual([]);
}

describe(sampleCollections.name, () => {
  const demo = generateDemoData();
  const options = { seed: 'sampler test', perCollection: 5, perParent: 8 };
  const teachersOf = (schoolId: string) => demo.teachers.filter((teacher) => hex(teacher.schoolId) === schoolId);

  it('samples schools of every type, each with its headmaster and a share of its teachers', async () => {
    const sample = await sampleCollections(demoSource(demo), registered, REFERENCES, options);

    expect(sample.root).toBe('schools');
    const schools = sample.records.get('schools')!;
    expect(schools).toHaveLength(5);
    expect(new Set(schools.map((school) => school.type))).toEqual(new Set(SCHOOL_TYPES));

    const schoolIds = ids(sample, 'schools');
    const headmasterIds = demo.headmasters.filter((h) => schoolIds.includes(hex(h.schoolId))).map((h) => hex(h._id));
    expect(ids(sample, 'headmasters')).toEqual(headmasterIds.sort());

    // The largest staff gets perParent teachers, the others in proportion, each at least one.
    const staffSizes = schoolIds.map((id) => teachersOf(id).length);
    const largest = Math.max(...staffSizes);
    const sampledTeachers = sample.records.get('teachers')!;
    schoolIds.forEach((schoolId, index) => {
      const sampled = sampledTeachers.filter((teacher) => hex(teacher.schoolId) === schoolId);
      expect(sampled).toHaveLength(Math.max(1, Math.round((staffSizes[index] * options.perParent) / largest)));
      // Every status the school has appears, as far as its share allows.
      const statuses = new Set(teachersOf(schoolId).map((teacher) => teacher.status));
      expect(new Set(sampled.map((teacher) => teacher.status)).size).toBe(Math.min(statuses.size, sampled.length));
    });
    expect(sampledTeachers.every((teacher) => schoolIds.includes(hex(teacher.schoolId)))).toBe(true);
    expect(sample.dropped).toEqual([]);
    expectNoDanglingReference(sample, REFERENCES);
  });

  it('returns whole records ordered by _id', async () => {
    const sample = await sampleCollections(demoSource(demo), registered, REFERENCES, options);
    const teachers = sample.records.get('teachers')!;
    expect(ids(sample, 'teachers')).toEqual([...ids(sample, 'teachers')].sort());
    const original = demo.teachers.find((teacher) => teacher._id.equals(teachers[0]._id as Types.ObjectId));
    expect(teachers[0]).toEqual(original);
  });

  it('draws the same sample from the same data and seed, another one from another seed', async () => {
    const first = await sampleCollections(demoSource(), registered, REFERENCES, options);
    const again = await sampleCollections(demoSource(), registered, REFERENCES, options);
    const other = await sampleCollections(demoSource(), registered, REFERENCES, { ...options, seed: 'another' });
    expect(ids(again, 'teachers')).toEqual(ids(first, 'teachers'));
    expect(ids(again, 'schools')).toEqual(ids(first, 'schools'));
    expect(ids(other, 'schools')).not.toEqual(ids(first, 'schools'));
  });

  it('keeps its records when records it did not pick are removed from the database', async () => {
    const first = await sampleCollections(demoSource(demo), registered, REFERENCES, options);
    const sampledSchools = new Set(ids(first, 'schools'));
    const kept = (schoolId: Types.ObjectId) =>
      sampledSchools.has(hex(schoolId)) || schoolId.getTimestamp().getDate() % 2;
    const fewer: DemoData = {
      schools: demo.schools.filter((school) => kept(school._id)),
      headmasters: demo.headmasters.filter((headmaster) => kept(headmaster.schoolId)),
      teachers: demo.teachers.filter((teacher) => kept(teacher.schoolId)),
      subjects: demo.subjects.filter((subject) => kept(subject.schoolId)),
    };
    expect(fewer.schools.length).toBeLessThan(demo.schools.length);
    const second = await sampleCollections(demoSource(fewer), registered, REFERENCES, options);
    expect(ids(second, 'schools')).toEqual(ids(first, 'schools'));
    expect(ids(second, 'teachers')).toEqual(ids(first, 'teachers'));
  });

  it('asks the database for the sampled records and their families, not for whole collections', async () => {
    const source = demoSource(demo);
    await sampleCollections(source, registered, REFERENCES, options);
    const unfiltered = source.queries.filter(({ filter }) => Object.keys(filter).length === 0);
    expect(unfiltered.map(({ collection }) => collection)).toEqual(['schools']);
  });

  it('leaves out records whose references point at nothing', async () => {
    const first = await sampleCollections(demoSource(demo), registered, REFERENCES, options);
    const brokenTeacherId = ids(first, 'teachers')[0];
    const broken: DemoData = {
      ...demo,
      teachers: demo.teachers.map((teacher) =>
        hex(teacher._id) === brokenTeacherId
          ? { ...teacher, subjects: ['no-such-subject' as TeacherSeed['subjects'][number]] }
          : teacher,
      ),
    };
    const sample = await sampleCollections(demoSource(broken), registered, REFERENCES, options);
    expect(sample.dropped[0]).toEqual({
      collection: 'teachers',
      id: brokenTeacherId,
      field: 'subjects',
      missingFrom: 'subjects',
    });
    expect(ids(sample, 'teachers')).not.toContain(brokenTeacherId);
    expectNoDanglingReference(sample, REFERENCES);
  });

  describe('a collection added later, found through its refs alone', () => {
    const { ObjectId } = mongoose.Schema.Types;
    const roomSchema = new mongoose.Schema({ name: String, schoolId: { type: ObjectId, ref: 'SchoolRecord' } });
    const teacherSchema = registered.find(({ collection }) => collection === 'teachers')!.schema.clone();
    teacherSchema.add({ roomIds: [{ type: ObjectId, ref: 'RoomRecord' }] });
    const collections = [
      ...registered.map((entry) => (entry.collection === 'teachers' ? { ...entry, schema: teacherSchema } : entry)),
      { collection: 'rooms', modelName: 'RoomRecord', schema: roomSchema },
    ];
    const references = collectionReferences(collections);

    /** Every school has three rooms; teachers teach in one or two of their school's. */
    function withRooms(data: DemoData) {
      const rooms = data.schools.flatMap((school) =>
        [1, 2, 3].map((n) => ({ _id: new Types.ObjectId(), name: `Room ${n}`, schoolId: school._id })),
      );
      const teachers = data.teachers.map((teacher, index) => {
        const own = rooms.filter((room) => room.schoolId.equals(teacher.schoolId));
        return { ...teacher, roomIds: own.slice(0, 1 + (index % 2)).map((room) => room._id) };
      });
      return { rooms, teachers };
    }
    const sourceOf = (rooms: object[], teachers: object[]) =>
      new MemorySource({
        schools: demo.schools,
        headmasters: demo.headmasters,
        subjects: demo.subjects,
        teachers,
        rooms,
      });

    it('samples it and keeps every reference, arrays included, whole', async () => {
      const { rooms, teachers } = withRooms(demo);
      const sample = await sampleCollections(sourceOf(rooms, teachers), collections, references, {
        ...options,
        perParent: 2,
      });

      expect(references).toContainEqual({ from: 'teachers', field: 'roomIds', to: 'rooms' });
      expect(sample.root).toBe('schools');
      const schoolIds = ids(sample, 'schools');
      const sampledRooms = sample.records.get('rooms')!;
      expect(sampledRooms.length).toBeGreaterThanOrEqual(schoolIds.length);
      for (const room of sampledRooms) expect(schoolIds).toContain(hex(room.schoolId));
      expectNoDanglingReference(sample, references);
    });

    it('brings along what a sampled record refers to in another family, without that family', async () => {
      const { rooms, teachers } = withRooms(demo);
      const first = await sampleCollections(sourceOf(rooms, teachers), collections, references, options);
      // A teacher of a school outside the sample also teaches in a room of a sampled school.
      const sampledSchool = ids(first, 'schools')[0];
      const outsider = teachers.find((teacher) => !ids(first, 'schools').includes(hex(teacher.schoolId)))!;
      const sharedRoom = rooms.find((room) => hex(room.schoolId) === sampledSchool)!;
      const changedTeachers = teachers.map((teacher) =>
        teacher === outsider ? { ...teacher, roomIds: [...teacher.roomIds, sharedRoom._id] } : teacher,
      );
      const sample = await sampleCollections(sourceOf(rooms, changedTeachers), collections, references, {
        ...options,
        perParent: 100,
      });

      expect(ids(sample, 'teachers')).toContain(hex(outsider._id));
      expect(ids(sample, 'schools')).toContain(hex(outsider.schoolId));
      const outsiderColleagues = teachers.filter((teacher) => teacher.schoolId.equals(outsider.schoolId));
      const sampledColleagues = outsiderColleagues.filter((teacher) =>
        ids(sample, 'teachers').includes(hex(teacher._id)),
      );
      expect(sampledColleagues.length).toBeLessThan(outsiderColleagues.length);
      expectNoDanglingReference(sample, references);
    });
  });
});

describe('sampling along references by key', () => {
  const { ObjectId } = mongoose.Schema.Types;
  const collections = [
    { collection: 'schools', modelName: 'SchoolRecord', schema: new mongoose.Schema({ name: String }) },
    {
      collection: 'subjects',
      modelName: 'SubjectRecord',
      schema: new mongoose.Schema({ code: String, schoolId: { type: ObjectId, ref: 'SchoolRecord' } }),
    },
    {
      collection: 'teachers',
      modelName: 'TeacherRecord',
      schema: new mongoose.Schema({
        schoolId: { type: ObjectId, ref: 'SchoolRecord' },
        subjects: { type: [String], refByKey: { ref: 'SubjectRecord', key: 'code', within: 'schoolId' } },
      }),
    },
  ];
  const references = collectionReferences(collections);
  const CODES = ['art', 'latin', 'music', 'physics'];

  /** Six schools teaching the same four codes; three teachers each, teaching one or two of them. */
  function world(change: (teacher: SourceRecord, index: number) => SourceRecord = (teacher) => teacher) {
    const schools = Array.from({ length: 6 }, (_, n) => ({ _id: new Types.ObjectId(), name: `School ${n}` }));
    const subjects = schools.flatMap((school) =>
      CODES.map((code) => ({ _id: new Types.ObjectId(), code, schoolId: school._id })),
    );
    const teachers = schools
      .flatMap((school, n) =>
        [0, 1, 2].map((t) => ({
          _id: new Types.ObjectId(),
          schoolId: school._id,
          subjects: CODES.slice((n + t) % 3, ((n + t) % 3) + 1 + (t % 2)),
        })),
      )
      .map(change);
    return { schools, subjects, teachers };
  }
  const subjectsOf = (sample: Sample, schoolId: unknown) =>
    sample.records
      .get('subjects')!
      .filter((subject) => (subject.schoolId as Types.ObjectId).equals(schoolId as Types.ObjectId))
      .map((subject) => subject.code)
      .sort();

  it("brings the subjects of the sampled teachers' own schools, and no teacher because of a subject", async () => {
    const data = world();
    const options = { seed: 'by key', perCollection: 2, perParent: 1 };
    const sample = await sampleCollections(new MemorySource(data), collections, references, options);

    expect(references).toContainEqual({
      from: 'teachers',
      field: 'subjects',
      to: 'subjects',
      key: 'code',
      within: 'schoolId',
    });
    const schoolIds = ids(sample, 'schools');
    expect(schoolIds).toHaveLength(2);
    expect(sample.records.get('teachers')!).toHaveLength(2);
    for (const teacher of sample.records.get('teachers')!) {
      expect(schoolIds).toContain(hex(teacher.schoolId));
      expect(subjectsOf(sample, teacher.schoolId)).toEqual(expect.arrayContaining(teacher.subjects as string[]));
    }
    for (const subject of sample.records.get('subjects')!) expect(schoolIds).toContain(hex(subject.schoolId));
    expectNoDanglingReference(sample, references);
  });

  it('takes every record of a sampled parent for a collection whose perParent is Infinity', async () => {
    const options = { seed: 'by key', perCollection: 2, perParent: 1, perParentOf: { subjects: Infinity } };
    const sample = await sampleCollections(new MemorySource(world()), collections, references, options);
    for (const schoolId of sample.records.get('schools')!.map((school) => school._id)) {
      expect(subjectsOf(sample, schoolId)).toEqual(CODES);
    }
    expect(sample.records.get('teachers')!).toHaveLength(2);
  });

  it('leaves out a teacher whose school does not teach one of their subjects', async () => {
    const options = { seed: 'by key', perCollection: 6, perParent: 3 };
    const data = world((teacher, index) => (index === 4 ? { ...teacher, subjects: ['astronomy'] } : teacher));
    const sample = await sampleCollections(new MemorySource(data), collections, references, options);
    expect(sample.dropped).toEqual([
      { collection: 'teachers', id: hex(data.teachers[4]._id), field: 'subjects', missingFrom: 'subjects' },
    ]);
    expect(sample.records.get('teachers')!).toHaveLength(17);
    expectNoDanglingReference(sample, references);
  });
});

describe(chooseRoot.name, () => {
  const collection = (name: string): SampledCollection => ({ collection: name, schema: new mongoose.Schema({}) });

  it('is the collection the others refer to most', () => {
    expect(chooseRoot(registered, REFERENCES)).toBe('schools');
    const references: CollectionReference[] = [
      { from: 'b', field: 'aId', to: 'a' },
      { from: 'a', field: 'cId', to: 'c' },
      { from: 'b', field: 'cId', to: 'c' },
      { from: 'c', field: 'parentId', to: 'c' },
    ];
    expect(chooseRoot(['a', 'b', 'c'].map(collection), references)).toBe('c');
    expect(chooseRoot(['x', 'y'].map(collection), [])).toBe('x');
  });
});

describe(representative.name, () => {
  const record = (n: number, kind: string, colour: string): SourceRecord => ({ _id: n, kind, colour });
  const byNumber = (candidate: SourceRecord) => String(candidate._id);

  it('covers every value of the enum fields first, then takes the best ranked', () => {
    const candidates = [
      record(1, 'a', 'red'),
      record(2, 'a', 'red'),
      record(3, 'a', 'red'),
      record(4, 'b', 'red'),
      record(5, 'a', 'blue'),
    ];
    expect(representative(candidates, 3, ['kind', 'colour'], byNumber).map(byNumber)).toEqual(['1', '4', '5']);
    expect(representative(candidates, 4, ['kind'], byNumber).map(byNumber)).toEqual(['1', '4', '2', '3']);
    expect(representative(candidates, 2, [], byNumber).map(byNumber)).toEqual(['1', '2']);
    expect(representative(candidates, 9, ['kind'], byNumber)).toHaveLength(5);
  });
});
