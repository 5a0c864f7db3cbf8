import { Types } from 'mongoose';
import type { JournalledWrite } from './collection-store';
import { resolveDelete, resolveUpdate, sameValue } from './journal-replay-rule';

const ID = 'b0000000000000000000000b';
/** When the record was last written before the outage. */
const BASE = new Date('2026-11-30T09:00:00.000Z');
/** Instance A accepted its update at 12:00:00, instance B its own a second later. */
const A_AT = new Date('2026-11-30T12:00:00.000Z');
const B_AT = new Date('2026-11-30T12:00:01.000Z');

const stored = { _id: new Types.ObjectId(ID), phone: '+1 555 0100', status: 'active', updatedAt: BASE };

function update(acceptedAt: Date, changes: Record<string, unknown>, base: Record<string, unknown>): JournalledWrite {
  return {
    operation: 'update',
    documentId: ID,
    payload: { ...changes, updatedAt: acceptedAt },
    acceptedAt,
    baseUpdatedAt: BASE,
    baseValues: base,
  };
}

const byA = update(A_AT, { phone: '+1 555 0101', status: 'on_leave' }, { phone: '+1 555 0100', status: 'active' });
const byB = update(B_AT, { phone: '+1 555 0102' }, { phone: '+1 555 0100' });

describe(resolveUpdate.name, () => {
  it('sets every field of an update nobody changed since, and moves updatedAt to the update', () => {
    expect(resolveUpdate(stored, byA)).toEqual({
      set: { phone: '+1 555 0101', status: 'on_leave', updatedAt: A_AT },
      applied: ['phone', 'status'],
      lost: undefined,
    });
  });

  it('sets a field changed since when the database record is older than the update (the later write replays last)', () => {
    const afterA = { ...stored, phone: '+1 555 0101', status: 'on_leave', updatedAt: A_AT };

    expect(resolveUpdate(afterA, byB)).toEqual({
      set: { phone: '+1 555 0102', updatedAt: B_AT },
      applied: ['phone'],
      lost: undefined,
    });
  });

  it('sets a field when the database record is exactly as old as the update', () => {
    const sameTime = { ...stored, phone: '+1 555 0199', updatedAt: B_AT };

    expect(resolveUpdate(sameTime, byB).set).toEqual({ phone: '+1 555 0102' });
  });

  it('leaves a field a later write changed, keeps the fields nobody changed, and keeps the later updatedAt (the later write replayed first)', () => {
    const afterB = { ...stored, phone: '+1 555 0102', updatedAt: B_AT };

    expect(resolveUpdate(afterB, byA)).toEqual({
      set: { status: 'on_leave' },
      applied: ['status'],
      lost: { updatedAt: B_AT, fields: { phone: '+1 555 0102' } },
    });
  });

  it('applies nothing when a later write changed every field of the update', () => {
    const afterB = { ...stored, phone: '+1 555 0102', updatedAt: B_AT };
    const phoneOnly = update(A_AT, { phone: '+1 555 0101' }, { phone: '+1 555 0100' });

    expect(resolveUpdate(afterB, phoneOnly)).toEqual({
      set: {},
      applied: [],
      lost: { updatedAt: B_AT, fields: { phone: '+1 555 0102' } },
    });
  });

  it('counts a field already holding the written value as applied, so replaying an update twice changes nothing', () => {
    const afterA = { ...stored, phone: '+1 555 0101', status: 'on_leave', updatedAt: A_AT };
    const thenB = { ...afterA, phone: '+1 555 0102', updatedAt: B_AT };

    expect(resolveUpdate(afterA, byA)).toEqual({ set: {}, applied: ['phone', 'status'], lost: undefined });
    expect(resolveUpdate(thenB, byA)).toEqual({
      set: {},
      applied: ['status'],
      lost: { updatedAt: B_AT, fields: { phone: '+1 555 0102' } },
    });
  });

  it('compares base values as the database does: ObjectIds by id, Dates by time, arrays and subdocuments by value', () => {
    const schoolId = new Types.ObjectId();
    const hiredAt = new Date('2020-09-01T00:00:00Z');
    const current = {
      ...stored,
      schoolId: new Types.ObjectId(schoolId.toHexString()),
      hiredAt: new Date(hiredAt.getTime()),
      subjects: ['art', 'music'],
      address: { city: 'Leeds', street: '1 Hill Road' },
      updatedAt: B_AT,
    };
    const changes = {
      schoolId: new Types.ObjectId(),
      hiredAt: new Date('2021-09-01T00:00:00Z'),
      subjects: ['art'],
      address: { city: 'York', street: '1 Hill Road' },
    };
    const base = { schoolId, hiredAt, subjects: ['art', 'music'], address: { street: '1 Hill Road', city: 'Leeds' } };

    expect(resolveUpdate(current, update(A_AT, changes, base)).set).toEqual(changes);
    expect(resolveUpdate(current, update(A_AT, changes, { ...base, subjects: ['music', 'art'] })).lost?.fields).toEqual(
      {
        subjects: ['art', 'music'],
      },
    );
  });

  it('takes a field absent in the base and in the database as unchanged', () => {
    const current = { ...stored, updatedAt: B_AT };
    const write = update(A_AT, { nickname: 'Ada' }, {});

    expect(resolveUpdate(current, write).set).toEqual({ nickname: 'Ada' });
  });

  it('decides by time alone for an update journalled without base values (by the previous version)', () => {
    const afterB = { ...stored, phone: '+1 555 0102', updatedAt: B_AT };
    const { baseValues: _base, baseUpdatedAt: _at, ...fromPreviousVersion } = byA;

    expect(resolveUpdate(afterB, fromPreviousVersion)).toEqual({
      set: {},
      applied: [],
      lost: { updatedAt: B_AT, fields: { phone: '+1 555 0102', status: 'active' } },
    });
    expect(resolveUpdate(stored, fromPreviousVersion).applied).toEqual(['phone', 'status']);
  });

  it('applies a write without any version whole, as before', () => {
    const afterB = { ...stored, phone: '+1 555 0102', updatedAt: B_AT };

    expect(resolveUpdate(afterB, { operation: 'update', documentId: ID, payload: { phone: '+1 555 0101' } })).toEqual({
      set: { phone: '+1 555 0101' },
      applied: ['phone'],
      lost: undefined,
    });
  });
});

