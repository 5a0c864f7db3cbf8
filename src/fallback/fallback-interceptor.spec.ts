import type { FastifyRequest } from 'fastify';
import { Error as MongooseError, Mongoose, Schema, Types } from 'mongoose';
import { ConflictError, InvalidInputError, ServiceUnavailableError } from '../common/errors/domain-errors';
import type { FindQuery, JournalledWrite, ReplayOutcome, StoredRecord } from '../common/persistence/collection-store';
import type { MongooseCollectionStore } from '../common/persistence/mongoose-collection-store';
import { enterRequestContext, type RequestContext } from '../common/request-context';
import type { FallbackSettings } from '../config/app-config';
import type { MetricsService } from '../metrics/metrics.service';
import { CircuitOpenError, DatabaseTimeoutError } from './database-failure';
import { DatabaseCircuit } from './database-circuit';
import { FallbackInterceptor } from './fallback-interceptor';
import { cloneRecord, FixtureCollectionStore } from './fixtures/fixture-store';
import { CollectionMemory } from './last-known-good/collection-memory';
import { LastKnownGood } from './last-known-good/last-known-good';
import { NO_SHARED_TIER } from './last-known-good/shared-tier';
import { configWith, databaseFailure, fallbackTestLifecycle, START } from './testing/fallback-test-kit';

const later = (ms: number) => new Date(START.getTime() + ms);

type Teacher = {
  name: string;
  email: string;
  hiredAt: Date;
};

// A Mongoose instance of its own that never connects: validating a document needs no database.
const mongoose = new Mongoose();
const TeacherSchema = new Schema<Teacher>(
  {
    name: { type: String, required: true, trim: true },
    email: {
      type: String,
      required: true,
      lowercase: true,
      trim: true,
      match: [/@/, 'email must be an e-mail address'],
    },
    hiredAt: { type: Date, required: true },
  },
  { collection: 'teachers', timestamps: true, versionKey: false, autoIndex: false, autoCreate: false },
);
TeacherSchema.index({ email: 1 }, { unique: true });
const TeacherModel = mongoose.model<Teacher>('Teacher', TeacherSchema);

const ADA_ID = 'a0000000000000000000000a';
const BEN_ID = 'b0000000000000000000000b';
const ABSENT_ID = 'f0000000000000000000000f';

function teacher(id: string, name: string, email: string): StoredRecord<Teacher> {
  const at = new Date('2026-01-05T09:00:00Z');
  return { _id: new Types.ObjectId(id), name, email, hiredAt: new Date('2024-09-01'), createdAt: at, updatedAt: at };
}

/** The backup data: a snapshot that the database has moved on from (Ada changed her name since). */
const BACKUP = [
  teacher(ADA_ID, 'Ada Moss', 'ada.moss@school.test'),
  teacher(BEN_ID, 'Ben Hill', 'ben.hill@school.test'),
];
const DATABASE = [teacher(ADA_ID, 'Ada Moss-Hill', 'ada.moss@school.test'), BACKUP[1]];

/** The MongoDB store under the interceptor: answers from DATABASE, or rejects every operation with one error. */
function newFakeDatabase() {
  let failure: Error | undefined;
  const answering = <A extends unknown[], R>(answer: (...args: A) => R) =>
    jest.fn((...args: A): Promise<R> => (failure ? Promise.reject(failure) : Promise.resolve(answer(...args))));
  const byId = (id: string) => DATABASE.find((record) => record._id.toHexString() === id);
  const store = {
    collectionName: 'teachers',
    findById: answering((id: string) => byId(id)),
    findByIds: answering((ids: readonly string[]) =>
      DATABASE.filter((record) => ids.includes(record._id.toHexString())),
    ),
    find: answering((_query: FindQuery<Teacher>) => DATABASE),
    findPage: answering((_query: FindQuery<Teacher>) => ({ records: DATABASE, total: DATABASE.length })),
    count: answering((_filter: unknown) => DATABASE.length),
    aggregate: answering((_pipeline: unknown) => [{ teachers: DATABASE.length }]),
    insert: answering((data: Partial<Teacher>) => ({ ...data, createdAt: new Date(), updatedAt: new Date() })),
    updateById: answering((id: string, changes: Partial<Teacher>) => ({ ...byId(id)!, ...changes })),
    deleteById: answering((id: string) => byId(id)),
    applyJournalled: answering((_write: JournalledWrite): ReplayOutcome => ({ applied: true })),
  };
  return {
    store,
    goDown: (error: Error = databaseFailure()) => (failure = error),
    comeBack: () => (failure = undefined),
  };
}

