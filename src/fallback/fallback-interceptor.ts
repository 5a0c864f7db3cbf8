import { Logger } from '@nestjs/common';
import { Model, PipelineStage, QueryFilter, Types } from 'mongoose';
import { ConflictError, ServiceUnavailableError } from '../common/errors/domain-errors';
import { currentRequestContext } from '../common/request-context';
import type {
  FindQuery,
  JournalledWrite,
  RecordLookup,
  ReplayableStore,
  ReplayOutcome,
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
import type { CollectionMemory, ReadTicket, StaleAnswer } from './last-known-good/collection-memory';
import { changedByPipeline } from './last-known-good/last-known-good';
import { canonicalKey } from './last-known-good/query-key';
import type { JournalEntry, WriteJournal } from './write-journal';

export interface FallbackDependencies {
  settings: FallbackSettings;
  circuit: DatabaseCircuit;
  journal: WriteJournal;
  metrics: MetricsService;
  /** Asked to ping now when a read passes its deadline (DatabaseHeartbeat). */
  heartbeat: { check(): void };
}

type AnyRecord = StoredRecord<Record<string, unknown>>;
type ReadOperation = 'findById' | 'find' | 'count' | 'aggregate';
type WriteOperation = 'insert' | 'update' | 'delete';
type Attempt<R> = { answered: true; result: R } | { answered: false };

/** Where an outage answer came from, as counted and logged. */
export type OutageSource = 'stale' | 'snapshot' | 'fallback' | 'unavailable';

interface Read<R> {
  fromDatabase: () => Promise<R>;
  /** Remembers the database's answer in the last-known-good tier. */
  remember: (ticket: ReadTicket, result: R) => void;
  /** The last-known-good tier's answer, if it has one. */
  fromTier: () => Promise<StaleAnswer<R> | undefined>;
  fromBackup: () => Promise<R>;
}

/**
 * Decorates a collection's store: every operation goes to MongoDB through the database circuit, and what the
 * database answers is remembered in the last-known-good tier. When the database fails, reads are answered from
 * that tier (the real data as last read, marked stale), else from the backup data, else 503; writes are validated,
 * journalled durably and applied to both (read your writes), to be replayed once the database is back.
 * Errors in the request itself (validation, unique clashes) pass through untouched.
 */
export class FallbackInterceptor<T> implements ReplayableStore<T> {
  private readonly logger: Logger;
  private lastServingLogAt = 0;
  private readonly uniqueIndexes: string[][];
  /** `<collection>.<operation>`: what the circuit learns deadlines by. */
  private readonly operationNames: Record<ReadOperation | WriteOperation | 'replay', string>;
  /** The write queued last; the next waits for it (see oneAtATime). */
  private lastQueuedWrite: Promise<unknown> = Promise.resolve();

  constructor(
    readonly primary: MongooseCollectionStore<T>,
    readonly backup: FixtureCollectionStore<T>,
    private readonly model: Model<T>,
    private readonly entity: string,
    private readonly dependencies: FallbackDependencies,
    readonly memory: CollectionMemory<T>,
  ) {
    this.logger = new Logger(`Fallback:${backup.collectionName}`);
    this.uniqueIndexes = uniqueIndexesOf(model.schema);
    const name = (operation: string) => `${backup.collectionName}.${operation}`;
    this.operationNames = {
      findById: name('findById'),
      find: name('find'),
      count: name('count'),
      aggregate: name('aggregate'),
      insert: name('insert'),
      update: name('update'),
      delete: name('delete'),
      replay: name('replay'),
    };
  }

  get collectionName(): string {
    return this.backup.collectionName;
  }

  /**
   * The database alone, through the circuit: a failure is thrown, never answered from the fallback tiers. What a
   * replayed write is checked against (a record known only from the backup data must not pass for a real one).
   */
  readonly database: RecordLookup<T> = {
    findById: (id) => this.dependencies.circuit.execute(() => this.primary.findById(id), this.operationNames.replay),
    find: (query) => this.dependencies.circuit.execute(() => this.primary.find(query), this.operationNames.replay),
    count: (filter) => this.dependencies.circuit.execute(() => this.primary.count(filter), this.operationNames.replay),
  };

  async findById(id: string): Promise<StoredRecord<T> | undefined> {
    return this.read('findById', {
      fromDatabase: () => this.primary.findById(id),
      remember: (ticket, record) => this.memory.rememberRecord(ticket, id, record),
      fromTier: () => this.memory.record(id),
      fromBackup: async () =>
        (await this.backup.findById(id)) ?? this.unavailable(`${this.entity} ${id} is not in the backup data`),
    });
  }

  async findByIds(ids: readonly string[]): Promise<StoredRecord<T>[]> {
    return this.read('find', {
      fromDatabase: () => this.primary.findByIds(ids),
      remember: (ticket, records) => this.memory.rememberRecords(ticket, records),
      fromTier: () => this.recallEach(ids),
      fromBackup: () => this.backup.findByIds(ids),
    });
  }

  async find(query: FindQuery<T>): Promise<StoredRecord<T>[]> {
    const key = canonicalKey('find', query);
    return this.read('find', {
      fromDatabase: () => this.primary.find(query),
      remember: (ticket, records) => this.memory.rememberFound(ticket, key, query, records),
      fromTier: () => this.memory.result(key, { filter: query.filter }, (snapshot) => snapshot.find(query)),
      fromBackup: () => this.backup.find(query),
    });
  }

  async findPage(query: FindQuery<T>): Promise<StoredPage<T>> {
    const key = canonicalKey('page', query);
    return this.read('find', {
      fromDatabase: () => this.primary.findPage(query),
      remember: (ticket, page) => this.memory.rememberFound(ticket, key, query, page),
      fromTier: () => this.memory.result(key, { filter: query.filter }, (snapshot) => snapshot.findPage(query)),
      fromBackup: () => this.backup.findPage(query),
    });
  }

  async count(filter: QueryFilter<T>): Promise<number> {
    const key = canonicalKey('count', filter);
    return this.read('count', {
      fromDatabase: () => this.primary.count(filter),
      remember: (ticket, total) => this.memory.rememberResult(ticket, key, total, { filter: filter }),
      fromTier: () => this.memory.result(key, { filter }, (snapshot) => snapshot.count(filter)),
      fromBackup: () => this.backup.count(filter),
    });
  }

  async aggregate<R>(pipeline: PipelineStage[]): Promise<R[]> {
    const key = canonicalKey('aggregate', pipeline);
    return this.read('aggregate', {
      fromDatabase: () => this.primary.aggregate<R>(pipeline),
      remember: (ticket, rows) => this.memory.rememberResult(ticket, key, rows, changedByPipeline(pipeline)),
      fromTier: () =>
        this.memory.result(key, changedByPipeline(pipeline), (snapshot) => snapshot.aggregate<R>(pipeline)),
      fromBackup: () => this.backup.aggregate<R>(pipeline),
    });
  }

  async insert(data: Partial<T>): Promise<StoredRecord<T>> {
    // One id for both paths: an attempt that timed out may still reach the database, and the
    // journalled copy must then be recognised as the same record when it is replayed.
    const record = { _id: new Types.ObjectId(), ...data };
    return this.write(
      'insert',
      async () => this.acknowledged(record._id.toHexString(), undefined, await this.primary.insert(record)),
      () => this.queueInsert(record),
    );
  }

  async updateById(id: string, changes: Partial<T>): Promise<StoredRecord<T> | undefined> {
    return this.write(
      'update',
      async () => {
        const before = this.memory.knownRecord(id);
        const after = await this.primary.updateById(id, changes);
        return after ? this.acknowledged(id, before, after, Object.keys(changes)) : after;
      },
      () => this.queueUpdate(id, changes),
    );
  }

  async deleteById(id: string): Promise<StoredRecord<T> | undefined> {
    return this.write(
      'delete',
      async () => {
        const deleted = await this.primary.deleteById(id);
        if (deleted) this.memory.written({ id, before: deleted });
        return deleted;
      },
      () => this.queueDelete(id),
    );
  }

  /**
   * Applies a journalled write to the database, through the circuit: a database failure is thrown to the replay
   * (which tries again later), never answered from backup data.
   */
  async applyJournalled(write: JournalledWrite): Promise<ReplayOutcome> {
    const outcome = await this.dependencies.circuit.execute(
      () => this.primary.applyJournalled(write),
      this.operationNames.replay,
      { write: true },
    );
    if (!outcome.applied || outcome.supersededBy) {
      // The tier holds the write as it was accepted; the database refused it, or kept a later write's fields.
      this.memory.forget(write.documentId);
    } else if (write.operation === 'delete') {
      this.memory.written({ id: write.documentId, before: this.memory.knownRecord(write.documentId) });
    } else {
      const before = this.memory.knownRecord(write.documentId) as AnyRecord | undefined;
      const after = write.operation === 'insert' ? write.payload : before && { ...before, ...write.payload };
      if (after) this.memory.written({ id: write.documentId, before, after: after as AnyRecord });
      else this.memory.forget(write.documentId);
    }
    return outcome;
  }

  /** Applies a journalled write to the overlay, e.g. entries still pending from before a restart. */
  applyToOverlay(entry: JournalEntry): void {
    if (entry.operation === 'delete') return this.backup.remove(entry.documentId);
    if (entry.operation === 'insert') return this.backup.put(entry.payload as StoredRecord<T>);
    const existing = this.backup.findByIdSync(entry.documentId);
    if (existing) this.backup.put({ ...existing, ...entry.payload });
  }

  private async read<R>(operation: ReadOperation, read: Read<R>): Promise<R> {
    if (!this.dependencies.settings.enabled) return read.fromDatabase();
    if (!this.dependencies.circuit.open) {
      const attempt = await this.readDatabase(operation, read);
      if (attempt.answered) return attempt.result;
    }
    const context = currentRequestContext();
    const stale = await read.fromTier();
    if (stale) {
      context?.markStale(this.collectionName, stale.at);
      this.outageAnswer(operation, stale.source);
      return stale.value;
    }
    context?.fallbackCollections.add(this.collectionName);
    this.dependencies.metrics.fallbackAnswers.inc({ collection: this.collectionName, operation });
    try {
      const answer = await read.fromBackup();
      this.outageAnswer(operation, 'fallback');
      return answer;
    } catch (error) {
      this.outageAnswer(operation, 'unavailable');
      throw error;
    }
  }

  /**
   * A batch by id in an outage: each record from the tier where it knows it, the others from the backup data
   * (the answer is then marked as backup data).
   */
  private async recallEach(ids: readonly string[]): Promise<StaleAnswer<StoredRecord<T>[]> | undefined> {
    // Side by side: each may wait for the shared tier.
    const answers = await Promise.all(ids.map((id) => this.memory.record(id)));
    const found: StoredRecord<T>[] = [];
    const unknown: string[] = [];
    let oldest: StaleAnswer<unknown> | undefined;
    answers.forEach((answer, index) => {
      if (!answer) unknown.push(ids[index]);
      else {
        if (answer.value) found.push(answer.value);
        if (!oldest || answer.at < oldest.at) oldest = answer;
      }
    });
    if (!oldest) return undefined;
    if (unknown.length > 0) {
      currentRequestContext()?.fallbackCollections.add(this.collectionName);
      found.push(...(await this.backup.findByIds(unknown)));
    }
    return { value: found, at: oldest.at, source: oldest.source };
  }

  /** A write the database acknowledged: the tier takes its record (and drops what it changes). */
  private acknowledged(
    id: string,
    before: StoredRecord<T> | undefined,
    after: StoredRecord<T>,
    changedFields?: string[],
  ): StoredRecord<T> {
    this.memory.written({ id, before: before, after: after, changedFields });
    return after;
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

  /**
   * A read from the database, hedged: when it is still waiting at its learned deadline, the heartbeat is asked to
   * check the database, and the last-known-good tier answers if it can (marked stale) while the read goes on in the
   * background (remembered, and teaching the deadline, when it ends). Without a tier answer the read waits on, up to
   * the ceiling or a stall: a slow database is still the best source of data that is not remembered.
   */
  private readDatabase<R>(operation: ReadOperation, read: Read<R>): Promise<Attempt<R>> {
    const ticket = this.memory.begin();
    const context = currentRequestContext();
    return new Promise<Attempt<R>>((resolve, reject) => {
      let settled = false;
      const hedge = () => {
        this.dependencies.heartbeat.check();
        void read.fromTier().then(
          (stale) => {
            if (settled || !stale) return;
            settled = true;
            context?.markStale(this.collectionName, stale.at);
            this.dependencies.metrics.hedgedAnswers.inc({ collection: this.collectionName, source: stale.source });
            resolve({ answered: true, result: stale.value });
          },
          () => undefined,
        ); // The tier could not answer: the read waits on for the database.
      };
      this.tryDatabase(operation, read.fromDatabase, hedge).then(
        (attempt) => {
          if (attempt.answered) read.remember(ticket, attempt.result);
          if (settled) return;
          settled = true;
          resolve(attempt);
        },
        (error: Error) => {
          if (settled) return;
          settled = true;
          reject(error);
        },
      );
    });
  }

  /** Runs an operation on the database through the circuit; a database failure is returned, any other error thrown. */
  private async tryDatabase<R>(
    operation: ReadOperation | WriteOperation,
    run: () => Promise<R>,
    onDeadline?: () => void,
  ): Promise<Attempt<R>> {
    const started = performance.now();
    try {
      const result = await this.dependencies.circuit.execute(run, this.operationNames[operation], {
        onDeadline,
        write: operation === 'insert' || operation === 'update' || operation === 'delete',
      });
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
    this.memory.written({ id: record._id.toHexString(), after: record });
    return cloneRecord(record);
  }

  private async queueUpdate(id: string, changes: Partial<T>): Promise<StoredRecord<T> | undefined> {
    const known = await this.existing(id);
    if (known === 'absent') return undefined;
    const existing = known ?? this.unavailable(`${this.entity} ${id} is not known now, so it cannot be changed now`);
    const acceptedAt = new Date();
    const record = await this.validated({ ...existing, ...changes, _id: existing._id, updatedAt: acceptedAt });
    await this.assertUnique(record);
    const valuesOf = (source: object, keys: string[]) =>
      Object.fromEntries(keys.map((key) => [key, (source as Record<string, unknown>)[key]]));
    const changed = Object.keys(changes);
    // The version the update is based on decides, at replay, which of its fields a later write has won.
    this.dependencies.journal.append(this.collectionName, 'update', id, valuesOf(record, [...changed, 'updatedAt']), {
      acceptedAt,
      baseUpdatedAt: existing.updatedAt,
      baseValues: valuesOf(existing, changed),
    });
    if (this.backup.has(id)) this.backup.put(record);
    this.memory.written({ id, before: existing, after: record });
    return cloneRecord(record);
  }

  private async queueDelete(id: string): Promise<StoredRecord<T> | undefined> {
    const known = await this.existing(id);
    if (known === 'absent') return undefined;
    const existing = known ?? this.unavailable(`${this.entity} ${id} is not known now, so it cannot be deleted now`);
    this.dependencies.journal.append(this.collectionName, 'delete', id, undefined, {
      baseUpdatedAt: existing.updatedAt,
    });
    this.backup.remove(id);
    this.memory.written({ id, before: existing });
    return existing;
  }

  /**
   * A record as known during an outage: from the last-known-good tier (`absent` when the database said it does not
   * exist), else from the backup data; undefined when neither knows it.
   */
  private async existing(id: string): Promise<StoredRecord<T> | 'absent' | undefined> {
    const remembered = await this.memory.record(id);
    if (remembered) return remembered.value ?? 'absent';
    return this.backup.findById(id);
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

  /** Counts an outage answer by its source and says, at most once per log interval, where answers come from. */
  private outageAnswer(operation: ReadOperation, source: OutageSource): void {
    const { metrics, settings } = this.dependencies;
    metrics.outageAnswers.inc({ collection: this.collectionName, source });
    const now = Date.now();
    if (now - this.lastServingLogAt < settings.logIntervalMs) return;
    this.lastServingLogAt = now;
    this.logger.warn(
      { event: 'fallback.serving', collection: this.collectionName, operation, source },
      `Serving ${this.collectionName} from ${SOURCE_NAMES[source]} (database unavailable)`,
    );
  }
}

const SOURCE_NAMES: Record<OutageSource, string> = {
  stale: 'remembered reads (last known good)',
  snapshot: 'its snapshot (last known good)',
  fallback: 'backup data',
  unavailable: 'nothing: 503',
};
