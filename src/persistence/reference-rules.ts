import { Injectable } from '@nestjs/common';
import { type Schema, Types } from 'mongoose';
import { ConflictError, InvalidInputError } from '../common/errors/domain-errors';
import type { RecordLookup, StoredRecord } from '../common/persistence/collection-store';
import { collectionReferences, type CollectionReference, valuesAtPath } from '../common/persistence/schema-references';

/** A registered collection as the reference rules see it. */
export interface ReferencedCollection {
  collection: string;
  /** The entity in messages: `school`. */
  entity: string;
  modelName: string;
  schema: Schema;
  /** Reads as a request reads them: from the database, or in an outage from what the fallback tiers know. */
  live: RecordLookup<unknown>;
  /** Reads from the database alone (a failure is thrown, never answered otherwise): what a replay is checked against. */
  database: RecordLookup<unknown>;
}

/** Where the records a check reads come from: a request's write, or a journalled write being replayed. */
export type LookupSource = 'live' | 'database';

type AnyRecord = Record<string, unknown>;

/**
 * The integrity of references between collections, as their schemas declare them (`ref` to another model's `_id`,
 * `refByKey` to another model's key within a shared field; see schema-references.ts):
 * - a written record refers only to records that exist: otherwise the client's mistake, a 400 naming the field;
 * - a record others refer to is not deleted, nor its key changed, while they do: a 409 naming who refers to it.
 * Checked on every write, live and replayed alike (a replay against the database alone). Check and write are
 * separate operations, not a transaction: a write racing the check (a teacher hired while their school is deleted)
 * can slip through; MongoDB multi-document transactions would close that gap.
 */
@Injectable()
export class ReferenceRules {
  private readonly collections = new Map<string, ReferencedCollection>();
  private references?: CollectionReference[];

  register(collection: ReferencedCollection): void {
    this.collections.set(collection.collection, collection);
    this.references = undefined;
  }

  /** Throws unless every reference that the write sets, or changes the scope of, resolves. */
  async checkReferencesOf(
    collection: string,
    record: AnyRecord,
    changedFields: readonly string[] | undefined,
    source: LookupSource,
  ): Promise<void> {
    for (const reference of this.referencesFrom(collection)) {
      if (changedFields && !touches(changedFields, reference.field, reference.within)) continue;
      const target = this.collection(reference.to);
      if (reference.key === undefined) {
        for (const value of new Set(valuesAtPath(record, reference.field).map(String))) {
          if (!(await target[source].findById(value))) {
            throw new InvalidInputError(`${reference.field} ${value} is not a known ${target.entity}`, reference.field);
          }
        }
        continue;
      }
      await this.checkKeys(reference, record, source);
    }
  }

  /**
   * Throws while other records refer to `record` by what the write removes: its `_id` (a delete) or a key they use
   * (a delete, or an update of `changedFields`).
   */
  async checkNotReferenced(
    collection: string,
    record: AnyRecord,
    changedFields: readonly string[] | undefined,
    source: LookupSource,
  ): Promise<void> {
    const entity = this.collection(collection).entity;
    const id = String(record._id);
    const referrers: string[] = [];
    for (const reference of this.referencesTo(collection)) {
      const byKey = reference.key !== undefined;
      if (changedFields && !(byKey && touches(changedFields, reference.key!, reference.within))) continue;
      if (byKey && record[reference.key!] === undefined) continue;
      const filter: AnyRecord = byKey
        ? { [reference.field]: record[reference.key!], [reference.within!]: record[reference.within!] }
        : { [reference.field]: new Types.ObjectId(id) };
      const from = this.collection(reference.from);
      const count = await from[source].count(filter);
      if (count > 0) referrers.push(`${count} ${count === 1 ? from.entity : from.collection} (${reference.field})`);
    }
    if (referrers.length === 0) return;
    const what = changedFields ? `its ${changedFields.join(', ')} cannot change` : 'it cannot be deleted';
    const key = this.referencesTo(collection).find((reference) => reference.key !== undefined)?.key;
    const name = key && typeof record[key] === 'string' ? `${entity} ${record[key]}` : `${entity} ${id}`;
    throw new ConflictError(
      `${name} is referred to by ${listed(referrers)}: ${what} while they refer to it`,
      changedFields?.[0] ?? 'id',
    );
  }

  /** Whether checking a delete needs the record: others refer to its records by a key, not only by `_id`. */
  needsRecordForDelete(collection: string): boolean {
    return this.referencesTo(collection).some((reference) => reference.key !== undefined);
  }

  /** Whether an update of these fields of `collection` needs the whole record to check its references by key. */
  needsRecordForUpdate(collection: string, changedFields: readonly string[]): boolean {
    const scoped = this.referencesFrom(collection).filter(
      (reference) => reference.within !== undefined && touches(changedFields, reference.field, reference.within),
    );
    const keyed = this.referencesTo(collection).filter(
      (reference) => reference.key !== undefined && touches(changedFields, reference.key, reference.within),
    );
    return scoped.length > 0 || keyed.length > 0;
  }

  private async checkKeys(reference: CollectionReference, record: AnyRecord, source: LookupSource): Promise<void> {
    const keys = [...new Set(valuesAtPath(record, reference.field))];
    if (keys.length === 0) return;
    const target = this.collection(reference.to);
    const scope = reference.within === undefined ? {} : { [reference.within]: record[reference.within] };
    const found = (await target[source].find({
      filter: { ...scope, [reference.key!]: { $in: keys } },
    })) as StoredRecord<AnyRecord>[];
    const known = new Set(found.map((candidate) => String(candidate[reference.key!])));
    const unknown = keys.map(String).filter((key) => !known.has(key));
    if (unknown.length === 0) return;
    const what = unknown.length === 1 ? `is not a ${target.entity}` : `are not ${target.collection}`;
    const within = reference.within === undefined ? '' : ` of ${this.scopeName(reference, record)}`;
    throw new InvalidInputError(`${reference.field}: ${unknown.join(', ')} ${what}${within}`, reference.field);
  }

  /** `school <id>` for a scope field that is itself a reference, else `<field> <value>`. */
  private scopeName(reference: CollectionReference, record: AnyRecord): string {
    const value = String(record[reference.within!]);
    const scopeReference = this.referencesFrom(reference.from).find(
      (candidate) => candidate.field === reference.within && candidate.key === undefined,
    );
    return scopeReference ? `${this.collection(scopeReference.to).entity} ${value}` : `${reference.within} ${value}`;
  }

  private referencesFrom(collection: string): CollectionReference[] {
    return this.all().filter((reference) => reference.from === collection);
  }

  private referencesTo(collection: string): CollectionReference[] {
    return this.all().filter((reference) => reference.to === collection);
  }

  private all(): CollectionReference[] {
    this.references ??= collectionReferences([...this.collections.values()]);
    return this.references;
  }

  private collection(name: string): ReferencedCollection {
    const found = this.collections.get(name);
    if (!found) throw new Error(`no collection ${name} is registered`);
    return found;
  }
}

/** Whether a write of `changedFields` sets `field` (or a path inside it) or the scope it is unique within. */
function touches(changedFields: readonly string[], field: string, within?: string): boolean {
  const root = field.split('.')[0];
  return changedFields.some((changed) => changed === root || changed === field || changed === within);
}

function listed(items: readonly string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
