import { Error as MongooseError, Model, PipelineStage, QueryFilter, Types } from 'mongoose';
import { ConflictError, InvalidInputError } from '../errors/domain-errors';
import { CollectionStore, FindQuery, StoredRecord } from './collection-store';

interface DuplicateKeyError {
  code: 11000;
  keyPattern?: Record<string, unknown>;
  keyValue?: Record<string, unknown>;
  message: string;
}

function isDuplicateKeyError(error: unknown): error is DuplicateKeyError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/** FerretDB reports the index name rather than keyPattern; both name the field. */
function duplicateField(error: DuplicateKeyError): string {
  const fromPattern = Object.keys(error.keyPattern ?? error.keyValue ?? {})[0];
  if (fromPattern) return fromPattern;
  const fromIndexName = /index:\s*([A-Za-z.]+)_-?1/.exec(error.message)?.[1];
  return fromIndexName ?? 'unknown';
}

/**
 * Translates errors a client caused (bad values, unique clashes) into domain errors; everything
 * else, database failures above all, is rethrown untouched.
 */
export function translateWriteError(error: unknown, entity: string): never {
  if (isDuplicateKeyError(error)) {
    const field = duplicateField(error);
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
export class MongooseCollectionStore<T> implements CollectionStore<T> {
  constructor(
    private readonly model: Model<T>,
    private readonly entity: string,
    private readonly operationTimeoutMs: number,
  ) {}

  get collectionName(): string {
    return this.model.collection.collectionName;
  }

  async findById(id: string): Promise<StoredRecord<T> | undefined> {
    const record = await this.model.findById(id).lean().maxTimeMS(this.operationTimeoutMs).exec();
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
      translateWriteError(error, this.entity);
    }
  }

  async updateById(id: string, changes: Partial<T>): Promise<StoredRecord<T> | undefined> {
    try {
      const updated = await this.model
        .findByIdAndUpdate(id, { $set: changes }, { new: true, runValidators: true })
        .lean()
        .exec();
      return (updated ?? undefined) as StoredRecord<T> | undefined;
    } catch (error) {
      translateWriteError(error, this.entity);
    }
  }

  async deleteById(id: string): Promise<StoredRecord<T> | undefined> {
    const deleted = await this.model.findByIdAndDelete(id).lean().exec();
    return (deleted ?? undefined) as StoredRecord<T> | undefined;
  }
}
