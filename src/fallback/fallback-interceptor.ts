import { Logger } from '@nestjs/common';
import { Model, PipelineStage, QueryFilter, Types } from 'mongoose';
import { ConflictError, ServiceUnavailableError } from '../common/errors/domain-errors';
import { currentRequestContext } from '../common/request-context';
import type {
  FindQuery,
  JournalledWrite,
  ReplayableStore,
  StoredPage,
  StoredRecord,
} from '../common/persistence/collection-store';
import {
  MongooseCollectionStore,
  translateWriteError,
  uniqueIndexesOf,
} from '../common/persistence/mongoose-collection-store';
import type { FallbackSettings } from '../config/app-config';
import type { MetricsService } from '../metrics/metrics.service';
import type { DatabaseCircuit } from './database-circuit';
import { isDatabaseFailure } from './database-failure';
import { cloneRecord, FixtureCollectionStore } from './fixtures/fixture-store';
import type { JournalEntry, WriteJournal } from './write-journal';

export interface FallbackDependencies {
  settings: FallbackSettings;
  circuit: DatabaseCircuit;
  journal: WriteJournal;
  metrics: MetricsService;
}

type ReadOperation = 'findById' | 'find' | 'count' | 'aggregate';
type WriteOperation = 'insert' | 'update' | 'delete';

/**
 * Decorates a collection's store: every operation goes to MongoDB through the database circuit;
 * when the database fails, reads are answered from the backup data and writes are validated,
 * journalled durably and applied to the backup data's overlay, to be replayed once the database is back.
 * Errors in the request itself (validation, unique clashes) pass through untouched.
 */
export class FallbackInterceptor<T> implements ReplayableStore<T> {
  private readonly logger: Logger;
  private lastServingLogAt = 0;
  private readonly uniqueIndexes: string[][];
  /** The write queued last; the next waits for it (see oneAtATime). */
  private lastQueuedWrite: Promise<unknown> = Promise.resolve();

  constructor(
    readonly primary: MongooseCollectionStore<T>,
    readonly backup: FixtureCollectionStore<T>,
    private readonly model: Model<T>,
    private readonly entity: string,
    private readonly dependencies: FallbackDependencies,
  ) {
    this.logger = new Logger(`Fallback:${backup.collectionName}`);
    this.uniqueIndexes = uniqueIndexesOf(model.schema);
  }

  get collectionName(): string {
    return this.backup.collectionName;
  }

  async findById(id: string): Promise<StoredRecord<T> | undefined> {
    return this.read(
      'findById',
      () => this.primary.findById(id),
      async () =>
        (await this.backup.findById(id)) ?? this.unavailable(`${this.entity} ${id} is not in the backup data`),
    );
  }

  async findByIds(ids: readonly string[]): Promise<StoredRecord<T>[]> {
    return this.read(
      'find',
      () => this.primary.findByIds(ids),
      () => this.backup.findByIds(ids),
    );
  }

  async find(query: FindQuery<T>): Promise<StoredRecord<T>[]> {
    return this.read(
      'find',
      () => this.primary.find(query),
      () => this.backup.find(query),
    );
  }

  async findPage(query: FindQuery<T>): Promise<StoredPage<T>> {
    return this.read(
      'find',
      () => this.primary.findPage(query),
      () => this.backup.findPage(query),
    );
  }

  async count(filter: QueryFilter<T>): Promise<number> {
    return this.read(
      'count',
      () => this.primary.count(filter),
      () => this.backup.count(filter),
    );
  }

  async aggregate<R>(pipeline: PipelineStage[]): Promise<R[]> {
    return this.read(
      'aggregate',
      () => this.primary.aggregate<R>(pipeline),
      () => this.backup.aggregate<R>(pipeline),
    );
  }

  async insert(data: Partial<T>): Promise<StoredRecord<T>> {
    // One id for both paths: an attempt that timed out may still reach the database, and the
    // journalled copy must then be recognised as the same record when it is replayed.
    const record = { _id: new Types.ObjectId(), ...data };
    return this.write(
      'insert',
      () => this.primary.insert(record),
      () => this.queueInsert(record),
    );
  }

  async updateById(id: string, changes: Partial<T>): Promise<StoredRecord<T> | undefined> {
    return this.write(
      'update',
      () => this.primary.updateById(id, changes),
      () => this.queueUpdate(id, changes),
    );
  }

  async deleteById(id: string): Promise<StoredRecord<T> | undefined> {
    return this.write(
      'delete',
      () => this.primary.deleteById(id),
      () => this.queueDelete(id),
    );
  }

  /**
   * Applies a journalled write to the database, through the circuit: a database failure is thrown to the replay
   * (which tries again later), never answered from backup data.
   */
  async applyJournalled(write: JournalledWrite): Promise<{ applied: true } | { applied: false; reason: string }> {
    return this.dependencies.circuit.execute(() => this.primary.applyJournalled(write));
  }

  /** Applies a journalled write to the overlay, e.g. entries still pending from before a restart. */
  applyToOverlay(entry: JournalEntry): void {
    if (entry.operation === 'delete') return this.backup.remove(entry.documentId);
    if (entry.operation === 'insert') return this.backup.put(entry.payload as StoredRecord<T>);
    const existing = this.backup.findByIdSync(entry.documentId);
    if (existing) this.backup.put({ ...existing, ...entry.payload });
  }

  private async read<R>(
    operation: ReadOperation,
    fromDatabase: () => Promise<R>,
    fromBackup: () => Promise<R>,
  ): Promise<R> {
    if (!this.dependencies.settings.enabled) return fromDatabase();
    if (!this.dependencies.circuit.open) {
      const attempt = await this.tryDatabase(operation, fromDatabase);
      if (attempt.answered) return attempt.result;
    }
    currentRequestContext()?.fallbackCollections.add(this.collectionName);
    this.dependencies.metrics.fallbackAnswers.inc({ collection: this.collectionName, operation });
    this.logServing(operation);
    return fromBackup();
  }

