import { Model, Schema, Types } from 'mongoose';
import type { JournalledWrite } from './collection-store';
import { MongooseCollectionStore } from './mongoose-collection-store';

const ID = 'b0000000000000000000000b';
const BASE = new Date('2026-11-30T09:00:00.000Z');
const A_AT = new Date('2026-11-30T12:00:00.000Z');
const B_AT = new Date('2026-11-30T12:00:01.000Z');
const C_AT = new Date('2026-11-30T12:00:02.000Z');

type Stored = Record<string, unknown> & { _id: Types.ObjectId; updatedAt?: Date };
type Filter = { _id: Types.ObjectId; updatedAt?: Date | null };

/**
 * A collection of one record as the driver answers it: findOne by _id, updateOne and deleteOne filtered on _id and
 * updatedAt. `beforeNextWrite` runs once, just before the next write is matched: another writer slipping in.
 */
function newFakeCollection(record?: Stored) {
  let current = record && { ...record };
  let beforeNextWrite: (() => void) | undefined;
  let afterNextWrite: (() => void) | undefined;
  const matches = (filter: Filter) =>
    current !== undefined &&
    current._id.equals(filter._id) &&
    (!('updatedAt' in filter) || (current.updatedAt?.getTime() ?? null) === (filter.updatedAt?.getTime() ?? null));
  const slipIn = () => {
    const writer = beforeNextWrite;
    beforeNextWrite = undefined;
    writer?.();
  };
  const collection = {
    collectionName: 'teachers',
    findOne: jest.fn((filter: Filter) => Promise.resolve(current && matches(filter) ? { ...current } : null)),
    updateOne: jest.fn((filter: Filter, update: { $set: Record<string, unknown> }) => {
      slipIn();
      if (!matches(filter)) return Promise.resolve({ matchedCount: 0 });
      current = { ...current!, ...update.$set };
      afterNextWrite?.();
      afterNextWrite = undefined;
      return Promise.resolve({ matchedCount: 1 });
    }),
    deleteOne: jest.fn((filter: Filter) => {
      slipIn();
      if (!matches(filter)) return Promise.resolve({ deletedCount: 0 });
      current = undefined;
      return Promise.resolve({ deletedCount: 1 });
    }),
  };
  return {
    collection,
    current: () => current,
    /** Another writer changes the record between the replay's read and its write. */
    /** Another update filtered on the same version matched too and wrote its whole record last (FerretDB). */
    overwrittenAfterNextWrite: (record: Stored) => (afterNextWrite = () => (current = { ...record })),
    writeInBetween: (changes: Record<string, unknown>) =>
      (beforeNextWrite = () => (current = { ...current!, ...changes })),
  };
}

function newTestStore(record?: Stored) {
  const fake = newFakeCollection(record);
  const model = { schema: new Schema({}), collection: fake.collection } as unknown as Model<unknown>;
  const sut = new MongooseCollectionStore(model, 'teacher', 1000);
  return { sut, ...fake };
}

const stored: Stored = { _id: new Types.ObjectId(ID), phone: '+1 555 0100', status: 'active', updatedAt: BASE };

const updateAcceptedAt = (acceptedAt: Date, changes: Record<string, unknown>): JournalledWrite => ({
  operation: 'update',
  documentId: ID,
  payload: { ...changes, updatedAt: acceptedAt },
  acceptedAt,
  baseUpdatedAt: BASE,
  baseValues: Object.fromEntries(Object.keys(changes).map((field) => [field, stored[field]])),
});

