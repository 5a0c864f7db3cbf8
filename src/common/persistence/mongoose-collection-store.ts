import {
  ConnectionStates,
  Error as MongooseError,
  Model,
  mongo,
  PipelineStage,
  QueryFilter,
  Schema,
  Types,
} from 'mongoose';
import { ConflictError, InvalidInputError } from '../errors/domain-errors';
import type {
  FindQuery,
  JournalledWrite,
  ReplayableStore,
  ReplayOutcome,
  StoredPage,
  StoredRecord,
} from './collection-store';
import { resolveDelete, resolveUpdate, sameValue } from './journal-replay-rule';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** The reply to a `find` command of a single batch. */
interface FindReply {
  cursor: { firstBatch: unknown[] };
}

/**
 * A read that met a broken connection (a pooled connection the server closed, a restart): the driver retries such a
 * read once on another connection, and so does `findById`. A server error (a primary stepping down) is not retried:
 * the store chain answers from what it remembers meanwhile.
 */
function metBrokenConnection(error: unknown): boolean {
  return error instanceof mongo.MongoNetworkError;
}

/** How often a replayed update or delete reads the record again when another writer changed it in between. */
const REPLAY_ATTEMPTS = 5;

interface DuplicateKeyError {
  code: number;
  keyPattern?: Record<string, unknown>;
  message: string;
}

/** MongoDB reports E11000; FerretDB's SQLite backend reports some clashes (on update) as a failed UNIQUE constraint. */
function isDuplicateKeyError(error: unknown): error is DuplicateKeyError {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 11000 || (typeof message === 'string' && message.includes('UNIQUE constraint failed'));
}

/**
 * The fields of each unique index of a schema. A clash on a compound index is reported on its last field:
 * the one that must differ among records sharing the others (a subject's code within its school).
 */
export function uniqueIndexesOf(schema: Schema): string[][] {
  return schema
    .indexes()
    .filter(([, options]) => options?.unique)
    .map(([fields]) => Object.keys(fields));
}

/** The clashing field: from keyPattern (MongoDB), else from the index name in the message, else the only unique index. */
function duplicateField(error: DuplicateKeyError, uniqueIndexes: readonly string[][]): string {
  const fromPattern = Object.keys(error.keyPattern ?? {}).at(-1);
  if (fromPattern) return fromPattern;
  const named = uniqueIndexes.find((fields) =>
    fields.every((field) => new RegExp(`_${field.replace('.', '\\.')}_-?1\\b`).test(error.message)),
  );
  const index = named ?? (uniqueIndexes.length === 1 ? uniqueIndexes[0] : undefined);
  return index?.at(-1) ?? 'unknown';
}

/**
 * Translates errors a client caused (bad values, unique clashes) into domain errors; everything
 * else, database failures above all, is rethrown untouched.
 */
export function translateWriteError(error: unknown, entity: string, uniqueIndexes: readonly string[][] = []): never {
  if (isDuplicateKeyError(error)) {
    const field = duplicateField(error, uniqueIndexes);
    throw new ConflictError(`a ${entity} with this ${field} already exists`, field);
  }
  if (error instanceof MongooseError.ValidationError) {
    const [first] = Object.values(error.errors);
    throw new InvalidInputError(first?.message ?? error.message, first?.path);
  }
  if (error instanceof MongooseError.CastError) {
    throw new InvalidInputError(`${error.path} has an invalid value`, error.path);
  }
  throw error;
}

/** CollectionStore over one Mongoose model: lean reads, validated writes, a time limit on every read. */
export class MongooseCollectionStore<T> implements ReplayableStore<T> {
  private readonly uniqueIndexes: string[][];

  constructor(
    private readonly model: Model<T>,
    private readonly entity: string,
    private readonly operationTimeoutMs: number,
  ) {
    this.uniqueIndexes = uniqueIndexesOf(model.schema);
  }

  get collectionName(): string {
    return this.model.collection.collectionName;
  }

