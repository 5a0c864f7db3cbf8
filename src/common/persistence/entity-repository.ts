import type { QueryFilter } from 'mongoose';
import type { Page, PageRequest } from '../paging/paging';
import type { CollectionStore, StoredRecord } from './collection-store';

/**
 * The read/write operations every feature repository has, built on its CollectionStore.
 * A feature repository says how its records map to entities and its filters to MongoDB queries,
 * and adds the queries only it needs.
 */
export abstract class EntityRepository<TRecord, TEntity, TFilter, TChanges> {
  protected constructor(protected readonly store: CollectionStore<TRecord>) {}

  protected abstract readonly toEntity: (record: StoredRecord<TRecord>) => TEntity;
  protected abstract readonly toRecord: (changes: TChanges) => Partial<TRecord>;
  protected abstract readonly toQueryFilter: (filter: TFilter) => QueryFilter<TRecord>;

  async findById(id: string): Promise<TEntity | undefined> {
    const record = await this.store.findById(id);
    return record && this.toEntity(record);
  }

  async findByIds(ids: readonly string[]): Promise<TEntity[]> {
    return (await this.store.findByIds(ids)).map((record) => this.toEntity(record));
  }

  async findPage(filter: TFilter, page: PageRequest): Promise<Page<TEntity>> {
    const query = this.toQueryFilter(filter);
    const { records, total } = await this.store.findPage({
      filter: query,
      sort: page.sort,
      skip: page.offset,
      limit: page.limit,
    });
    return { items: records.map((record) => this.toEntity(record)), total };
  }

  async create(entity: TChanges): Promise<TEntity> {
    return this.toEntity(await this.store.insert(this.toRecord(entity)));
  }

  async update(id: string, changes: TChanges): Promise<TEntity | undefined> {
    const record = await this.store.updateById(id, this.toRecord(changes));
    return record && this.toEntity(record);
  }

  async delete(id: string): Promise<TEntity | undefined> {
    const record = await this.store.deleteById(id);
    return record && this.toEntity(record);
  }
}
