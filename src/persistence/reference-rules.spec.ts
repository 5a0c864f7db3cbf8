import mongoose, { Types } from 'mongoose';
import { ConflictError, InvalidInputError } from '../common/errors/domain-errors';
import type { ReplayableStore, StoredRecord } from '../common/persistence/collection-store';
import { InMemoryCollection } from '../fallback/in-memory-collection';
import { ReferenceCheckedStore } from './reference-checked-store';
import { ReferenceRules, type ReferencedCollection } from './reference-rules';

const { ObjectId } = mongoose.Schema.Types;

const SCHEMAS = {
  schools: new mongoose.Schema({ name: String }),
  subjects: new mongoose.Schema({ code: String, schoolId: { type: ObjectId, ref: 'SchoolRecord' } }),
  teachers: new mongoose.Schema({
    schoolId: { type: ObjectId, ref: 'SchoolRecord' },
    subjects: { type: [String], refByKey: { ref: 'SubjectRecord', key: 'code', within: 'schoolId' } },
  }),
};
const MODELS = { schools: 'SchoolRecord', subjects: 'SubjectRecord', teachers: 'TeacherRecord' } as const;
const ENTITIES = { schools: 'school', subjects: 'subject', teachers: 'teacher' } as const;
type Name = keyof typeof SCHEMAS;
type AnyRecord = Record<string, unknown>;

const stamp = { createdAt: new Date('2026-01-01'), updatedAt: new Date('2026-01-01') };
const school = { _id: new Types.ObjectId(), name: 'North', ...stamp };
const otherSchool = { _id: new Types.ObjectId(), name: 'South', ...stamp };
/** Known to the outage view only (the backup data), not to the database. */
const backupOnlySchool = { _id: new Types.ObjectId(), name: 'Backup', ...stamp };
const art = { _id: new Types.ObjectId(), code: 'art', schoolId: school._id, ...stamp };
const latin = { _id: new Types.ObjectId(), code: 'latin', schoolId: school._id, ...stamp };
const otherArt = { _id: new Types.ObjectId(), code: 'art', schoolId: otherSchool._id, ...stamp };
const teacher = { _id: new Types.ObjectId(), schoolId: school._id, subjects: ['art', 'latin'], ...stamp };

function collections(extraLive: Partial<Record<Name, AnyRecord[]>> = {}) {
  const database: Record<Name, AnyRecord[]> = {
    schools: [school, otherSchool],
    subjects: [art, latin, otherArt],
    teachers: [teacher],
  };
  const stores = {} as Record<Name, Record<'live' | 'database', InMemoryCollection<AnyRecord>>>;
  for (const name of Object.keys(database) as Name[]) {
    const records = database[name] as StoredRecord<AnyRecord>[];
    stores[name] = {
      database: new InMemoryCollection(name, records),
      live: new InMemoryCollection(name, [...records, ...((extraLive[name] ?? []) as StoredRecord<AnyRecord>[])]),
    };
  }
  return stores;
}

function setUp(extraLive: Partial<Record<Name, AnyRecord[]>> = {}) {
  const stores = collections(extraLive);
  const rules = new ReferenceRules();
  const checked = {} as Record<Name, ReferenceCheckedStore<AnyRecord>>;
  const inner = {} as Record<Name, jest.Mocked<ReplayableStore<AnyRecord>>>;
  for (const name of Object.keys(SCHEMAS) as Name[]) {
    const registered: ReferencedCollection = {
      collection: name,
      entity: ENTITIES[name],
      modelName: MODELS[name],
      schema: SCHEMAS[name],
      live: stores[name].live,
      database: stores[name].database,
    };
    rules.register(registered);
    inner[name] = {
      collectionName: name,
      insert: jest.fn((data: AnyRecord) => Promise.resolve(data)),
      updateById: jest.fn((_id: string, changes: AnyRecord) => Promise.resolve(changes)),
      deleteById: jest.fn(() => Promise.resolve({})),
      applyJournalled: jest.fn(() => Promise.resolve({ applied: true as const })),
    } as unknown as jest.Mocked<ReplayableStore<AnyRecord>>;
    checked[name] = new ReferenceCheckedStore(inner[name], rules, stores[name]);
  }
  return { checked, inner, stores };
}

