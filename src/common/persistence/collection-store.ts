import type { PipelineStage, QueryFilter } from 'mongoose';
import type { SortSpec } from '../paging/paging';

/** A stored record as read from MongoDB (lean), with its ObjectId as `_id`. */
export type StoredRecord<T> = T & { _id: import('mongoose').Types.ObjectId; createdAt: Date; updatedAt: Date };

export interface StoredPage<T> {
  records: StoredRecord<T>[];
  total: number;
}

export interface FindQuery<T> {
  filter: QueryFilter<T>;
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  projection?: Record<string, 0 | 1>;
}

/**
 * The primitive operations on one collection that feature repositories are built from.
 * Kept small and MongoDB-shaped on purpose, so that another implementation (the backup
 * data answering during an outage) can evaluate exactly the same filters and pipelines.
 */
export interface CollectionStore<T> {
  readonly collectionName: string;
  findById(id: string): Promise<StoredRecord<T> | undefined>;
  findByIds(ids: readonly string[]): Promise<StoredRecord<T>[]>;
  find(query: FindQuery<T>): Promise<StoredRecord<T>[]>;
  /** A page and the total count of its filter, answered together so that both come from the same source. */
  findPage(query: FindQuery<T>): Promise<StoredPage<T>>;
  count(filter: QueryFilter<T>): Promise<number>;
  aggregate<R>(pipeline: PipelineStage[]): Promise<R[]>;
  insert(data: Partial<T>): Promise<StoredRecord<T>>;
  updateById(id: string, changes: Partial<T>): Promise<StoredRecord<T> | undefined>;
  deleteById(id: string): Promise<StoredRecord<T> | undefined>;
}

/** The reads that look records up, as checks of references between collections use them. */
export type RecordLookup<T> = Pick<CollectionStore<T>, 'findById' | 'find' | 'count'>;

/** A write accepted while the database was unavailable, as the write journal keeps it until it is replayed. */
export interface JournalledWrite {
  operation: 'insert' | 'update' | 'delete';
  documentId: string;
  /** insert: the whole record; update: the fields to set; delete: none. ObjectIds and Dates intact. */
  payload?: Record<string, unknown>;
  /** When the write was accepted. Without it (nor base values), a replayed update or delete is applied as it is. */
  acceptedAt?: Date;
  /** update, delete: the record's `updatedAt` as known when the write was accepted. */
  baseUpdatedAt?: Date;
  /** update: the values the changed fields had when the write was accepted (a field that was absent is missing). */
  baseValues?: Record<string, unknown>;
}

/** What a later write left in fields that a replayed write also changed: the database record's `updatedAt` and values. */
export interface LaterWrite {
  updatedAt: Date | null;
  fields: Record<string, unknown>;
}

/**
 * The outcome of replaying a journalled write. `supersededBy` names the fields a later write won: with `applied: true`
 * the write's other fields were applied; with `applied: false` nothing was (the whole write was superseded).
 */
export type ReplayOutcome =
  { applied: true; supersededBy?: LaterWrite } | { applied: false; reason: string; supersededBy?: LaterWrite };

/**
 * A collection store that can also apply journalled writes: every layer of the store chain implements it, so a
 * replayed write passes through the same layers as any write (the edge purges what it changes).
 */
export interface ReplayableStore<T> extends CollectionStore<T> {
  /**
   * Applies a journalled write exactly as it was accepted (its id and timestamps included), except what a later
   * write changed since. Idempotent: applying it again changes nothing. Answers the reason it cannot be applied
   * (its record was deleted meanwhile, a later write superseded it), if any.
   */
  applyJournalled(write: JournalledWrite): Promise<ReplayOutcome>;
}