  /** Writes queue behind pending journal entries, so a replay never applies an older write over a newer one. */
  private async write<R>(
    operation: WriteOperation,
    toDatabase: () => Promise<R>,
    toJournal: () => Promise<R>,
  ): Promise<R> {
    const { settings, circuit, journal } = this.dependencies;
    if (!settings.enabled) return toDatabase();
    if (circuit.degraded || journal.hasPending()) return this.queued(operation, toJournal);
    const attempt = await this.tryDatabase(operation, toDatabase);
    // A write that timed out may still reach the database: replaying it is idempotent.
    return attempt.answered ? attempt.result : this.queued(operation, toJournal);
  }

  /** Runs an operation on the database through the circuit; a database failure is returned, any other error thrown. */
  private async tryDatabase<R>(
    operation: ReadOperation | WriteOperation,
    run: () => Promise<R>,
  ): Promise<{ answered: true; result: R } | { answered: false }> {
    const started = performance.now();
    try {
      const result = await this.dependencies.circuit.execute(run);
      this.observe(operation, 'ok', started);
      return { answered: true, result };
    } catch (error) {
      const failed = isDatabaseFailure(error);
      this.observe(operation, failed ? 'failure' : 'error', started);
      if (!failed) throw error;
      return { answered: false };
    }
  }

  private async queued<R>(operation: WriteOperation, toJournal: () => Promise<R>): Promise<R> {
    const { settings, metrics } = this.dependencies;
    if (settings.writes === 'reject') {
      this.unavailable(`the database is unavailable and writes are not accepted meanwhile`);
    }
    const result = await this.oneAtATime(toJournal);
    const context = currentRequestContext();
    if (context) context.writeQueued = true;
    metrics.fallbackWrites.inc({ collection: this.collectionName, operation });
    return result;
  }

  /**
   * Queued writes run one at a time, in the order they arrive: each reads, validates and checks uniqueness against
   * the overlay as the writes before it left it. Run side by side, two inserts of one unique value would both pass
   * their checks, and two updates of one record would each put back the record without the other's change.
   */
  private oneAtATime<R>(write: () => Promise<R>): Promise<R> {
    const running = this.lastQueuedWrite.then(write);
    this.lastQueuedWrite = running.catch(() => undefined);
    return running;
  }

  private async queueInsert(data: Partial<T> & { _id: Types.ObjectId }): Promise<StoredRecord<T>> {
    const now = new Date();
    const record = await this.validated({ ...data, createdAt: now, updatedAt: now });
    await this.assertUnique(record);
    this.dependencies.journal.append(this.collectionName, 'insert', record._id.toHexString(), record);
    this.backup.put(record);
    return cloneRecord(record);
  }

  private async queueUpdate(id: string, changes: Partial<T>): Promise<StoredRecord<T> | undefined> {
    const existing = await this.backup.findById(id);
    if (!existing) this.unavailable(`${this.entity} ${id} is not in the backup data, so it cannot be changed now`);
    const record = await this.validated({ ...existing, ...changes, _id: existing._id, updatedAt: new Date() });
    await this.assertUnique(record);
    const fields = Object.fromEntries(
      [...Object.keys(changes), 'updatedAt'].map((key) => [key, (record as Record<string, unknown>)[key]]),
    );
    this.dependencies.journal.append(this.collectionName, 'update', id, fields);
    this.backup.put(record);
    return cloneRecord(record);
  }

  private async queueDelete(id: string): Promise<StoredRecord<T> | undefined> {
    const existing = await this.backup.findById(id);
    if (!existing) this.unavailable(`${this.entity} ${id} is not in the backup data, so it cannot be deleted now`);
    this.dependencies.journal.append(this.collectionName, 'delete', id);
    this.backup.remove(id);
    return existing;
  }

  /** Validates and casts a record with the collection's Mongoose schema, as the database path would. */
  private async validated(candidate: Record<string, unknown>): Promise<StoredRecord<T>> {
    const document = new this.model(candidate);
    try {
      await document.validate();
    } catch (error) {
      translateWriteError(error, this.entity, this.uniqueIndexes);
    }
    return document.toObject({ versionKey: false }) as unknown as StoredRecord<T>;
  }

  private async assertUnique(record: StoredRecord<T>): Promise<void> {
    for (const fields of this.uniqueIndexes) {
      const values = fields.map((field) => (record as Record<string, unknown>)[field]);
      if (values.every((value) => value === undefined)) continue;
      const filter = Object.fromEntries(fields.map((field, index) => [field, values[index] ?? null]));
      const clashes = await this.backup.count({ ...filter, _id: { $ne: record._id } });
      const field = fields.at(-1)!;
      if (clashes > 0) throw new ConflictError(`a ${this.entity} with this ${field} already exists`, field);
    }
  }

  private unavailable(message: string): never {
    throw new ServiceUnavailableError(message, this.dependencies.settings.retryAfterSeconds);
  }

  private observe(operation: ReadOperation | WriteOperation, outcome: string, started: number): void {
    this.dependencies.metrics.databaseOperationSeconds.observe(
      { collection: this.collectionName, operation, outcome },
      (performance.now() - started) / 1000,
    );
  }

  private logServing(operation: ReadOperation): void {
    const now = Date.now();
    if (now - this.lastServingLogAt < this.dependencies.settings.logIntervalMs) return;
    this.lastServingLogAt = now;
    this.logger.warn(
      { event: 'fallback.serving', collection: this.collectionName, operation },
      `Serving ${this.collectionName} from backup data (database unavailable)`,
    );
  }
}
