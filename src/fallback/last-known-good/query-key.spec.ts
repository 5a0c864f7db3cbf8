import { Types } from 'mongoose';
import { canonicalKey } from './query-key';

const SCHOOL = '64b000000000000000000001';

describe('canonicalKey', () => {
  it('is the same for filters written in another key order, with undefined fields, ids in either case', () => {
    const a = canonicalKey('find', { filter: { status: 'active', schoolId: new Types.ObjectId(SCHOOL) }, limit: 20 });
    const b = canonicalKey('find', {
      limit: 20,
      skip: undefined,
      filter: { schoolId: new Types.ObjectId(SCHOOL.toUpperCase()), status: 'active', name: undefined },
    });
    expect(a).toBe(b);
  });

  it('keeps the order of sort fields, which is the query', () => {
    const byNameThenDate = canonicalKey('find', { filter: {}, sort: { name: 1, createdAt: -1 } });
    const byDateThenName = canonicalKey('find', { filter: {}, sort: { createdAt: -1, name: 1 } });
    expect(byNameThenDate).not.toBe(byDateThenName);
    const stageA = canonicalKey('aggregate', [{ $sort: { name: 1, _id: 1 } }]);
    const stageB = canonicalKey('aggregate', [{ $sort: { _id: 1, name: 1 } }]);
    expect(stageA).not.toBe(stageB);
  });

  it('tells apart operations, paging, array order, values of other types and regular expressions', () => {
    const keys = [
      canonicalKey('find', { filter: {} }),
      canonicalKey('count', { filter: {} }),
      canonicalKey('find', { filter: {}, skip: 20 }),
      canonicalKey('find', { filter: { subjects: { $all: ['math', 'art'] } } }),
      canonicalKey('find', { filter: { subjects: { $all: ['art', 'math'] } } }),
      canonicalKey('find', { filter: { level: 1 } }),
      canonicalKey('find', { filter: { level: '1' } }),
      canonicalKey('find', { filter: { name: /ada/i } }),
      canonicalKey('find', { filter: { name: /ada/ } }),
      canonicalKey('find', { filter: { name: 'ada' } }),
      canonicalKey('find', { filter: { at: new Date(0) } }),
      canonicalKey('find', { filter: { at: new Date(1) } }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('writes the flags of a regular expression in one order', () => {
    expect(canonicalKey('find', { name: /a/im })).toBe(canonicalKey('find', { name: /a/im }));
  });
});