function newFakeMetrics() {
  return {
    fallbackAnswers: { inc: jest.fn() },
    fallbackWrites: { inc: jest.fn() },
    outageAnswers: { inc: jest.fn() },
    hedgedAnswers: { inc: jest.fn() },
    databaseOperationSeconds: { observe: jest.fn() },
  };
}

/** Runs `operation` inside a request's context, as the HTTP pipeline does, and gives back that context. */
async function inRequest<R>(operation: () => Promise<R>): Promise<{ result: R; context: RequestContext }> {
  const request = {} as FastifyRequest;
  let running!: Promise<R>;
  enterRequestContext(request, undefined, () => {
    running = operation();
  });
  return { result: await running, context: request.context! };
}

const names = (records: readonly { name: string }[]) => records.map((record) => record.name);

describe(FallbackInterceptor.name, () => {
  const { openJournal, logs } = fallbackTestLifecycle();

  function newTestInterceptor(settings: Partial<FallbackSettings> = {}) {
    const config = configWith(settings);
    const database = newFakeDatabase();
    const backup = new FixtureCollectionStore<Teacher>('teachers', BACKUP);
    const circuit = new DatabaseCircuit(config);
    const journal = openJournal(config);
    const metrics = newFakeMetrics();
    const tier = new LastKnownGood(config.fallback.stale);
    const heartbeat = { check: jest.fn() };
    const sut = new FallbackInterceptor(
      database.store as unknown as MongooseCollectionStore<Teacher>,
      backup,
      TeacherModel,
      'teacher',
      { settings: config.fallback, circuit, journal, metrics: metrics as unknown as MetricsService, heartbeat },
      new CollectionMemory<Teacher>('teachers', tier, NO_SHARED_TIER),
    );
    return { sut, database, backup, circuit, journal, metrics, tier, heartbeat };
  }

  /** Opens the breaker the way a real outage does: breakerThreshold reads that fail. */
  async function openBreaker(built: ReturnType<typeof newTestInterceptor>, threshold: number): Promise<void> {
    built.database.goDown();
    for (let read = 0; read < threshold; read++) await built.sut.findById(ADA_ID);
    expect(built.circuit.open).toBe(true);
  }

  describe('reads', () => {
    it('answers from the database while it answers, marked as database data', async () => {
      const { sut, database, metrics } = newTestInterceptor();

      const { result, context } = await inRequest(() => sut.findById(ADA_ID));

      expect(result?.name).toBe('Ada Moss-Hill');
      expect(database.store.findById).toHaveBeenCalledWith(ADA_ID);
      expect(context.source).toBe('database');
      expect(metrics.fallbackAnswers.inc).not.toHaveBeenCalled();
    });

    type Read = (sut: FallbackInterceptor<Teacher>) => Promise<unknown>;
    it.each<{ method: string; operation: string; read: Read; answer: unknown }>([
      {
        method: 'findById',
        operation: 'findById',
        read: (sut) => sut.findById(ADA_ID),
        answer: expect.objectContaining({ name: 'Ada Moss' }),
      },
      {
        method: 'findByIds',
        operation: 'find',
        read: (sut) => sut.findByIds([ADA_ID, ABSENT_ID]),
        answer: [expect.objectContaining({ name: 'Ada Moss' })],
      },
      {
        method: 'find',
        operation: 'find',
        read: (sut) => sut.find({ filter: { name: /^Ada/ } }),
        answer: [expect.objectContaining({ name: 'Ada Moss' })],
      },
      {
        method: 'findPage',
        operation: 'find',
        read: (sut) => sut.findPage({ filter: {}, sort: { name: -1 }, limit: 1 }),
        answer: { records: [expect.objectContaining({ name: 'Ben Hill' })], total: 2 },
      },
      { method: 'count', operation: 'count', read: (sut) => sut.count({ email: /school\.test$/ }), answer: 2 },
      {
        method: 'aggregate',
        operation: 'aggregate',
        read: (sut) => sut.aggregate([{ $group: { _id: null, teachers: { $sum: 1 } } }]),
        answer: [{ _id: null, teachers: 2 }],
      },
    ])(
      'answers $method from the backup data when the database fails, counted as a fallback $operation and marked',
      async ({ operation, read, answer }) => {
        const { sut, database, metrics } = newTestInterceptor();
        database.goDown();

        const { result, context } = await inRequest(() => read(sut));

        expect(result).toEqual(answer);
        expect(metrics.fallbackAnswers.inc).toHaveBeenCalledTimes(1);
        expect(metrics.fallbackAnswers.inc).toHaveBeenCalledWith({ collection: 'teachers', operation });
        expect(context.source).toBe('fallback');
        expect([...context.fallbackCollections]).toEqual(['teachers']);
      },
    );

    it('answers from the backup data outside a request too', async () => {
      const { sut, database } = newTestInterceptor();
      database.goDown();

      await expect(sut.findById(ADA_ID)).resolves.toMatchObject({ name: 'Ada Moss' });
    });

    it('passes an error in the request itself through, never answering it from backup data', async () => {
      const { sut, database, circuit, metrics } = newTestInterceptor({ breakerThreshold: 1 });
      const badId = new MongooseError.CastError('ObjectId', 'not-an-id', '_id');
      database.goDown(badId);

      const { context } = await inRequest(() => expect(sut.findById('not-an-id')).rejects.toBe(badId));

      expect(metrics.fallbackAnswers.inc).not.toHaveBeenCalled();
      expect(context.source).toBe('database');
      expect(circuit.degraded).toBe(false);
    });

    it('answers a record missing from the backup data with 503 and when to retry', async () => {
      const { sut, database } = newTestInterceptor({ retryAfterSeconds: 7 });
      database.goDown();

      const refusal = sut.findById(ABSENT_ID);

      await expect(refusal).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(refusal).rejects.toMatchObject({
        message: `teacher ${ABSENT_ID} is not in the backup data`,
        retryAfterSeconds: 7,
      });
    });

    it('never touches the database while the breaker is open, however long: only the heartbeat probes', async () => {
      const built = newTestInterceptor({ breakerThreshold: 2 });
      const { sut, database } = built;
      await openBreaker(built, 2);
      database.comeBack();
      database.store.findById.mockClear();

      await expect(sut.findById(ADA_ID)).resolves.toMatchObject({ name: 'Ada Moss' });
      jest.advanceTimersByTime(500);
      await expect(sut.findById(ADA_ID)).resolves.toMatchObject({ name: 'Ada Moss' });
      await expect(sut.count({})).resolves.toBe(2);

      // Only the recovery probe tests the database: no client waits out a probe's time limit.
      expect(database.store.findById).not.toHaveBeenCalled();
      expect(database.store.count).not.toHaveBeenCalled();
    });

    it('returns to the database as soon as the circuit closes again', async () => {
      const built = newTestInterceptor({ breakerThreshold: 1 });
      const { sut, database, circuit } = built;
      await openBreaker(built, 1);
      database.comeBack();

      circuit.probeSucceeded();

      await expect(sut.findById(ADA_ID)).resolves.toMatchObject({ name: 'Ada Moss-Hill' });
    });

    it('logs that it serves backup data at most once per logIntervalMs', async () => {
      const { sut, database } = newTestInterceptor({ logIntervalMs: 10_000 });
      database.goDown();

      await sut.findById(ADA_ID);
      await sut.count({});
      jest.advanceTimersByTime(9_999);
      await sut.find({ filter: {} });
      expect(logs.warn).toHaveBeenCalledWith(
        { event: 'fallback.serving', collection: 'teachers', operation: 'findById', source: 'fallback' },
        'Serving teachers from backup data (database unavailable)',
      );
      const servingLogs = () => logs.warn.mock.calls.filter(([fields]) => fields?.event === 'fallback.serving');
      expect(servingLogs()).toHaveLength(1);

      jest.advanceTimersByTime(1);
      await sut.find({ filter: {} });
      expect(servingLogs()).toHaveLength(2);
    });

    it('lets database failures reach the caller when the fallback is disabled', async () => {
      const { sut, database, metrics } = newTestInterceptor({ enabled: false });
      database.goDown();

      await expect(sut.findById(ADA_ID)).rejects.toMatchObject({ name: 'MongoNetworkError' });
      expect(metrics.fallbackAnswers.inc).not.toHaveBeenCalled();
    });
  });

  describe('hedged reads: slow is not dead', () => {
    /** A database that answers after `ms` (on the fake clock). */
    function answerAfter(database: ReturnType<typeof newFakeDatabase>, ms: number): void {
      database.store.findById.mockImplementation(
        (id: string) =>
          new Promise((resolve) =>
            setTimeout(() => resolve(DATABASE.find((record) => record._id.toHexString() === id)), ms),
          ),
      );
    }

    async function learnedAt(built: ReturnType<typeof newTestInterceptor>, ms: number): Promise<void> {
      answerAfter(built.database, ms);
      for (let read = 0; read < 30; read++) {
        const answer = built.sut.findById(ADA_ID);
        await jest.advanceTimersByTimeAsync(ms);
        await answer;
      }
    }

    it('answers a read past its learned deadline from the tier, asks the heartbeat, and remembers the late answer', async () => {
      const built = newTestInterceptor({ deadlineMultiple: 4, deadlineFloorMs: 50 });
      const { sut, database, heartbeat, metrics, circuit } = built;
      await learnedAt(built, 5);
      expect(circuit.deadlineMs('teachers.findById')).toBe(50);

      answerAfter(database, 400);
      let answered = false;
      const read = inRequest(() => sut.findById(ADA_ID)).finally(() => (answered = true));
      await jest.advanceTimersByTimeAsync(49);
      expect(answered).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      const { result, context } = await read;

      expect(result).toMatchObject({ name: 'Ada Moss-Hill' });
      expect(context.staleSince).toBeDefined();
      expect(heartbeat.check).toHaveBeenCalledTimes(1);
      expect(metrics.hedgedAnswers.inc).toHaveBeenCalledWith({ collection: 'teachers', source: 'stale' });
      expect(circuit.state).toBe('closed');
      // The database read goes on, teaches the deadline, and is not a failure.
      await jest.advanceTimersByTimeAsync(400);
      expect(circuit.degraded).toBe(false);
    });

    it('waits on for the database when the tier does not hold the answer: no backup data for a slow database', async () => {
      const built = newTestInterceptor({ deadlineMultiple: 4, deadlineFloorMs: 50 });
      const { sut, database, tier } = built;
      await learnedAt(built, 5);
      tier.clear();

      answerAfter(database, 400);
      const read = inRequest(() => sut.findById(BEN_ID));
      await jest.advanceTimersByTimeAsync(400);
      const { result, context } = await read;
      expect(result).toMatchObject({ name: 'Ben Hill' });
      expect(context.fallbackCollections.size).toBe(0);
      expect(context.staleSince).toBeUndefined();
    });
  });

  describe('writes while the database answers', () => {
    it('writes to the database and journals nothing', async () => {
      const { sut, database, journal } = newTestInterceptor();

      const { result, context } = await inRequest(() => sut.updateById(ADA_ID, { name: 'Ada Hill' }));

      expect(result).toMatchObject({ name: 'Ada Hill' });
      expect(database.store.updateById).toHaveBeenCalledWith(ADA_ID, { name: 'Ada Hill' });
      expect(journal.counts()).toEqual({ pending: 0, applied: 0, failed: 0, superseded: 0 });
      expect(context.source).toBe('database');
    });

    it('passes a refusal of the write itself (a duplicate key) through and journals nothing', async () => {
      const { sut, database, journal, circuit } = newTestInterceptor();
      const duplicate = new ConflictError('a teacher with this email already exists', 'email');
      database.goDown(duplicate);

      await expect(sut.insert({ name: 'Ada Twin', email: 'ada.moss@school.test' })).rejects.toBe(duplicate);

      expect(journal.counts().pending).toBe(0);
      expect(circuit.degraded).toBe(false);
    });
  });

  describe('writes during an outage', () => {
    const CLEO = { name: 'Cleo Park', email: 'cleo.park@school.test', hiredAt: new Date('2025-01-06') };

    it('journals an insert, applies it to the overlay and answers it, marked as queued', async () => {
      const { sut, database, journal, metrics } = newTestInterceptor();
      database.goDown();

      const { result, context } = await inRequest(() => sut.insert(CLEO));

      expect(result).toEqual({ _id: expect.any(Types.ObjectId), ...CLEO, createdAt: START, updatedAt: START });
      expect(journal.pending()).toEqual([
        expect.objectContaining({
          collection: 'teachers',
          operation: 'insert',
          documentId: result._id.toHexString(),
          payload: result,
        }),
      ]);
      expect(context.writeQueued).toBe(true);
      expect(context.source).toBe('fallback');
      expect(metrics.fallbackWrites.inc).toHaveBeenCalledWith({ collection: 'teachers', operation: 'insert' });
      await expect(sut.findById(result._id.toHexString())).resolves.toEqual(result);
      expect(names(await sut.find({ filter: {}, sort: { name: 1 } }))).toEqual(['Ada Moss', 'Ben Hill', 'Cleo Park']);
    });

    it('keeps one id for both paths: the journalled record has the id the database attempt had', async () => {
      const { sut, database, journal } = newTestInterceptor();
      database.goDown();

      const inserted = await sut.insert(CLEO);

      expect(database.store.insert).toHaveBeenCalledTimes(1);
      const attempted = database.store.insert.mock.calls[0][0] as { _id: Types.ObjectId };
      expect(attempted._id).toBeInstanceOf(Types.ObjectId);
      expect(inserted._id.equals(attempted._id)).toBe(true);
      const [entry] = journal.pending();
      expect(entry.documentId).toBe(attempted._id.toHexString());
      expect((entry.payload?._id as Types.ObjectId).equals(attempted._id)).toBe(true);
    });

    it('casts values with the schema as the database would', async () => {
      const { sut, database } = newTestInterceptor();
      database.goDown();

      const inserted = await sut.insert({
        name: '  Cleo Park ',
        email: 'Cleo.Park@School.TEST',
        hiredAt: '2025-01-06' as unknown as Date,
      });

      expect(inserted).toMatchObject({
        name: 'Cleo Park',
        email: 'cleo.park@school.test',
        hiredAt: new Date('2025-01-06'),
      });
    });

    it.each([
      ['a bad value', { ...CLEO, email: 'not an address' }, 'email must be an e-mail address', 'email'],
      ['a missing value', { email: CLEO.email, hiredAt: CLEO.hiredAt }, 'Path `name` is required.', 'name'],
      ['a value of the wrong type', { ...CLEO, hiredAt: 'soon' as unknown as Date }, undefined, 'hiredAt'],
    ])(
      'refuses %s with InvalidInputError naming the field, journalling nothing',
      async (_case, data, message, field) => {
        const { sut, database, journal } = newTestInterceptor();
        database.goDown();

        const refusal = sut.insert(data);

        await expect(refusal).rejects.toBeInstanceOf(InvalidInputError);
        await expect(refusal).rejects.toMatchObject({ field, ...(message && { message }) });
        expect(journal.counts().pending).toBe(0);
        expect(await sut.count({})).toBe(2);
      },
    );

    it('refuses an insert that clashes with a backup record on a unique field (after casting), with ConflictError', async () => {
      const { sut, database, journal } = newTestInterceptor();
      database.goDown();

      const refusal = sut.insert({ ...CLEO, email: ' ADA.MOSS@school.test' });

      await expect(refusal).rejects.toBeInstanceOf(ConflictError);
      await expect(refusal).rejects.toMatchObject({
        message: 'a teacher with this email already exists',
        field: 'email',
      });
      expect(journal.counts().pending).toBe(0);
    });

    it('refuses a write that clashes with an earlier journalled write', async () => {
      const { sut, database, journal } = newTestInterceptor();
      database.goDown();
      await sut.insert(CLEO);

      await expect(sut.insert({ ...CLEO, name: 'Cleo Twin' })).rejects.toMatchObject({
        constructor: ConflictError,
        field: 'email',
      });
      await expect(sut.updateById(BEN_ID, { email: CLEO.email })).rejects.toMatchObject({
        constructor: ConflictError,
        field: 'email',
      });
      expect(journal.pending()).toHaveLength(1);
    });

    it('journals an update as the fields it sets, with the version it was based on, so later reads see it', async () => {
      const { sut, database, journal, metrics } = newTestInterceptor();
      database.goDown();
      jest.advanceTimersByTime(1000);

      const updated = await sut.updateById(ADA_ID, { name: 'Ada Hill', email: 'ADA.HILL@school.test' });

      expect(updated).toMatchObject({ name: 'Ada Hill', email: 'ada.hill@school.test', updatedAt: later(1000) });
      expect(updated?.createdAt).toEqual(BACKUP[0].createdAt);
      expect(journal.pending()).toEqual([
        expect.objectContaining({
          operation: 'update',
          documentId: ADA_ID,
          payload: { name: 'Ada Hill', email: 'ada.hill@school.test', updatedAt: later(1000) },
          acceptedAt: later(1000),
          baseUpdatedAt: BACKUP[0].updatedAt,
          baseValues: { name: 'Ada Moss', email: 'ada.moss@school.test' },
        }),
      ]);
      expect(metrics.fallbackWrites.inc).toHaveBeenCalledWith({ collection: 'teachers', operation: 'update' });
      await expect(sut.findById(ADA_ID)).resolves.toMatchObject({ name: 'Ada Hill', hiredAt: BACKUP[0].hiredAt });
    });

    it('accepts an update that keeps a record its own unique value', async () => {
      const { sut, database } = newTestInterceptor();
      database.goDown();

      await expect(sut.updateById(ADA_ID, { name: 'Ada Hill', email: BACKUP[0].email })).resolves.toMatchObject({
        name: 'Ada Hill',
      });
    });

    it('validates an update against the whole record', async () => {
      const { sut, database, journal } = newTestInterceptor();
      database.goDown();

      await expect(sut.updateById(ADA_ID, { email: 'nowhere' })).rejects.toMatchObject({
        constructor: InvalidInputError,
        field: 'email',
      });
      expect(journal.counts().pending).toBe(0);
      await expect(sut.findById(ADA_ID)).resolves.toMatchObject({ email: BACKUP[0].email });
    });

    it('journals a delete and removes the record from later reads', async () => {
      const { sut, database, journal } = newTestInterceptor();
      database.goDown();

      await expect(sut.deleteById(BEN_ID)).resolves.toMatchObject({ name: 'Ben Hill' });

      expect(journal.pending()).toEqual([
        expect.objectContaining({
          operation: 'delete',
          documentId: BEN_ID,
          payload: undefined,
          baseUpdatedAt: BACKUP[1].updatedAt,
        }),
      ]);
      expect(names(await sut.find({ filter: {} }))).toEqual(['Ada Moss']);
    });

    it.each([
      ['change', (sut: FallbackInterceptor<Teacher>) => sut.updateById(ABSENT_ID, { name: 'Nobody' })],
      ['delete', (sut: FallbackInterceptor<Teacher>) => sut.deleteById(ABSENT_ID)],
    ])('answers 503 to a %s of a record missing from the backup data', async (_write, write) => {
      const { sut, database, journal } = newTestInterceptor();
      database.goDown();

      await expect(write(sut)).rejects.toMatchObject({ constructor: ServiceUnavailableError, retryAfterSeconds: 5 });
      expect(journal.counts().pending).toBe(0);
    });

    it('journals writes in the order they were accepted', async () => {
      const { sut, database, journal } = newTestInterceptor();
      database.goDown();

      const cleo = await sut.insert(CLEO);
      await sut.updateById(ADA_ID, { name: 'Ada Hill' });
      await sut.deleteById(BEN_ID);
      await sut.updateById(cleo._id.toHexString(), { name: 'Cleo Moss' });

      const pending = journal.pending();
      expect(pending.map(({ operation, documentId }) => [operation, documentId])).toEqual([
        ['insert', cleo._id.toHexString()],
        ['update', ADA_ID],
        ['delete', BEN_ID],
        ['update', cleo._id.toHexString()],
      ]);
      expect(pending.map((entry) => entry.seq)).toEqual([...pending.map((entry) => entry.seq)].sort((a, b) => a - b));
      expect(names(await sut.find({ filter: {}, sort: { name: 1 } }))).toEqual(['Ada Hill', 'Cleo Moss']);
    });

    it('checks concurrent writes one after the other: of two inserts with one e-mail, one is refused', async () => {
      const { sut, database, journal } = newTestInterceptor();
      database.goDown();

      const outcomes = await Promise.allSettled([sut.insert(CLEO), sut.insert({ ...CLEO, name: 'Cleo Twin' })]);

      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({
        reason: { constructor: ConflictError, field: 'email' },
      });
      expect(journal.pending()).toHaveLength(1);
      await expect(sut.count({ email: CLEO.email })).resolves.toBe(1);
    });

    it('keeps every change of concurrent updates of one record in the overlay', async () => {
      const { sut, database, journal } = newTestInterceptor();
      database.goDown();
      await sut.findById(ADA_ID);

      await Promise.all([
        sut.updateById(ADA_ID, { name: 'Ada Hill' }),
        sut.updateById(ADA_ID, { email: 'ada.hill@school.test' }),
      ]);

      expect(journal.pending()).toHaveLength(2);
      await expect(sut.findById(ADA_ID)).resolves.toMatchObject({ name: 'Ada Hill', email: 'ada.hill@school.test' });
    });

    it('tries the database no more once it is known to fail: the next writes go straight to the journal', async () => {
      const { sut, database, journal } = newTestInterceptor();
      database.goDown();

      await sut.insert(CLEO);
      await sut.updateById(ADA_ID, { name: 'Ada Hill' });
      await sut.deleteById(BEN_ID);

      expect(database.store.insert).toHaveBeenCalledTimes(1);
      expect(database.store.updateById).not.toHaveBeenCalled();
      expect(database.store.deleteById).not.toHaveBeenCalled();
      expect(journal.pending()).toHaveLength(3);
    });

    it('answers 503 with Retry-After when FALLBACK_WRITES=reject, journalling and changing nothing', async () => {
      const { sut, database, journal, metrics } = newTestInterceptor({ writes: 'reject', retryAfterSeconds: 9 });
      database.goDown();

      for (const write of [
        () => sut.insert(CLEO),
        () => sut.updateById(ADA_ID, { name: 'Ada Hill' }),
        () => sut.deleteById(BEN_ID),
      ]) {
        await expect(write()).rejects.toMatchObject({
          constructor: ServiceUnavailableError,
          message: 'the database is unavailable and writes are not accepted meanwhile',
          retryAfterSeconds: 9,
        });
      }

      expect(journal.counts()).toEqual({ pending: 0, applied: 0, failed: 0, superseded: 0 });
      expect(metrics.fallbackWrites.inc).not.toHaveBeenCalled();
      expect(names(await sut.find({ filter: {}, sort: { name: 1 } }))).toEqual(['Ada Moss', 'Ben Hill']);
    });
  });

  describe('writes behind a pending journal', () => {
    it('journals a write even though the database answers again, so no replay applies an older write over it', async () => {
      const { sut, database, circuit, journal } = newTestInterceptor();
      database.goDown();
      await sut.updateById(ADA_ID, { name: 'Ada Hill' });
      database.comeBack();
      circuit.probeSucceeded();
      await expect(sut.findById(ADA_ID)).resolves.toMatchObject({ name: 'Ada Moss-Hill' });
      expect(circuit.degraded).toBe(false);

      await sut.updateById(ADA_ID, { name: 'Ada Park' });

      expect(database.store.updateById).toHaveBeenCalledTimes(1);
      expect(journal.pending().map((entry) => entry.payload?.name)).toEqual(['Ada Hill', 'Ada Park']);
    });

    it('journals writes while entries from before a restart are pending', async () => {
      const { sut, database, journal } = newTestInterceptor();
      journal.append('schools', 'delete', 'c0000000000000000000000c');

      await sut.deleteById(BEN_ID);

      expect(database.store.deleteById).not.toHaveBeenCalled();
      expect(journal.pending().map((entry) => entry.collection)).toEqual(['schools', 'teachers']);
    });

    it('writes to the database again once nothing is pending', async () => {
      const { sut, database, journal } = newTestInterceptor();
      const earlier = journal.append('teachers', 'delete', 'c0000000000000000000000c');
      journal.markApplied(earlier.seq);

      await sut.deleteById(BEN_ID);

      expect(database.store.deleteById).toHaveBeenCalledWith(BEN_ID);
      expect(journal.pending()).toEqual([]);
    });
  });

  describe('applyJournalled', () => {
    const write: JournalledWrite = { operation: 'update', documentId: ADA_ID, payload: { name: 'Ada Hill' } };

    it('applies a journalled write to the database and answers its outcome', async () => {
      const { sut, database } = newTestInterceptor();
      database.store.applyJournalled.mockResolvedValueOnce({ applied: false, reason: 'teachers gone' });

      await expect(sut.applyJournalled(write)).resolves.toEqual({ applied: false, reason: 'teachers gone' });
      await expect(sut.applyJournalled(write)).resolves.toEqual({ applied: true });

      expect(database.store.applyJournalled).toHaveBeenCalledWith(write);
    });

    it('keeps the replayed update in the tier when the database applied all of it', async () => {
      const { sut } = newTestInterceptor();
      await sut.findById(ADA_ID);

      await sut.applyJournalled(write);

      expect(sut.memory.knownRecord(ADA_ID)).toMatchObject({ name: 'Ada Hill', email: 'ada.moss@school.test' });
    });

    it.each<[string, ReplayOutcome]>([
      ['won some fields', { applied: true, supersededBy: { updatedAt: later(5), fields: { name: 'Ada Park' } } }],
      [
        'won every field',
        { applied: false, reason: 'superseded', supersededBy: { updatedAt: later(5), fields: { name: 'Ada Park' } } },
      ],
    ])(
      'forgets the record in the tier when a later write %s, so the tier never holds the lost value',
      async (_, outcome) => {
        const { sut, database } = newTestInterceptor();
        await sut.findById(ADA_ID);
        database.store.applyJournalled.mockResolvedValueOnce(outcome);

        await expect(sut.applyJournalled(write)).resolves.toEqual(outcome);

        expect(sut.memory.knownRecord(ADA_ID)).toBeUndefined();
      },
    );

    it('throws a database failure through the circuit, never answering from backup data', async () => {
      const { sut, database, circuit, metrics, backup } = newTestInterceptor();
      database.goDown();

      await expect(sut.applyJournalled(write)).rejects.toMatchObject({ name: 'MongoNetworkError' });

      expect(circuit.degraded).toBe(true);
      expect(metrics.fallbackAnswers.inc).not.toHaveBeenCalled();
      expect(backup.findByIdSync(ADA_ID)?.name).toBe('Ada Moss');
    });

    it('is refused at once while the breaker is open', async () => {
      const built = newTestInterceptor({ breakerThreshold: 1 });
      await openBreaker(built, 1);
      built.database.comeBack();

      await expect(built.sut.applyJournalled(write)).rejects.toBeInstanceOf(CircuitOpenError);

      expect(built.database.store.applyJournalled).not.toHaveBeenCalled();
    });

    it('gives up after operationTimeoutMs like any database operation, so a stalled replay is retried later', async () => {
      const { sut, database } = newTestInterceptor({ operationTimeoutMs: 750 });
      database.store.applyJournalled.mockReturnValueOnce(new Promise(() => undefined));

      let failure: unknown;
      sut.applyJournalled(write).catch((error: unknown) => (failure = error));
      await jest.advanceTimersByTimeAsync(749);
      expect(failure).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);

      expect(failure).toBeInstanceOf(DatabaseTimeoutError);
    });
  });

  describe('applyToOverlay', () => {
    it('applies journalled inserts, updates and deletes to the backup data', () => {
      const { sut, journal, backup } = newTestInterceptor();
      const cleo = teacher('c0000000000000000000000c', 'Cleo Park', 'cleo.park@school.test');

      for (const entry of [
        journal.append('teachers', 'insert', cleo._id.toHexString(), cleo),
        journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill', updatedAt: later(5) }),
        journal.append('teachers', 'delete', BEN_ID),
      ]) {
        sut.applyToOverlay(entry);
      }

      expect(backup.snapshot()).toEqual([{ ...BACKUP[0], name: 'Ada Hill', updatedAt: later(5) }, cleo]);
    });

    it('ignores an update of a record the backup data does not hold', () => {
      const { sut, journal, backup } = newTestInterceptor();

      sut.applyToOverlay(journal.append('teachers', 'update', ABSENT_ID, { name: 'Nobody' }));

      expect(backup.findByIdSync(ABSENT_ID)).toBeUndefined();
      expect(backup.size).toBe(2);
    });

    it('rebuilds the overlay an outage built from its pending journal entries (as after a restart)', async () => {
      const { sut, database, journal, backup } = newTestInterceptor();
      database.goDown();
      const cleo = await sut.insert({
        name: 'Cleo Park',
        email: 'cleo.park@school.test',
        hiredAt: new Date('2025-01-06'),
      });
      jest.advanceTimersByTime(10);
      await sut.updateById(cleo._id.toHexString(), { name: 'Cleo Moss' });
      await sut.updateById(ADA_ID, { email: 'ada.hill@school.test' });
      await sut.deleteById(BEN_ID);
      const overlay = cloneRecord(backup.snapshot());

      backup.reset();
      expect(backup.size).toBe(2);
      for (const entry of journal.pending()) sut.applyToOverlay(entry);

      expect(backup.snapshot()).toEqual(overlay);
    });
  });
});