describe(resolveDelete.name, () => {
  const deleteAt = (acceptedAt: Date): JournalledWrite => ({
    operation: 'delete',
    documentId: ID,
    acceptedAt,
    baseUpdatedAt: BASE,
  });

  it('applies a delete of a record not changed since the delete was accepted', () => {
    expect(resolveDelete(stored, deleteAt(A_AT))).toEqual({});
    expect(resolveDelete({ ...stored, updatedAt: A_AT }, deleteAt(B_AT))).toEqual({});
  });

  it('applies a delete of the very version it saw, even when that version carries a later time', () => {
    const aheadOfTheClock = new Date(B_AT.getTime() + 60_000);
    const write = { ...deleteAt(B_AT), baseUpdatedAt: aheadOfTheClock };

    expect(resolveDelete({ ...stored, updatedAt: aheadOfTheClock }, write)).toEqual({});
  });

  it('supersedes a delete of a record changed after the delete was accepted', () => {
    expect(resolveDelete({ ...stored, updatedAt: B_AT }, deleteAt(A_AT))).toEqual({
      supersededBy: { updatedAt: B_AT, fields: {} },
    });
  });
});

describe(sameValue.name, () => {
  it.each([
    [null, undefined, true],
    ['a', 'a', true],
    ['a', 'b', false],
    [1, '1', false],
    [new Date(5), new Date(5), true],
    [new Date(5), 5, false],
    [new Types.ObjectId(ID), new Types.ObjectId(ID), true],
    [new Types.ObjectId(ID), ID, false],
    [['a', 'b'], ['a', 'b'], true],
    [['a', 'b'], ['a'], false],
    [{ a: 1, b: null }, { a: 1 }, true],
    [{ a: 1 }, { a: 2 }, false],
  ])('compares %p and %p: %p', (a, b, expected) => {
    expect(sameValue(a, b)).toBe(expected);
  });
});
