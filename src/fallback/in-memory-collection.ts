import { aggregate, find } from 'mingo';
import { Types, type PipelineStage, type QueryFilter } from 'mongoose';
import type { CollectionStore, FindQuery, StoredPage, StoredRecord } from '../common/persistence/collection-store';

type AnyRecord = StoredRecord<Record<string, unknown>>;

/** A value as an index key, for the values an equality can be looked up by; undefined for any other. */
function indexKey(value: unknown): string | undefined {
  if (value instanceof Types.ObjectId) return `o:${value.toHexString()}`;
  if (typeof value === 'string') return `s:${value}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value}:${String(value)}`;
  return undefined;
}

/** The keys a filter's condition on one field asks for by equality (`value` or `{ $in: [...] }`), if it does. */
function wantedKeys(condition: unknown): string[] | undefined {
  const single = indexKey(condition);
  if (single !== undefined) return [single];
  const $in = (condition as { $in?: unknown } | null)?.$in;
  if (
    typeof condition !== 'object' ||
    condition === null ||
    Object.keys(condition).length !== 1 ||
    !Array.isArray($in)
  ) {
    return undefined;
  }
  const keys = $in.map(indexKey);
  return keys.every((key) => key !== undefined) ? keys : undefined;
}

/** Deep copy that keeps ObjectIds and Dates (structuredClone turns ObjectIds into plain objects). */
export function cloneRecord<R>(value: R): R {
  if (value instanceof Types.ObjectId) return new Types.ObjectId(value.toHexString()) as R;
  if (value instanceof Date) return new Date(value.getTime()) as R;
  if (value instanceof RegExp) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => cloneRecord(item)) as R;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cloneRecord(item)])) as R;
  }
  return value;
}

/** The reads of a CollectionStore (writes go elsewhere: an overlay, a snapshot's refresh). */
export type CollectionReads<T> = Omit<CollectionStore<T>, 'insert' | 'updateById' | 'deleteById'>;

/**
 * Records held in memory, answering CollectionStore reads by evaluating the very filters, sorts and pipelines the
 * database would get with a MongoDB query engine (mingo). The backup data and the snapshots of the last-known-good
 * tier are both held in one. Records are kept by id, in the order they were first put.
 */
export class InMemoryCollection<T> implements CollectionReads<T> {
  private byId = new Map<string, AnyRecord>();
  /** The records as an array for the query engine; rebuilt after a change, on the next query. */
  private list: AnyRecord[] | undefined;
  /**
   * Per field a filter looked up by equality: the records by value (an array by each of its elements), in their
   * order. Built on the first such query, dropped on any change: queries by school read a fraction of the records.
   */
  private indexes = new Map<string, Map<string, AnyRecord[]>>();

  constructor(
    readonly collectionName: string,
    records: Iterable<StoredRecord<T>> = [],
  ) {
    this.replaceAll(records);
  }

  /** Holds copies of these records instead of the ones held. */
  replaceAll(records: Iterable<StoredRecord<T>>): void {
    this.byId = new Map();
    for (const record of records) this.byId.set(record._id.toHexString(), cloneRecord(record));
    this.changed();
  }

  /** The records as they are now, for checks; not to be changed. */
  snapshot(): readonly AnyRecord[] {
    return (this.list ??= [...this.byId.values()]);
  }

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id.toLowerCase());
  }

  findByIdSync(id: string): StoredRecord<T> | undefined {
    return this.byId.get(id.toLowerCase()) as StoredRecord<T> | undefined;
  }

  async findById(id: string): Promise<StoredRecord<T> | undefined> {
    return Promise.resolve(this.findByIdSync(id));
  }

  async findByIds(ids: readonly string[]): Promise<StoredRecord<T>[]> {
    const found = ids.map((id) => this.byId.get(id.toLowerCase())).filter((record) => record !== undefined);
    return Promise.resolve(found as StoredRecord<T>[]);
  }

  async find(query: FindQuery<T>): Promise<StoredRecord<T>[]> {
    let cursor = find(this.candidates(query.filter), query.filter as Record<string, unknown>, query.projection);
    cursor = cursor.sort({ ...query.sort, _id: query.sort?._id ?? 1 });
    if (query.skip) cursor = cursor.skip(query.skip);
    if (query.limit !== undefined) cursor = cursor.limit(query.limit);
    return Promise.resolve(cursor.all() as StoredRecord<T>[]);
  }

  async findPage(query: FindQuery<T>): Promise<StoredPage<T>> {
    const [records, total] = await Promise.all([this.find(query), this.count(query.filter)]);
    return { records, total };
  }

  async count(filter: QueryFilter<T>): Promise<number> {
    return Promise.resolve(find(this.candidates(filter), filter as Record<string, unknown>).all().length);
  }

  async aggregate<R>(pipeline: PipelineStage[]): Promise<R[]> {
    const first = pipeline[0] as { $match?: QueryFilter<T> } | undefined;
    const records = first?.$match ? this.candidates(first.$match) : this.snapshot();
    return Promise.resolve(aggregate([...records], pipeline as unknown as Record<string, unknown>[]) as R[]);
  }

  /**
   * The records a filter can match: for a field it asks for by equality (the first such), those holding the value,
   * else all. The query engine then evaluates the whole filter on them.
   */
  private candidates(filter: QueryFilter<T>): readonly AnyRecord[] {
    for (const [field, condition] of Object.entries(filter)) {
      if (field.startsWith('$') || field.includes('.')) continue;
      const keys = wantedKeys(condition);
      if (!keys) continue;
      const index = this.indexOf(field);
      if (keys.length === 1) return index.get(keys[0]) ?? [];
      const wanted = new Set(keys.flatMap((key) => index.get(key) ?? []));
      return this.snapshot().filter((record) => wanted.has(record));
    }
    return this.snapshot();
  }

  private indexOf(field: string): Map<string, AnyRecord[]> {
    let index = this.indexes.get(field);
    if (index) return index;
    index = new Map();
    for (const record of this.snapshot()) {
      const value: unknown = record[field];
      const keys = new Set((Array.isArray(value) ? (value as unknown[]) : [value]).map(indexKey));
      for (const key of keys) {
        if (key === undefined) continue;
        const records = index.get(key);
        if (records) records.push(record);
        else index.set(key, [record]);
      }
    }
    this.indexes.set(field, index);
    return index;
  }

  private changed(): void {
    this.list = undefined;
    if (this.indexes.size > 0) this.indexes = new Map();
  }

  /** Holds a copy of the record, in place of the one with its id. */
  put(record: StoredRecord<T>): void {
    this.byId.set(record._id.toHexString(), cloneRecord(record));
    this.changed();
  }

  remove(id: string): void {
    if (this.byId.delete(id.toLowerCase())) this.changed();
  }
}
