import type { PipelineStage, QueryFilter } from 'mongoose';
import type {
  FindQuery,
  JournalledWrite,
  ReplayableStore,
  StoredPage,
  StoredRecord,
} from '../common/persistence/collection-store';
import { currentRequestContext } from '../common/request-context';
import type { EdgePurger } from './edge-purger';

/** The surrogate keys a write to one record invalidates: the record, and every list, count or aggregate of its collection. */
export function keysForWrite(entity: string, collection: string, id: string): string[] {
  return [`${entity}:${id}`, collection];
}

/**
 * Decorates a collection store for edge caching: every read tags the current request with the
 * surrogate keys of what it returned (`teacher:<id>` per record, `teachers` for lists, counts and
 * aggregates, so new records and empty lists are covered) and with the collection's TTL kind;
 * every successful write, journalled writes replayed after an outage included, purges the keys it
 * invalidates from the edges.
 */
export class EdgeTaggedStore<T> implements ReplayableStore<T> {
  constructor(
    private readonly inner: ReplayableStore<T>,
    private readonly entity: string,
    private readonly purger: EdgePurger,
  ) {}

  get collectionName(): string {
    return this.inner.collectionName;
  }

  async findById(id: string): Promise<StoredRecord<T> | undefined> {
    const record = await this.inner.findById(id);
    this.tag(record ? [record] : [], false);
    return record;
  }

  async findByIds(ids: readonly string[]): Promise<StoredRecord<T>[]> {
    const records = await this.inner.findByIds(ids);
    this.tag(records, false);
    return records;
  }

  async find(query: FindQuery<T>): Promise<StoredRecord<T>[]> {
    const records = await this.inner.find(query);
    this.tag(records, true);
    return records;
  }

  async findPage(query: FindQuery<T>): Promise<StoredPage<T>> {
    const page = await this.inner.findPage(query);
    this.tag(page.records, true);
    return page;
  }

  async count(filter: QueryFilter<T>): Promise<number> {
    const count = await this.inner.count(filter);
    this.tag([], true);
    return count;
  }

  async aggregate<R>(pipeline: PipelineStage[]): Promise<R[]> {
    const rows = await this.inner.aggregate<R>(pipeline);
    this.tag([], true);
    return rows;
  }

  async insert(data: Partial<T>): Promise<StoredRecord<T>> {
    const record = await this.inner.insert(data);
    await this.purgeFor(record._id.toHexString());
    return record;
  }

  async updateById(id: string, changes: Partial<T>): Promise<StoredRecord<T> | undefined> {
    const record = await this.inner.updateById(id, changes);
    if (record) await this.purgeFor(id);
    return record;
  }

  async deleteById(id: string): Promise<StoredRecord<T> | undefined> {
    const record = await this.inner.deleteById(id);
    if (record) await this.purgeFor(id);
    return record;
  }

  async applyJournalled(write: JournalledWrite): Promise<{ applied: true } | { applied: false; reason: string }> {
    const outcome = await this.inner.applyJournalled(write);
    if (outcome.applied) await this.purgeFor(write.documentId);
    return outcome;
  }

  private tag(records: readonly StoredRecord<T>[], whole: boolean): void {
    const keys = records.map((record) => `${this.entity}:${record._id.toHexString()}`);
    if (whole) keys.push(this.collectionName);
    this.tagKeys(keys);
  }

  private tagKeys(keys: string[]): void {
    const context = currentRequestContext();
    if (!context) return;
    context.cacheHints.add(this.collectionName);
    for (const key of keys) context.cacheKeys.add(key);
  }

  private async purgeFor(id: string): Promise<void> {
    await this.purger.purge(keysForWrite(this.entity, this.collectionName, id));
  }
}
