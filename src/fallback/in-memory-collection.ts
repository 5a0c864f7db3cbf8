import { aggregate, find } from 'mingo';
import { Types, type PipelineStage, type QueryFilter } from 'mongoose';
import type { CollectionStore, FindQuery, StoredPage, StoredRecord } from '../common/persistence/collection-store';

type AnyRecord = StoredRecord<Record<string, unknown>>;

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
    this.list = undefined;
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
    let cursor = find(this.snapshot(), query.filter as Record<string, unknown>, query.projection);
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
    return Promise.resolve(find(this.snapshot(), filter as Record<string, unknown>).all().length);
  }

  async aggregate<R>(pipeline: PipelineStage[]): Promise<R[]> {
    return Promise.resolve(aggregate([...this.snapshot()], pipeline as unknown as Record<string, unknown>[]) as R[]);
  }

  /** Holds a copy of the record, in place of the one with its id. */
  put(record: StoredRecord<T>): void {
    this.byId.set(record._id.toHexString(), cloneRecord(record));
    this.list = undefined;
  }

  remove(id: string): void {
    if (this.byId.delete(id.toLowerCase())) this.list = undefined;
  }
}
