import { Types, type QueryFilter } from 'mongoose';
import { NotFoundError } from '../errors/domain-errors';
import type { CollectionStore, StoredRecord } from './collection-store';
import { EntityRepository } from './entity-repository';

interface NoteRecord {
  text: string;
}
interface Note {
  id: string;
  text: string;
}

const STORED: StoredRecord<NoteRecord> = {
  _id: new Types.ObjectId('a0000000000000000000000a'),
  text: 'kept',
  createdAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-01-01T00:00:00Z'),
};
const UNKNOWN = 'b0000000000000000000000b';

class NoteRepository extends EntityRepository<NoteRecord, Note, object, Partial<NoteRecord>> {
  constructor(store: CollectionStore<NoteRecord>) {
    super(store, 'note');
  }

  protected readonly toEntity = (record: StoredRecord<NoteRecord>): Note => ({
    id: record._id.toHexString(),
    text: record.text,
  });
  protected readonly toRecord = (changes: Partial<NoteRecord>) => changes;
  protected readonly toQueryFilter = (): QueryFilter<NoteRecord> => ({});
}

describe(EntityRepository.name, () => {
  let sut: NoteRepository;

  beforeEach(() => {
    const held = (id: string) => (id === STORED._id.toHexString() ? STORED : undefined);
    const store = {
      findById: (id: string) => Promise.resolve(held(id)),
      updateById: (id: string, changes: Partial<NoteRecord>) => Promise.resolve(held(id) && { ...STORED, ...changes }),
      deleteById: (id: string) => Promise.resolve(held(id)),
    };
    sut = new NoteRepository(store as unknown as CollectionStore<NoteRecord>);
  });

  it('returns the entity with the id, and the entity after an update or as it was before a delete', async () => {
    const id = STORED._id.toHexString();
    await expect(sut.getOrThrow(id)).resolves.toEqual({ id, text: 'kept' });
    await expect(sut.update(id, { text: 'changed' })).resolves.toEqual({ id, text: 'changed' });
    await expect(sut.delete(id)).resolves.toEqual({ id, text: 'kept' });
  });

  it('answers NotFoundError naming the entity, the id and the field for an id it does not hold', async () => {
    const notFound = new NotFoundError('note', UNKNOWN);
    expect(notFound).toMatchObject({ message: `note ${UNKNOWN} not found`, field: 'id' });
    await expect(sut.getOrThrow(UNKNOWN)).rejects.toEqual(notFound);
    await expect(sut.update(UNKNOWN, { text: 'x' })).rejects.toEqual(notFound);
    await expect(sut.delete(UNKNOWN)).rejects.toEqual(notFound);
    await expect(sut.findById(UNKNOWN)).resolves.toBeUndefined();
  });
});
