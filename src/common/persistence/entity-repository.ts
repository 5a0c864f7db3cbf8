import type { QueryFilter } from 'mongoose';
import { NotFoundError } from '../errors/domain-errors';
import type { Page, PageRequest } from '../paging/paging';
import type { CollectionStore, StoredRecord } from './collection-store';

/**
 * The read/write operations every feature repository has, built on its CollectionStore.
 * A feature repository says how its records map to entities and its filters to MongoDB queries,
 * and adds the queries only it needs. `find…` answers what there is; `getOrThrow`, `update` and `delete`
 * need the record and answer NotFoundError (`<entity> <id> not found`, naming `id`) when there is none.
 */
export abstract class EntityRepository<TRecord, TEntity, TFilter, TChanges> {
  protected constructor(
    protected readonly store: CollectionStore<TRecord>,
    /** The entity in messages: `school`. */
    private readonly entityName: string,
  ) {}

  protected abstract readonly toEntity: (record: StoredRecord<TRecord>) => TEntity;
  protected abstract readonly toRecord: (changes: TChanges) => Partial<TRecord>;
  protected abstract readonly toQueryFilter: (filter: TFilter) => QueryFilter<TRecord>;

  async findById(id: string): Promise<TEntity | undefined> {
    const record = await this.store.findById(id);
    return record && this.toEntity(record);
  }

  async getOrThrow(id: string): Promise<TEntity> {
    return this.toEntity(this.found(id, await this.store.findById(id)));
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

  /** The entity after the changes. */
  async update(id: string, changes: TChanges): Promise<TEntity> {
    return this.toEntity(this.found(id, await this.store.updateById(id, this.toRecord(changes))));
  }

  /** The entity as it was. */
  async delete(id: string): Promise<TEntity> {
    return this.toEntity(this.found(id, await this.store.deleteById(id)));
  }

  private found(id: string, record: StoredRecord<TRecord> | undefined): StoredRecord<TRecord> {
    if (!record) throw new NotFoundError(this.entityName, id);
    return record;
  }
}
