import { Types } from 'mongoose';
import type { StoredRecord } from '../common/persistence/collection-store';
import { InMemoryCollection } from './in-memory-collection';

interface Teacher {
  name: string;
  schoolId: Types.ObjectId;
  subjects: string[];
  level: number;
}

const HILL = new Types.ObjectId('64b000000000000000000001');
const DALE = new Types.ObjectId('64b000000000000000000002');
const AT = new Date('2026-11-30T12:00:00Z');

function teacher(n: number, schoolId: Types.ObjectId, subjects: string[]): StoredRecord<Teacher> {
  const _id = new Types.ObjectId(`64c${String(n).padStart(21, '0')}`);
  return { _id, name: `Teacher ${n}`, schoolId, subjects, level: n % 3, createdAt: AT, updatedAt: AT };
}

const TEACHERS = Array.from({ length: 30 }, (_, index) =>
  teacher(index + 1, index % 3 === 0 ? DALE : HILL, index % 2 ? ['math', 'art'] : ['physics']),
);

const names = (records: readonly { name: string }[]) => records.map((record) => record.name);

describe(InMemoryCollection.name, () => {
  /** What a scan of every record answers: the index must never change an answer. */
  function scanned(filter: Record<string, unknown>) {
    const all = new InMemoryCollection<Teacher>('teachers', TEACHERS);
    return all.find({ filter: { $and: [filter] }, sort: { name: 1 } });
  }

  it.each<[string, Record<string, unknown>]>([
    ['an ObjectId equality', { schoolId: HILL }],
    ['an element of an array field', { subjects: 'math' }],
    ['a number', { level: 2 }],
    ['$in', { schoolId: { $in: [DALE, HILL] } }],
    ['an equality with other conditions', { schoolId: DALE, level: { $gt: 0 }, name: /1/ }],
    ['a value nobody holds', { schoolId: new Types.ObjectId() }],
    ['a string against an ObjectId field', { schoolId: HILL.toHexString() }],
  ])('answers a filter on %s as a scan of every record does', async (_case, filter) => {
    const sut = new InMemoryCollection<Teacher>('teachers', TEACHERS);
    expect(names(await sut.find({ filter, sort: { name: 1 } }))).toEqual(names(await scanned(filter)));
    expect(await sut.count(filter)).toBe((await scanned(filter)).length);
  });

  it('answers a pipeline that starts with $match from the matching records only, as a scan would', async () => {
    const sut = new InMemoryCollection<Teacher>('teachers', TEACHERS);
    const rows = await sut.aggregate<{ _id: string; count: number }>([
      { $match: { schoolId: DALE } },
      { $unwind: '$subjects' },
      { $group: { _id: '$subjects', count: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    const dale = TEACHERS.filter((record) => record.schoolId.equals(DALE));
    const expected = ['math', 'art', 'physics']
      .map((subject) => ({ _id: subject, count: dale.filter((record) => record.subjects.includes(subject)).length }))
      .filter((row) => row.count > 0)
      .sort((a, b) => a._id.localeCompare(b._id));
    expect(rows).toEqual(expected);
  });

  it('sees records put and removed after a query built its index', async () => {
    const sut = new InMemoryCollection<Teacher>('teachers', TEACHERS);
    const before = await sut.count({ schoolId: HILL });
    sut.put({ ...TEACHERS[0], schoolId: HILL });
    sut.remove(TEACHERS[1]._id.toHexString());
    sut.put(teacher(99, HILL, ['art']));
    expect(await sut.count({ schoolId: HILL })).toBe(before + 1 - 1 + 1);
    expect(names(await sut.find({ filter: { schoolId: HILL, subjects: 'art' }, sort: { name: 1 } }))).toContain(
      'Teacher 99',
    );
  });
});
