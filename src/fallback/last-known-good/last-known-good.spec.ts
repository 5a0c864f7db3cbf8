import { Types, type PipelineStage } from 'mongoose';
import type { StoredRecord } from '../../common/persistence/collection-store';
import { InMemoryCollection } from '../in-memory-collection';
import {
  boundedByHeap,
  changedByPipeline,
  LastKnownGood,
  type ChangedBy,
  type LastKnownGoodSettings,
} from './last-known-good';

type Teacher = StoredRecord<{ schoolId: Types.ObjectId; lastName: string; status: string; note?: string }>;

const SCHOOL_A = new Types.ObjectId();
const SCHOOL_B = new Types.ObjectId();
const HOUR_MS = 3_600_000;

function teacher(fields: Partial<Teacher> = {}): Teacher {
  const at = new Date(Date.UTC(2025, 0, 6));
  return {
    _id: new Types.ObjectId(),
    schoolId: SCHOOL_A,
    lastName: 'Lovelace',
    status: 'active',
    createdAt: at,
    updatedAt: at,
    ...fields,
  };
}

/** A tier with a clock the test moves; reads remembered as the database answered them "now". */
function newTierTest(settings: Partial<LastKnownGoodSettings> = {}) {
  let now = Date.UTC(2025, 0, 6, 9);
  const sut = new LastKnownGood(
    { enabled: true, maxAgeMs: 24 * HOUR_MS, maxBytes: 64 * 1024 * 1024, ...settings },
    () => now,
  );
  return {
    sut,
    advance: (ms: number) => (now += ms),
    /** Remembers a result as a read that began now, with no write of its collection meanwhile. */
    remember: (key: string, value: unknown, changedBy: ChangedBy, collection = 'teachers') =>
      sut.rememberResult(collection, key, value, changedBy, sut.generation(collection), now),
    rememberRecord: (record: Teacher, collection = 'teachers') =>
      sut.rememberRecords(collection, [record], sut.generation(collection), now),
    has: (key: string, collection = 'teachers') => sut.recallResult(collection, key) !== undefined,
  };
}

const ofSchoolA: ChangedBy = { filter: { schoolId: SCHOOL_A } };