  /**
   * The busiest read skips the Mongoose query (building and casting one costs more CPU than the rest of the read) and,
   * while connected, the driver's cursor too: one `find` command of a single batch is the same command `findOne`
   * sends, without the cursor, its options and its events (about a fifth of the service's CPU per answer, and a
   * quarter of what the read allocates). A network error is retried once, as the driver retries reads. Disconnected,
   * it goes through `model.collection`, so it fails with the same Mongoose errors as other reads.
   */
  async findById(id: string): Promise<StoredRecord<T> | undefined> {
    if (!OBJECT_ID.test(id)) {
      // Anything else is cast (and refused) by Mongoose, as before.
      const record = await this.model.findById(id).lean().maxTimeMS(this.operationTimeoutMs).exec();
      return (record ?? undefined) as StoredRecord<T> | undefined;
    }
    const filter = { _id: new Types.ObjectId(id) };
    const connection = this.model.db;
    const db = connection?.readyState === ConnectionStates.connected ? connection.db : undefined;
    if (db) {
      // The read preference and read concern findOne would inherit (MONGODB_URI's), in the form runCommand takes them.
      const { readConcern, readPreference } = db;
      const command = {
        find: this.collectionName,
        filter,
        limit: 1,
        singleBatch: true,
        maxTimeMS: this.operationTimeoutMs,
        ...(readConcern?.level ? { readConcern: { level: readConcern.level } } : {}),
      };
      const reply = await db.command(command, { readPreference }).catch((error: unknown) => {
        if (!metBrokenConnection(error)) throw error;
        return db.command(command, { readPreference });
      });
      return (reply as FindReply).cursor.firstBatch[0] as StoredRecord<T> | undefined;
    }
    const record = await this.model.collection.findOne(filter, { maxTimeMS: this.operationTimeoutMs });
    return (record ?? undefined) as StoredRecord<T> | undefined;
  }

  async findByIds(ids: readonly string[]): Promise<StoredRecord<T>[]> {
    if (ids.length === 0) return [];
    const objectIds = ids.map((id) => new Types.ObjectId(id));
    const records = await this.model
      .find({ _id: { $in: objectIds } } as QueryFilter<T>)
      .lean()
      .maxTimeMS(this.operationTimeoutMs)
      .exec();
    return records as StoredRecord<T>[];
  }

  async find(query: FindQuery<T>): Promise<StoredRecord<T>[]> {
    let cursor = this.model.find(query.filter, query.projection).lean().maxTimeMS(this.operationTimeoutMs);
    if (query.sort) cursor = cursor.sort({ ...query.sort, _id: query.sort._id ?? 1 });
    else cursor = cursor.sort({ _id: 1 });
    if (query.skip) cursor = cursor.skip(query.skip);
    if (query.limit !== undefined) cursor = cursor.limit(query.limit);
    return (await cursor.exec()) as StoredRecord<T>[];
  }

  async findPage(query: FindQuery<T>): Promise<StoredPage<T>> {
    const [records, total] = await Promise.all([this.find(query), this.count(query.filter)]);
    return { records, total };
  }

  async count(filter: QueryFilter<T>): Promise<number> {
    return this.model.countDocuments(filter).maxTimeMS(this.operationTimeoutMs).exec();
  }

  async aggregate<R>(pipeline: PipelineStage[]): Promise<R[]> {
    return this.model.aggregate<R>(pipeline).option({ maxTimeMS: this.operationTimeoutMs }).exec();
  }

  async insert(data: Partial<T>): Promise<StoredRecord<T>> {
    try {
      const created = await this.model.create(data);
      return created.toObject() as unknown as StoredRecord<T>;
    } catch (error) {
      await this.nameClash(error, data);
      translateWriteError(error, this.entity, this.uniqueIndexes);
    }
  }

  async updateById(id: string, changes: Partial<T>): Promise<StoredRecord<T> | undefined> {
    try {
      const updated = await this.model
        .findByIdAndUpdate(id, { $set: changes }, { returnDocument: 'after', runValidators: true })
        .lean()
        .exec();
      return (updated ?? undefined) as StoredRecord<T> | undefined;
    } catch (error) {
      await this.nameClash(error, changes, id);
      translateWriteError(error, this.entity, this.uniqueIndexes);
    }
  }

  /**
   * A unique clash whose index the error does not name (FerretDB's SQLite backend says only `UNIQUE constraint
   * failed`, and a collection may have several unique indexes): the index is found by asking which one another
   * record shares the written values of. Throws the ConflictError naming its field; returns for anything else.
   */
  private async nameClash(error: unknown, written: Record<string, unknown>, id?: string): Promise<void> {
    if (!isDuplicateKeyError(error) || duplicateField(error, this.uniqueIndexes) !== 'unknown') return;
    for (const fields of this.uniqueIndexes) {
      if (!fields.every((field) => written[field] !== undefined)) continue;
      const filter: Record<string, unknown> = Object.fromEntries(fields.map((field) => [field, written[field]]));
      if (id !== undefined) filter._id = { $ne: new Types.ObjectId(id) };
      const clashes = await this.model.countDocuments(filter as QueryFilter<T>).maxTimeMS(this.operationTimeoutMs);
      if (clashes > 0)
        throw new ConflictError(`a ${this.entity} with this ${fields.at(-1)!} already exists`, fields.at(-1));
    }
  }

