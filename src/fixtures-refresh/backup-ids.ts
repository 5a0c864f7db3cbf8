import { Types } from 'mongoose';
import { type CollectionReference, isKeyReference, replaceValuesAtPath } from '../common/persistence/schema-references';
import { BACKUP_ID_PREFIX } from '../fallback/fixtures/fixture-safety';
import { stableRank } from './deterministic';
import { isPlainObject } from './plain-object';
import { idKey, type SourceRecord } from './sampler';

/**
 * Backup records get ids of their own, so that none can pass for the real record it was made from:
 * `fb`, two hex digits per collection (schools `00`, headmasters `10`, …), then the record's
 * 1-based number in its file as 20 decimal digits: `fb0000000000000000000003` is school 3.
 */

const SEQUENCE_DIGITS = 20;

/**
 * Each collection's two id digits: the configured ones, the others derived from the collection's
 * name and moved on to the next free value if another collection has them.
 */
export function backupIdPrefixes(
  collections: readonly string[],
  configured: Readonly<Record<string, string | undefined>>,
): Map<string, string> {
  const prefixes = new Map<string, string>();
  const taken = new Set<string>();
  for (const collection of collections) {
    const prefix = configured[collection];
    if (prefix === undefined) continue;
    if (taken.has(prefix)) throw new Error(`collections ${collection} and another one share the id prefix ${prefix}`);
    prefixes.set(collection, prefix);
    taken.add(prefix);
  }
  for (const collection of collections) {
    if (prefixes.has(collection)) continue;
    let value = Number.parseInt(stableRank('backup-id-prefix', collection).slice(0, 2), 16);
    while (taken.has(hexByte(value))) value = (value + 1) % 256;
    prefixes.set(collection, hexByte(value));
    taken.add(hexByte(value));
  }
  return prefixes;
}

export function backupId(prefix: string, n: number): Types.ObjectId {
  return new Types.ObjectId(`${BACKUP_ID_PREFIX}${prefix}${String(n).padStart(SEQUENCE_DIGITS, '0')}`);
}

/**
 * Copies of the records, in the given order, each with its backup id, and every reference between
 * them (arrays and nested paths included) pointing at the referenced record's backup id.
 */
export function assignBackupIds(
  records: ReadonlyMap<string, readonly SourceRecord[]>,
  references: readonly CollectionReference[],
  prefixes: ReadonlyMap<string, string>,
): Map<string, SourceRecord[]> {
  const newIds = new Map<string, Map<string, Types.ObjectId>>();
  for (const [collection, list] of records) {
    const prefix = prefixes.get(collection);
    if (prefix === undefined) throw new Error(`no id prefix for collection ${collection}`);
    newIds.set(collection, new Map(list.map((record, index) => [idKey(record._id), backupId(prefix, index + 1)])));
  }

  const result = new Map<string, SourceRecord[]>();
  for (const [collection, list] of records) {
    // References by key hold the referenced records' keys (codes), which keep their values.
    const outgoing = references.filter((reference) => reference.from === collection && !isKeyReference(reference));
    result.set(
      collection,
      list.map((original) => {
        const copy = copyRecord(original);
        copy._id = newIds.get(collection)!.get(idKey(original._id));
        for (const { field, to } of outgoing) {
          replaceValuesAtPath(copy, field, (value) => {
            const replacement = newIds.get(to)?.get(idKey(value));
            if (replacement === undefined) {
              throw new Error(
                `${collection} ${idKey(original._id)}: ${field} refers to ${idKey(value)}, not in the ${to} sample`,
              );
            }
            return replacement;
          });
        }
        return copy;
      }),
    );
  }
  return result;
}

function hexByte(value: number): string {
  return value.toString(16).padStart(2, '0');
}

/** A deep copy of arrays and plain objects; BSON values and dates are shared (they are replaced, never changed). */
function copyRecord<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => copyRecord(item)) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyRecord(item)])) as T;
  }
  return value;
}
