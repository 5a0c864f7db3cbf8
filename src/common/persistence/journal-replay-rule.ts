import type { JournalledWrite, LaterWrite } from './collection-store';

/** A record as the database holds it when a journalled write is replayed. */
type CurrentRecord = Record<string, unknown> & { updatedAt?: unknown };

/** What to write for a replayed update, and what a later write won. */
export interface UpdateResolution {
  /** Fields to `$set` (with `updatedAt` when it moves forward); empty when there is nothing to write. */
  set: Record<string, unknown>;
  /** Fields of the write that the database already holds or that are set now. */
  applied: string[];
  /** Fields a later write changed: what the database holds in them. */
  lost?: LaterWrite;
}

/**
 * Decides, field by field, which fields of a journalled update still apply to the record the database holds:
 * a field is set when the database still holds its base value (nobody changed it since the write was accepted),
 * or when the database record is not newer than the write (everything in it is older); otherwise a later write
 * won that field. A field already holding the written value counts as applied, so a replay is idempotent.
 * The record's `updatedAt` becomes the later of the two. A write without an acceptance time is applied whole.
 */
export function resolveUpdate(current: CurrentRecord, write: JournalledWrite): UpdateResolution {
  const { updatedAt: writtenAt, ...changes } = write.payload ?? {};
  const acceptedAt = write.acceptedAt ?? asDate(writtenAt);
  const databaseAt = asDate(current.updatedAt);
  const olderInDatabase = !acceptedAt || !databaseAt || databaseAt.getTime() <= acceptedAt.getTime();
  const set: Record<string, unknown> = {};
  const applied: string[] = [];
  const lost: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (sameValue(current[field], value)) applied.push(field);
    else if (olderInDatabase || (write.baseValues && sameValue(current[field], write.baseValues[field]))) {
      set[field] = value;
      applied.push(field);
    } else lost[field] = current[field] ?? null;
  }
  const written = asDate(writtenAt);
  const anyApplied = applied.length > 0 || Object.keys(changes).length === 0;
  if (anyApplied && written && (!databaseAt || written.getTime() > databaseAt.getTime())) set.updatedAt = written;
  return {
    set,
    applied,
    lost: Object.keys(lost).length > 0 ? { updatedAt: databaseAt ?? null, fields: lost } : undefined,
  };
}

/**
 * Whether a journalled delete still applies to the record the database holds: only when the record has not been
 * changed after the delete was accepted (it is the version the delete saw, or older than the delete).
 * Answers the later write that keeps the record otherwise.
 */
export function resolveDelete(current: CurrentRecord, write: JournalledWrite): { supersededBy?: LaterWrite } {
  const databaseAt = asDate(current.updatedAt);
  if (!write.acceptedAt || !databaseAt || databaseAt.getTime() <= write.acceptedAt.getTime()) return {};
  if (write.baseUpdatedAt && databaseAt.getTime() === write.baseUpdatedAt.getTime()) return {};
  return { supersededBy: { updatedAt: databaseAt, fields: {} } };
}

function asDate(value: unknown): Date | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
}

function isObjectId(value: unknown): value is { toHexString(): string } {
  return typeof value === 'object' && value !== null && (value as { _bsontype?: unknown })._bsontype === 'ObjectId';
}

/**
 * Equality of stored values as the database compares them: Dates by time, ObjectIds by hex, arrays element by
 * element, subdocuments field by field (an absent field equals null).
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (isObjectId(a) || isObjectId(b)) return isObjectId(a) && isObjectId(b) && a.toHexString() === b.toHexString();
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    return [...keys].every((key) => sameValue(left[key], right[key]));
  }
  return a === b;
}