describe(LastKnownGood.name, () => {
  describe('a write drops the remembered results it can change, and keeps the others', () => {
    it('drops a find whose filter the new version matches', () => {
      const { sut, remember, has } = newTierTest();
      remember('find:a', [], ofSchoolA);
      const created = teacher();
      sut.written('teachers', { id: created._id.toHexString(), after: created });
      expect(has('find:a')).toBe(false);
    });

    it('drops a find whose filter the old version matched (the record moved away)', () => {
      const { sut, remember, has } = newTierTest();
      const before = teacher();
      remember('find:a', [before], ofSchoolA);
      sut.written('teachers', { id: before._id.toHexString(), before, after: { ...before, schoolId: SCHOOL_B } });
      expect(has('find:a')).toBe(false);
    });

    it('keeps a find and a count neither version can match', () => {
      const { sut, remember, has } = newTierTest();
      remember('find:a', [], ofSchoolA);
      remember('count:a', 3, ofSchoolA);
      const before = teacher({ schoolId: SCHOOL_B });
      sut.written('teachers', { id: before._id.toHexString(), before, after: { ...before, lastName: 'Hopper' } });
      expect(has('find:a')).toBe(true);
      expect(has('count:a')).toBe(true);
    });

    it('drops a count the write can change', () => {
      const { sut, remember, has } = newTierTest();
      remember('count:active', 3, { filter: { status: 'active' } });
      const before = teacher({ schoolId: SCHOOL_B });
      sut.written('teachers', { id: before._id.toHexString(), before, after: { ...before, status: 'left' } });
      expect(has('count:active')).toBe(false);
    });

    it('matches filters with operators, and ids whatever their instance', () => {
      const { sut, remember, has } = newTierTest();
      remember('find:in', [], { filter: { schoolId: { $in: [new Types.ObjectId(SCHOOL_A.toHexString())] } } });
      remember('find:or', [], { filter: { $or: [{ status: 'left' }, { lastName: /^Hop/ }] } });
      const created = teacher({ lastName: 'Hopper' });
      sut.written('teachers', { id: created._id.toHexString(), after: created });
      expect(has('find:in')).toBe(false);
      expect(has('find:or')).toBe(false);
    });

    it('when the old version is unknown, drops results whose filter reads a field the update set', () => {
      const { sut, remember, has } = newTierTest();
      remember('find:a', [], ofSchoolA);
      remember('find:nested', [], { filter: { 'address.city': 'Leeds' } });
      const after = teacher({ schoolId: SCHOOL_B });
      sut.written('teachers', { id: after._id.toHexString(), after, changedFields: ['schoolId', 'address'] });
      expect(has('find:a')).toBe(false);
      expect(has('find:nested')).toBe(false);
    });

    it('when the old version is unknown, keeps results whose filter reads none of the fields the update set', () => {
      const { sut, remember, has } = newTierTest();
      remember('find:a', [], ofSchoolA);
      const after = teacher({ schoolId: SCHOOL_B });
      sut.written('teachers', { id: after._id.toHexString(), after, changedFields: ['lastName'] });
      expect(has('find:a')).toBe(true);
    });

    it('when the old version is unknown, drops results whose filter may read any field', () => {
      const { sut, remember, has } = newTierTest();
      remember('find:expr', [], { filter: { $expr: { $eq: ['$schoolId', SCHOOL_A] } } });
      const after = teacher({ schoolId: SCHOOL_B });
      sut.written('teachers', { id: after._id.toHexString(), after, changedFields: ['note'] });
      expect(has('find:expr')).toBe(false);
    });

    it('keeps a pipeline with a leading $match unless the write matches it', () => {
      const { sut, remember, has } = newTierTest();
      const pipeline: PipelineStage[] = [
        { $match: { schoolId: SCHOOL_A } },
        { $group: { _id: '$status', n: { $sum: 1 } } },
      ];
      remember('aggregate:a', [{ _id: 'active', n: 2 }], changedByPipeline(pipeline));
      const elsewhere = teacher({ schoolId: SCHOOL_B });
      sut.written('teachers', { id: elsewhere._id.toHexString(), after: elsewhere });
      expect(has('aggregate:a')).toBe(true);
      const here = teacher();
      sut.written('teachers', { id: here._id.toHexString(), after: here });
      expect(has('aggregate:a')).toBe(false);
    });

    it('drops a pipeline without a leading $match on any write of its collection', () => {
      const { sut, remember, has } = newTierTest();
      const pipeline: PipelineStage[] = [{ $group: { _id: '$schoolId', n: { $sum: 1 } } }, { $match: { n: 2 } }];
      expect(changedByPipeline(pipeline)).toBe('any-write');
      remember('aggregate:all', [], changedByPipeline(pipeline));
      remember('aggregate:schools', [], 'any-write', 'schools');
      const elsewhere = teacher({ schoolId: SCHOOL_B });
      sut.written('teachers', { id: elsewhere._id.toHexString(), after: elsewhere });
      expect(has('aggregate:all')).toBe(false);
      expect(has('aggregate:schools', 'schools')).toBe(true);
    });

    it('drops what a delete can change, and remembers the record as absent', () => {
      const { sut, remember, rememberRecord, has } = newTierTest();
      const deleted = teacher();
      rememberRecord(deleted);
      remember('find:a', [deleted], ofSchoolA);
      remember('count:b', 0, { filter: { schoolId: SCHOOL_B } });
      sut.written('teachers', { id: deleted._id.toHexString(), before: deleted });
      expect(has('find:a')).toBe(false);
      expect(has('count:b')).toBe(true);
      expect(sut.recallRecord('teachers', deleted._id.toHexString())).toEqual({
        value: undefined,
        at: expect.any(Number),
      });
    });

    it('drops every result of the collection on a delete of a record it does not know', () => {
      const { sut, remember, has } = newTierTest();
      remember('find:b', [], { filter: { schoolId: SCHOOL_B } });
      sut.written('teachers', { id: new Types.ObjectId().toHexString() });
      expect(has('find:b')).toBe(false);
    });

    it('takes the written record by id', () => {
      const { sut, rememberRecord } = newTierTest();
      const before = teacher();
      rememberRecord(before);
      const after = { ...before, lastName: 'Hopper' };
      sut.written('teachers', { id: before._id.toHexString().toUpperCase(), before, after });
      expect(sut.recallRecord('teachers', before._id.toHexString())?.value).toEqual(after);
    });
  });

  describe('a read that began before a write of its collection', () => {
    it('is not remembered: neither its result, nor its records, nor an absence', () => {
      const { sut, has } = newTierTest();
      const read = teacher();
      const since = sut.generation('teachers');
      const missing = new Types.ObjectId().toHexString();
      const other = teacher({ schoolId: SCHOOL_B });
      sut.written('teachers', { id: other._id.toHexString(), after: other });
      sut.rememberResult('teachers', 'find:a', [read], ofSchoolA, since, sut.now());
      sut.rememberRecords('teachers', [read], since, sut.now());
      sut.rememberAbsent('teachers', missing, since, sut.now());
      expect(has('find:a')).toBe(false);
      expect(sut.recallRecord('teachers', read._id.toHexString())).toBeUndefined();
      expect(sut.recallRecord('teachers', missing)).toBeUndefined();
    });

    it('is remembered when the write was of another collection', () => {
      const { sut, has } = newTierTest();
      const since = sut.generation('teachers');
      const school = { _id: new Types.ObjectId(), name: 'Grid', createdAt: new Date(), updatedAt: new Date() };
      sut.written('schools', { id: school._id.toHexString(), after: school });
      sut.rememberResult('teachers', 'find:a', [], ofSchoolA, since, sut.now());
      expect(has('find:a')).toBe(true);
    });
  });

  describe('the bound in bytes', () => {
    const maxBytes = 32 * 1024;

    it('holds at most maxBytes however much is remembered', () => {
      const { sut, remember, rememberRecord } = newTierTest({ maxBytes });
      for (let index = 0; index < 2000; index += 1) {
        rememberRecord(teacher({ note: 'x'.repeat(index % 300) }));
        remember(`find:${index}`, [teacher(), teacher()], ofSchoolA);
        expect(sut.stats().bytes).toBeLessThanOrEqual(maxBytes);
      }
      const stats = sut.stats();
      expect(stats.entries).toBeGreaterThan(10);
      expect(stats.bytes).toBeGreaterThan(maxBytes / 2);
      expect(stats.maxBytes).toBe(maxBytes);
    });

    it('lets the least recently used go first', () => {
      const { remember, has } = newTierTest({ maxBytes });
      remember('find:first', [teacher()], ofSchoolA);
      remember('find:second', [teacher()], ofSchoolA);
      for (let index = 0; index < 500; index += 1) {
        expect(has('find:first')).toBe(true);
        remember(`find:${index}`, [teacher()], ofSchoolA);
      }
      expect(has('find:second')).toBe(false);
      expect(has('find:0')).toBe(false);
      expect(has('find:499')).toBe(true);
    });

    it('never holds a single value larger than the bound', () => {
      const { sut, remember, has } = newTierTest({ maxBytes });
      remember('find:small', [teacher()], ofSchoolA);
      remember('find:huge', [teacher({ note: 'x'.repeat(maxBytes) })], ofSchoolA);
      expect(has('find:huge')).toBe(false);
      expect(has('find:small')).toBe(true);
      expect(sut.stats().bytes).toBeLessThanOrEqual(maxBytes);
    });

    it('counts the snapshots against the same bound', () => {
      const { sut, remember, has } = newTierTest({ maxBytes });
      for (let index = 0; index < 500; index += 1) remember(`find:${index}`, [teacher()], ofSchoolA);
      const before = sut.stats();
      const records = new InMemoryCollection<Record<string, unknown>>('schools', []);
      sut.installSnapshot('schools', records, sut.now(), sut.snapshotBudget);
      const after = sut.stats();
      expect(after.bytes).toBeLessThanOrEqual(maxBytes);
      expect(after.entries).toBeLessThan(before.entries);
      expect(has('find:499')).toBe(true);
      for (let index = 500; index < 1000; index += 1) {
        remember(`find:${index}`, [teacher()], ofSchoolA);
        expect(sut.stats().bytes).toBeLessThanOrEqual(maxBytes);
      }
      sut.dropSnapshot('schools');
      expect(sut.stats().bytes).toBeLessThanOrEqual(maxBytes / 2 + 1024);
    });

    it('no longer finds the results it let go when a write comes (nothing leaks)', () => {
      const { sut, remember, has } = newTierTest({ maxBytes });
      for (let index = 0; index < 1000; index += 1) remember(`find:${index}`, [teacher()], ofSchoolA);
      const created = teacher();
      sut.written('teachers', { id: created._id.toHexString(), after: created });
      expect(has('find:999')).toBe(false);
      remember('find:again', [], ofSchoolA);
      expect(has('find:again')).toBe(true);
    });
  });

  describe('the age limit', () => {
    it('recalls entries up to maxAgeMs old, never older', () => {
      const { sut, remember, rememberRecord, has, advance } = newTierTest({ maxAgeMs: HOUR_MS });
      const record = teacher();
      rememberRecord(record);
      remember('find:a', [record], ofSchoolA);
      advance(HOUR_MS);
      expect(has('find:a')).toBe(true);
      expect(sut.recallRecord('teachers', record._id.toHexString())).toBeDefined();
      advance(1);
      expect(has('find:a')).toBe(false);
      expect(sut.recallRecord('teachers', record._id.toHexString())).toBeUndefined();
    });

    it('ages an entry from when the read that answered it began', () => {
      const { sut, advance } = newTierTest({ maxAgeMs: HOUR_MS });
      const began = sut.now();
      const since = sut.generation('teachers');
      advance(HOUR_MS / 2);
      sut.rememberResult('teachers', 'find:a', [], ofSchoolA, since, began);
      advance(HOUR_MS / 2 + 1);
      expect(sut.recallResult('teachers', 'find:a')).toBeUndefined();
    });

    it('serves no snapshot older than maxAgeMs', () => {
      const { sut, advance } = newTierTest({ maxAgeMs: HOUR_MS });
      sut.installSnapshot('schools', new InMemoryCollection('schools', []), sut.now(), 100);
      expect(sut.snapshot('schools')).toBeDefined();
      advance(HOUR_MS + 1);
      expect(sut.snapshot('schools')).toBeUndefined();
    });

    it('reports the age of its oldest entry', () => {
      const { sut, remember, advance } = newTierTest();
      expect(sut.stats().oldestAgeSeconds).toBeNull();
      remember('find:a', [], ofSchoolA);
      advance(90_000);
      remember('find:b', [], ofSchoolA);
      expect(sut.stats().oldestAgeSeconds).toBe(90);
    });
  });

  describe('absent records (tombstones)', () => {
    it('tells a record known not to exist from one not known', () => {
      const { sut } = newTierTest();
      const missing = new Types.ObjectId().toHexString();
      sut.rememberAbsent('teachers', missing.toUpperCase(), sut.generation('teachers'), sut.now());
      expect(sut.recallRecord('teachers', missing)).toEqual({ value: undefined, at: sut.now() });
      expect(sut.recallRecord('teachers', new Types.ObjectId().toHexString())).toBeUndefined();
      expect(sut.recallRecord('schools', missing)).toBeUndefined();
    });

    it('replaces a tombstone by the record a later write creates', () => {
      const { sut } = newTierTest();
      const created = teacher();
      const id = created._id.toHexString();
      sut.rememberAbsent('teachers', id, sut.generation('teachers'), sut.now());
      sut.written('teachers', { id, after: created });
      expect(sut.recallRecord('teachers', id)?.value).toEqual(created);
    });

    it('forgets a record and the collection results a refused journalled write touched', () => {
      const { sut, remember, rememberRecord, has } = newTierTest();
      const record = teacher();
      rememberRecord(record);
      remember('find:b', [], { filter: { schoolId: SCHOOL_B } });
      sut.forget('teachers', record._id.toHexString().toUpperCase());
      expect(sut.recallRecord('teachers', record._id.toHexString())).toBeUndefined();
      expect(has('find:b')).toBe(false);
    });
  });

  describe('what it hands out', () => {
    it('is a copy: changing an answer changes nothing remembered', () => {
      const { sut, remember, rememberRecord } = newTierTest();
      const record = teacher();
      rememberRecord(record);
      remember('find:a', [record], ofSchoolA);
      const recalled = sut.recallResult<Teacher[]>('teachers', 'find:a')!.value;
      recalled[0].lastName = 'Changed';
      sut.recallRecord('teachers', record._id.toHexString())!.value!.lastName = 'Changed';
      expect(sut.recallResult<Teacher[]>('teachers', 'find:a')!.value[0].lastName).toBe('Lovelace');
      expect(sut.recallRecord('teachers', record._id.toHexString())!.value!.lastName).toBe('Lovelace');
    });

    it('remembers nothing when switched off', () => {
      const { sut, remember, rememberRecord, has } = newTierTest({ enabled: false });
      const record = teacher();
      rememberRecord(record);
      remember('find:a', [record], ofSchoolA);
      expect(has('find:a')).toBe(false);
      expect(sut.recallRecord('teachers', record._id.toHexString())).toBeUndefined();
      expect(sut.stats().entries).toBe(0);
    });
  });
});

describe(boundedByHeap.name, () => {
  const MB = 2 ** 20;
  const settings = { enabled: true, maxAgeMs: HOUR_MS, maxBytes: 64 * MB };

  it('keeps FALLBACK_STALE_MAX_MB when a quarter of the heap holds it', () => {
    expect(boundedByHeap(settings, 4096 * MB).maxBytes).toBe(64 * MB);
  });

  it('holds at most a quarter of the heap, so that a full tier never runs the service out of memory', () => {
    expect(boundedByHeap(settings, 176 * MB).maxBytes).toBe(44 * MB);
  });
});