describe(MongooseCollectionStore.name, () => {
  describe('applyJournalled', () => {
    it('converges on the later write whichever instance replays first, keeping the fields only one changed', async () => {
      const byA = updateAcceptedAt(A_AT, { phone: '+1 555 0101', status: 'on_leave' });
      const byB = updateAcceptedAt(B_AT, { phone: '+1 555 0102' });
      const aFirst = newTestStore(stored);
      const bFirst = newTestStore(stored);

      const inOrder = [await aFirst.sut.applyJournalled(byA), await aFirst.sut.applyJournalled(byB)];
      const reversed = [await bFirst.sut.applyJournalled(byB), await bFirst.sut.applyJournalled(byA)];

      const converged = { ...stored, phone: '+1 555 0102', status: 'on_leave', updatedAt: B_AT };
      expect(aFirst.current()).toEqual(converged);
      expect(bFirst.current()).toEqual(converged);
      expect(inOrder).toEqual([{ applied: true }, { applied: true }]);
      expect(reversed).toEqual([
        { applied: true },
        { applied: true, supersededBy: { updatedAt: B_AT, fields: { phone: '+1 555 0102' } } },
      ]);
    });

    it('answers superseded, writing nothing, when a later write changed every field of the update', async () => {
      const { sut, current, collection } = newTestStore({ ...stored, phone: '+1 555 0102', updatedAt: B_AT });

      const outcome = await sut.applyJournalled(updateAcceptedAt(A_AT, { phone: '+1 555 0101' }));

      expect(outcome).toEqual({
        applied: false,
        reason: 'a later write changed phone',
        supersededBy: { updatedAt: B_AT, fields: { phone: '+1 555 0102' } },
      });
      expect(current()).toMatchObject({ phone: '+1 555 0102', updatedAt: B_AT });
      expect(collection.updateOne).not.toHaveBeenCalled();
    });

    it('writes on the version it read, and decides again when another writer slipped in between', async () => {
      const { sut, current, writeInBetween, collection } = newTestStore(stored);
      writeInBetween({ phone: '+1 555 0109', updatedAt: C_AT });

      const outcome = await sut.applyJournalled(updateAcceptedAt(A_AT, { phone: '+1 555 0101', status: 'on_leave' }));

      expect(collection.updateOne).toHaveBeenCalledTimes(2);
      expect(collection.updateOne.mock.calls[1][0]).toEqual({ _id: stored._id, updatedAt: C_AT });
      expect(current()).toEqual({ ...stored, phone: '+1 555 0109', status: 'on_leave', updatedAt: C_AT });
      expect(outcome).toEqual({ applied: true, supersededBy: { updatedAt: C_AT, fields: { phone: '+1 555 0109' } } });
    });

    it('reads its write back, and decides again when a concurrent update on the same version wrote over it', async () => {
      const { sut, current, overwrittenAfterNextWrite, collection } = newTestStore(stored);
      overwrittenAfterNextWrite({ ...stored, phone: '+1 555 0101', updatedAt: A_AT });

      const outcome = await sut.applyJournalled(updateAcceptedAt(B_AT, { phone: '+1 555 0102' }));

      expect(outcome).toEqual({ applied: true });
      expect(collection.updateOne).toHaveBeenCalledTimes(2);
      expect(current()).toEqual({ ...stored, phone: '+1 555 0102', updatedAt: B_AT });
    });

    it('answers an update of a record deleted meanwhile as not applied, as before', async () => {
      const { sut } = newTestStore();

      await expect(sut.applyJournalled(updateAcceptedAt(A_AT, { phone: '+1 555 0101' }))).resolves.toEqual({
        applied: false,
        reason: `teachers ${ID} was deleted meanwhile`,
      });
    });

    it('gives up, changing nothing, when the record changes under every attempt', async () => {
      const { sut, collection, current } = newTestStore(stored);
      let tick = 0;
      collection.updateOne.mockImplementation(() => {
        current()!.updatedAt = new Date(C_AT.getTime() + ++tick);
        return Promise.resolve({ matchedCount: 0 });
      });

      const outcome = await sut.applyJournalled(updateAcceptedAt(A_AT, { phone: '+1 555 0101' }));

      expect(outcome).toEqual({ applied: false, reason: `teachers ${ID} changed under the replay 5 times in a row` });
      expect(current()?.phone).toBe('+1 555 0100');
    });

    describe('a delete', () => {
      const deleteAcceptedAt = (acceptedAt: Date): JournalledWrite => ({
        operation: 'delete',
        documentId: ID,
        acceptedAt,
        baseUpdatedAt: BASE,
      });

      it('deletes a record not changed since the delete was accepted', async () => {
        const { sut, current } = newTestStore(stored);

        await expect(sut.applyJournalled(deleteAcceptedAt(A_AT))).resolves.toEqual({ applied: true });
        expect(current()).toBeUndefined();
        await expect(sut.applyJournalled(deleteAcceptedAt(A_AT))).resolves.toEqual({ applied: true });
      });

      it('keeps a record changed after the delete was accepted: the delete is superseded', async () => {
        const { sut, current } = newTestStore({ ...stored, updatedAt: B_AT });

        await expect(sut.applyJournalled(deleteAcceptedAt(A_AT))).resolves.toEqual({
          applied: false,
          reason: 'the record was changed after it was deleted',
          supersededBy: { updatedAt: B_AT, fields: {} },
        });
        expect(current()).toBeDefined();
      });

      it('keeps a record another writer changed between the read and the delete', async () => {
        const { sut, current, writeInBetween } = newTestStore(stored);
        writeInBetween({ updatedAt: B_AT });

        await expect(sut.applyJournalled(deleteAcceptedAt(A_AT))).resolves.toMatchObject({
          applied: false,
          supersededBy: { updatedAt: B_AT },
        });
        expect(current()).toBeDefined();
      });
    });
  });
});