  async deleteById(id: string): Promise<StoredRecord<T> | undefined> {
    const deleted = await this.model.findByIdAndDelete(id).lean().exec();
    return (deleted ?? undefined) as StoredRecord<T> | undefined;
  }

  /**
   * Writes through the driver, not Mongoose: the record's `updatedAt` is written as the replay decides, where
   * Mongoose's timestamps would put the time of the replay. Updates and deletes follow the replay rule
   * (journal-replay-rule.ts), read and written with optimistic concurrency: the write is filtered on the `updatedAt`
   * just read, so a writer that slips in between makes it read and decide again.
   */
  async applyJournalled(write: JournalledWrite): Promise<ReplayOutcome> {
    switch (write.operation) {
      case 'insert':
        await this.insertRecord(write.payload as StoredRecord<T>);
        return { applied: true };
      case 'update':
        return this.replayUpdate(write);
      case 'delete':
        return this.replayDelete(write);
    }
  }

  /** Inserts a record exactly as given (id and timestamps included); a record whose id is already stored is left as it is. */
  private async insertRecord(record: StoredRecord<T>): Promise<void> {
    try {
      await this.model.collection.insertOne(record);
    } catch (error) {
      if (isDuplicateKeyError(error) && (await this.findById(record._id.toHexString()))) return;
      translateWriteError(error, this.entity, this.uniqueIndexes);
    }
  }

  private async replayUpdate(write: JournalledWrite): Promise<ReplayOutcome> {
    for (let attempt = 0; attempt < REPLAY_ATTEMPTS; attempt++) {
      const current = await this.findById(write.documentId);
      if (!current)
        return { applied: false, reason: `${this.collectionName} ${write.documentId} was deleted meanwhile` };
      const { set, applied, lost } = resolveUpdate(current, write);
      if (applied.length === 0 && lost) {
        const fields = Object.keys(lost.fields).join(', ');
        return { applied: false, reason: `a later write changed ${fields}`, supersededBy: lost };
      }
      if (Object.keys(set).length === 0 || (await this.setAndCheck(write.documentId, current.updatedAt, set))) {
        return lost ? { applied: true, supersededBy: lost } : { applied: true };
      }
    }
    return { applied: false, reason: this.keptChanging(write) };
  }

  private async replayDelete(write: JournalledWrite): Promise<ReplayOutcome> {
    const _id = new Types.ObjectId(write.documentId);
    for (let attempt = 0; attempt < REPLAY_ATTEMPTS; attempt++) {
      const current = await this.findById(write.documentId);
      if (!current) return { applied: true };
      const { supersededBy } = resolveDelete(current, write);
      if (supersededBy) return { applied: false, reason: 'the record was changed after it was deleted', supersededBy };
      const { deletedCount } = await this.model.collection.deleteOne({ _id, updatedAt: current.updatedAt ?? null });
      if (deletedCount > 0) return { applied: true };
    }
    return { applied: false, reason: this.keptChanging(write) };
  }

  /**
   * Sets fields of a stored record if it is still the version read (its `updatedAt`), and reads it back: true when
   * it holds them. The read back is for databases whose filtered update is not atomic (FerretDB: two updates filtered
   * on the same version both match, the last one writing over the other); the writer whose values are gone decides
   * again from what the database holds. It narrows the race there, without closing it: an update whose read preceded
   * ours can still land after our read back.
   */
  private async setAndCheck(id: string, updatedAt: Date | undefined, fields: Record<string, unknown>) {
    try {
      const filter = { _id: new Types.ObjectId(id), updatedAt: updatedAt ?? null };
      const result = await this.model.collection.updateOne(filter, { $set: fields });
      if (result.matchedCount === 0) return false;
    } catch (error) {
      translateWriteError(error, this.entity, this.uniqueIndexes);
    }
    const stored = (await this.findById(id)) as Record<string, unknown> | undefined;
    return stored !== undefined && Object.entries(fields).every(([field, value]) => sameValue(stored[field], value));
  }

  private keptChanging(write: JournalledWrite): string {
    return `${this.collectionName} ${write.documentId} changed under the replay ${REPLAY_ATTEMPTS} times in a row`;
  }
}
