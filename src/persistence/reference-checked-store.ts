import { isDeepStrictEqual } from 'node:util';
import type { PipelineStage, QueryFilter } from 'mongoose';
import { DomainError } from '../common/errors/domain-errors';
import type {
  FindQuery,
  JournalledWrite,
  RecordLookup,
  ReplayableStore,
  StoredPage,
  StoredRecord,
} from '../common/persistence/collection-store';
import type { LookupSource, ReferenceRules } from './reference-rules';

type AnyRecord = Record<string, unknown>;

/**
 * The top of a collection's store chain: every write, live or replayed, keeps the references between collections
 * whole (see ReferenceRules). Reads pass through untouched.
 */
export class ReferenceCheckedStore<T> implements ReplayableStore<T> {
  constructor(
    private readonly inner: ReplayableStore<T>,
    private readonly rules: ReferenceRules,
    /** This collection's records as a request reads them, and from the database alone. */
    private readonly own: Record<LookupSource, RecordLookup<T>>,
  ) {}

  get collectionName(): string {
    return this.inner.collectionName;
  }

  findById(id: string): Promise<StoredRecord<T> | undefined> {
    return this.inner.findById(id);
  }

  findByIds(ids: readonly string[]): Promise<StoredRecord<T>[]> {
    return this.inner.findByIds(ids);
  }

  find(query: FindQuery<T>): Promise<StoredRecord<T>[]> {
    return this.inner.find(query);
  }

  findPage(query: FindQuery<T>): Promise<StoredPage<T>> {
    return this.inner.findPage(query);
  }

  count(filter: QueryFilter<T>): Promise<number> {
    return this.inner.count(filter);
  }

  aggregate<R>(pipeline: PipelineStage[]): Promise<R[]> {
    return this.inner.aggregate<R>(pipeline);
  }

  async insert(data: Partial<T>): Promise<StoredRecord<T>> {
    await this.rules.checkReferencesOf(this.collectionName, data, undefined, 'live');
    return this.inner.insert(data);
  }

  async updateById(id: string, changes: Partial<T>): Promise<StoredRecord<T> | undefined> {
    await this.checkUpdate(id, changes, 'live');
    return this.inner.updateById(id, changes);
  }

  async deleteById(id: string): Promise<StoredRecord<T> | undefined> {
    await this.checkDelete(id, 'live');
    return this.inner.deleteById(id);
  }

  /**
   * A replayed write is checked like a live one, against the database alone: one that now breaks a rule (its school
   * deleted meanwhile, or known only from the backup data) is not applied, and says which rule and field.
   */
  async applyJournalled(write: JournalledWrite): Promise<{ applied: true } | { applied: false; reason: string }> {
    try {
      if (write.operation === 'insert') {
        await this.rules.checkReferencesOf(this.collectionName, write.payload ?? {}, undefined, 'database');
      } else if (write.operation === 'update') {
        await this.checkUpdate(write.documentId, write.payload ?? {}, 'database');
      } else {
        await this.checkDelete(write.documentId, 'database');
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { applied: false, reason: `${error.code}${error.field ? ` (${error.field})` : ''}: ${error.message}` };
    }
    return this.inner.applyJournalled(write);
  }

  private async checkUpdate(id: string, changes: AnyRecord, source: LookupSource): Promise<void> {
    let changed = Object.keys(changes);
    if (changed.length === 0) return;
    if (!this.rules.needsRecordForUpdate(this.collectionName, changed)) {
      await this.rules.checkReferencesOf(this.collectionName, changes, changed, source);
      return;
    }
    const before = (await this.own[source].findById(id)) as AnyRecord | undefined;
    if (!before) return; // Nothing to change: the layers below answer that it is not there.
    changed = changed.filter((field) => !isDeepStrictEqual(before[field], changes[field]));
    if (changed.length === 0) return;
    await this.rules.checkNotReferenced(this.collectionName, before, changed, source);
    await this.rules.checkReferencesOf(this.collectionName, { ...before, ...changes }, changed, source);
  }

  private async checkDelete(id: string, source: LookupSource): Promise<void> {
    const record = this.rules.needsRecordForDelete(this.collectionName)
      ? ((await this.own[source].findById(id)) as AnyRecord | undefined)
      : { _id: id };
    if (record) await this.rules.checkNotReferenced(this.collectionName, record, undefined, source);
  }
}