describe(ReferenceCheckedStore.name, () => {
  it('writes a record whose references all resolve', async () => {
    const { checked, inner } = setUp();
    const hire = { _id: new Types.ObjectId(), schoolId: school._id, subjects: ['art'] };
    await checked.teachers.insert(hire);
    expect(inner.teachers.insert).toHaveBeenCalledWith(hire);
  });

  it('refuses an unknown school with a 400 naming the field, and writes nothing', async () => {
    const { checked, inner } = setUp();
    const nowhere = new Types.ObjectId();
    await expect(checked.teachers.insert({ schoolId: nowhere, subjects: [] })).rejects.toThrow(
      new InvalidInputError(`schoolId ${nowhere.toHexString()} is not a known school`, 'schoolId'),
    );
    const error = await checked.subjects.insert({ code: 'x', schoolId: nowhere }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ field: 'schoolId' });
    expect(inner.teachers.insert).not.toHaveBeenCalled();
    expect(inner.subjects.insert).not.toHaveBeenCalled();
  });

  it("refuses subject codes that are not the school's, naming them", async () => {
    const { checked } = setUp();
    await expect(
      checked.teachers.insert({ schoolId: otherSchool._id, subjects: ['art', 'latin', 'geology'] }),
    ).rejects.toThrow(
      new InvalidInputError(
        `subjects: latin, geology are not subjects of school ${otherSchool._id.toHexString()}`,
        'subjects',
      ),
    );
  });

  it("checks the subjects again when a teacher moves school, against the new school's subjects", async () => {
    const { checked, inner } = setUp();
    const error = await checked.teachers
      .updateById(teacher._id.toHexString(), { schoolId: otherSchool._id })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'subjects', message: expect.stringContaining('latin is not a subject') });
    await checked.teachers.updateById(teacher._id.toHexString(), { schoolId: otherSchool._id, subjects: ['art'] });
    expect(inner.teachers.updateById).toHaveBeenCalledTimes(1);
  });

  it('refuses to delete a school others refer to, naming who (409), and deletes one nobody refers to', async () => {
    const { checked, inner } = setUp();
    await expect(checked.schools.deleteById(school._id.toHexString())).rejects.toThrow(
      new ConflictError(
        `school ${school._id.toHexString()} is referred to by 2 subjects (schoolId) and 1 teacher (schoolId): ` +
          'it cannot be deleted while they refer to it',
      ),
    );
    expect(inner.schools.deleteById).not.toHaveBeenCalled();
    const empty = { _id: new Types.ObjectId(), name: 'Empty', ...stamp };
    const { checked: withEmpty, inner: innerWithEmpty } = setUp({ schools: [empty] });
    await withEmpty.schools.deleteById(empty._id.toHexString());
    expect(innerWithEmpty.schools.deleteById).toHaveBeenCalled();
  });

  it('keeps a subject that teachers teach: not deleted, not recoded (409 naming code), other changes pass', async () => {
    const { checked, inner } = setUp();
    await expect(checked.subjects.deleteById(art._id.toHexString())).rejects.toBeInstanceOf(ConflictError);
    const recode = await checked.subjects
      .updateById(art._id.toHexString(), { code: 'fine-art' })
      .catch((caught: unknown) => caught);
    expect(recode).toMatchObject({
      code: 'CONFLICT',
      field: 'code',
      message: 'subject art is referred to by 1 teacher (subjects): its code cannot change while they refer to it',
    });
    await checked.subjects.updateById(art._id.toHexString(), { code: 'art', name: 'Fine art' });
    await checked.subjects.deleteById(otherArt._id.toHexString());
    expect(inner.subjects.updateById).toHaveBeenCalledTimes(1);
    expect(inner.subjects.deleteById).toHaveBeenCalledTimes(1);
  });

  describe('at replay', () => {
    it('checks against the database alone: a school known only from the backup data fails the write', async () => {
      const { checked, inner } = setUp({ schools: [backupOnlySchool] });
      // Live (during the outage) the school is known, so the hire is accepted...
      await checked.teachers.insert({ schoolId: backupOnlySchool._id, subjects: [] });
      // ...and at replay it is not applied, saying which rule and field.
      const outcome = await checked.teachers.applyJournalled({
        operation: 'insert',
        documentId: new Types.ObjectId().toHexString(),
        payload: { schoolId: backupOnlySchool._id, subjects: [] },
      });
      expect(outcome).toEqual({
        applied: false,
        reason: `BAD_USER_INPUT (schoolId): schoolId ${backupOnlySchool._id.toHexString()} is not a known school`,
      });
      expect(inner.teachers.applyJournalled).not.toHaveBeenCalled();
    });

    it('refuses a journalled delete of a school that has dependents in the database', async () => {
      const { checked, inner } = setUp();
      const outcome = await checked.schools.applyJournalled({
        operation: 'delete',
        documentId: school._id.toHexString(),
      });
      expect(outcome).toMatchObject({ applied: false, reason: expect.stringMatching(/^CONFLICT.*1 teacher/) });
      expect(inner.schools.applyJournalled).not.toHaveBeenCalled();
    });

    it('applies a journalled write that keeps the rules, and lets a database failure through to the replay', async () => {
      const { checked, inner, stores } = setUp();
      const write = {
        operation: 'update' as const,
        documentId: teacher._id.toHexString(),
        payload: { subjects: ['art'] },
      };
      await expect(checked.teachers.applyJournalled(write)).resolves.toEqual({ applied: true });
      expect(inner.teachers.applyJournalled).toHaveBeenCalledWith(write);

      const down = Object.assign(new Error('connection refused'), { name: 'MongoNetworkError' });
      jest.spyOn(stores.teachers.database, 'findById').mockRejectedValue(down);
      await expect(checked.teachers.applyJournalled(write)).rejects.toBe(down);
    });
  });
});
