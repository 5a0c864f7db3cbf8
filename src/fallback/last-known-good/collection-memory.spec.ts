import { Types } from 'mongoose';
import type { StoredRecord } from '../../common/persistence/collection-store';
import { InMemoryCollection } from '../in-memory-collection';
import { CollectionMemory } from './collection-memory';
import { LastKnownGood } from './last-known-good';
import { NO_SHARED_TIER } from './shared-tier';

type Teacher = StoredRecord<{ schoolId: Types.ObjectId; lastName: string }>;

const SCHOOL = new Types.ObjectId();
const AT = new Date(Date.UTC(2025, 0, 6));

function teacher(lastName: string, schoolId = SCHOOL): Teacher {
  return { _id: new Types.ObjectId(), schoolId, lastName, createdAt: AT, updatedAt: AT };
}

describe(CollectionMemory.name, () => {
  function newMemoryTest() {
    const tier = new LastKnownGood({ enabled: true, maxAgeMs: 3_600_000, maxBytes: 1024 * 1024 });
    const records = [teacher('Lovelace'), teacher('Hopper'), teacher('Noether', new Types.ObjectId())];
    tier.installSnapshot('teachers', new InMemoryCollection('teachers', records), tier.now(), 1000);
    const sut = new CollectionMemory<Teacher>('teachers', tier, NO_SHARED_TIER);
    const evaluate = jest.fn((snapshot: InMemoryCollection<Teacher>) => snapshot.count({ schoolId: SCHOOL }));
    const count = () => sut.result('count:school', { filter: { schoolId: SCHOOL } }, evaluate);
    return { sut, records, evaluate, count };
  }

  it('answers from the snapshot once and keeps the answer: the same query again is a lookup, still marked snapshot', async () => {
    const { evaluate, count } = newMemoryTest();

    expect(await count()).toMatchObject({ value: 2, source: 'snapshot' });
    expect(await count()).toMatchObject({ value: 2, source: 'snapshot' });
    expect(evaluate).toHaveBeenCalledTimes(1);
  });

  it('works the answer out again after a write that can change it, and keeps it after one that cannot', async () => {
    const { sut, records, evaluate, count } = newMemoryTest();
    await count();

    sut.written({ id: records[2]._id.toHexString(), before: records[2], after: { ...records[2], lastName: 'N.' } });
    expect(await count()).toMatchObject({ value: 2 });
    expect(evaluate).toHaveBeenCalledTimes(1);

    const added = teacher('Franklin');
    sut.written({ id: added._id.toHexString(), after: added });
    expect(await count()).toMatchObject({ value: 3, source: 'snapshot' });
    expect(evaluate).toHaveBeenCalledTimes(2);
  });
});
