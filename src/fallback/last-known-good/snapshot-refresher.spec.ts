import { EventEmitter } from 'node:events';
import { ConnectionStates, Types } from 'mongoose';
import type { FindQuery, StoredRecord } from '../../common/persistence/collection-store';
import type { DatabaseCircuit } from '../database-circuit';
import type { FallbackRegistry } from '../fallback-registry';
import { configWith, fallbackTestLifecycle, newDatabaseFaults, START } from '../testing/fallback-test-kit';
import { LastKnownGood } from './last-known-good';
import { SnapshotRefresher } from './snapshot-refresher';
import { NO_SHARED_TIER, type SharedTier } from './shared-tier';

type Teacher = StoredRecord<Record<string, unknown>>;

const REFRESH_MS = 60_000;
const PAGE_SIZE = 3;
const TIMEOUT_MS = 1000;

function teacher(n: number): Teacher {
  return {
    _id: new Types.ObjectId(n.toString(16).padStart(24, '0')),
    lastName: `Teacher ${n}`,
    schoolId: 'hill',
    createdAt: START,
    updatedAt: START,
  };
}

/** A collection's MongoDB store as the refresher reads it: pages by `_id`, a database that can be down or hold a read. */
function newFakeStore(count: number) {
  const records = Array.from({ length: count }, (_, index) => teacher(index + 1));
  const queries: FindQuery<Record<string, unknown>>[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const faults = newDatabaseFaults();
  const find = jest.fn(async (query: FindQuery<Record<string, unknown>>) => {
    queries.push(query);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await faults.pass();
      const after = (query.filter as { _id?: { $gt: Types.ObjectId } })._id?.$gt.toHexString() ?? '';
      return records
        .filter((record) => record._id.toHexString() > after)
        .sort((a, b) => a._id.toHexString().localeCompare(b._id.toHexString()))
        .slice(0, query.limit);
    } finally {
      inFlight--;
    }
  });
  return {
    primary: { find },
    records,
    queries,
    maxInFlight: () => maxInFlight,
    ...faults,
  };
}

/** Lets every promise that can settle now settle, and the pauses between pages pass. */
const settle = () => jest.advanceTimersByTimeAsync(1000);

describe(SnapshotRefresher.name, () => {
  const { logs } = fallbackTestLifecycle();
  const refreshers: SnapshotRefresher[] = [];

  afterEach(async () => {
    for (const refresher of refreshers.splice(0)) await refresher.onModuleDestroy();
  });

  function newTestRefresher(
    options: {
      count?: number;
      maxBytes?: number;
      collections?: string[];
      shared?: Partial<SharedTier>;
      /** The database connection's state at start (default: open). */
      readyState?: ConnectionStates;
      /** A store for `schools` too (by default it has none). */
      schools?: ReturnType<typeof newFakeStore>;
    } = {},
  ) {
    const store = newFakeStore(options.count ?? 7);
    const circuit = { open: false, degraded: false, events: new EventEmitter() };
    const tier = new LastKnownGood({ enabled: true, maxAgeMs: 86_400_000, maxBytes: options.maxBytes ?? 64 << 20 });
    const registry = {
      collections: ['teachers', 'schools'],
      interceptor: (collection: string) =>
        collection === 'teachers'
          ? { primary: store.primary }
          : collection === 'schools' && options.schools
            ? { primary: options.schools.primary }
            : undefined,
    };
    const shared = { ...NO_SHARED_TIER, saveSnapshot: jest.fn(), ...options.shared };
    const config = configWith({
      operationTimeoutMs: TIMEOUT_MS,
      snapshots: { collections: options.collections ?? ['teachers'], refreshMs: REFRESH_MS, pageSize: PAGE_SIZE },
    });
    const connection = Object.assign(new EventEmitter(), {
      readyState: options.readyState ?? ConnectionStates.connected,
    });
    const sut = new SnapshotRefresher(
      config,
      registry as unknown as FallbackRegistry,
      circuit as unknown as DatabaseCircuit,
      tier,
      shared,
      connection,
    );
    refreshers.push(sut);
    const held = () => tier.snapshot('teachers')?.records.snapshot() ?? [];
    return { sut, store, circuit, tier, shared, held, connection };
  }

  it('reads every page in _id order, one at a time, and keeps the collection whole', async () => {
    const { sut, store, shared, held } = newTestRefresher({ count: 7 });
    sut.onApplicationBootstrap();
    await settle();

    expect(store.queries.map((query) => query.filter)).toEqual([
      {},
      { _id: { $gt: store.records[2]._id } },
      { _id: { $gt: store.records[5]._id } },
    ]);
    expect(store.queries.every((query) => query.limit === PAGE_SIZE && query.sort?._id === 1)).toBe(true);
    expect(store.maxInFlight()).toBe(1);
    expect(held().map((record) => record.lastName)).toEqual(store.records.map((record) => record.lastName));
    expect(shared.saveSnapshot).toHaveBeenCalledWith('teachers', expect.any(Array), START.getTime());
    expect(sut.state()).toEqual({
      teachers: { state: 'complete', refreshedAt: START.toISOString(), records: 7, bytes: expect.any(Number) },
    });
  });

  it('waits for the first connection to the database before its first read, without reporting a pause', async () => {
    const { sut, store, held, connection } = newTestRefresher({
      count: 4,
      readyState: ConnectionStates.connecting,
    });
    sut.onApplicationBootstrap();
    await settle();
    expect(store.primary.find).not.toHaveBeenCalled();
    expect(sut.state().teachers.state).toBe('never');

    connection.readyState = ConnectionStates.connected;
    connection.emit('connected');
    await settle();
    expect(held()).toHaveLength(4);
    expect(logs.warn).not.toHaveBeenCalled();
  });

  it('reads (and pauses) when no connection opens at start', async () => {
    const { sut, store } = newTestRefresher({ readyState: ConnectionStates.connecting });
    store.goDown();
    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(5000);
    expect(store.primary.find).toHaveBeenCalled();
    expect(sut.state().teachers.state).toBe('paused');
  });

  it('completes with the writes made while it read', async () => {
    const { sut, store, tier, held } = newTestRefresher({ count: 7 });
    sut.onApplicationBootstrap();
    await settle();
    store.records.push(teacher(99));
    const release = store.hold();
    // The next timer is the refresh interval's.
    jest.advanceTimersToNextTimer();
    expect(sut.state().teachers.state).toBe('refreshing');

    const added = teacher(50);
    tier.written('teachers', { id: added._id.toHexString(), after: added });
    tier.written('teachers', { id: store.records[0]._id.toHexString(), before: store.records[0] });
    release();
    await settle();

    const names = held().map((record) => record.lastName);
    expect(names).toContain('Teacher 50');
    expect(names).toContain('Teacher 99');
    expect(names).not.toContain('Teacher 1');
    expect(sut.state().teachers).toMatchObject({ state: 'complete', records: 8 });
  });

  it('pauses while the circuit is open and completes once it recovers', async () => {
    const { sut, store, circuit, held } = newTestRefresher();
    circuit.open = circuit.degraded = true;
    sut.onApplicationBootstrap();
    await settle();
    expect(store.primary.find).not.toHaveBeenCalled();
    expect(sut.state().teachers).toEqual({ state: 'paused', refreshedAt: null, records: 0, bytes: 0 });

    circuit.open = circuit.degraded = false;
    circuit.events.emit('recovered', 1000);
    await settle();
    expect(held()).toHaveLength(7);
    expect(sut.state().teachers.state).toBe('complete');
  });

  it('pauses when a page fails or is slow, keeping the snapshot it holds, and reads again at the next interval', async () => {
    const { sut, store, held } = newTestRefresher();
    sut.onApplicationBootstrap();
    await settle();
    store.records.push(teacher(99));

    store.goDown();
    await jest.advanceTimersByTimeAsync(REFRESH_MS);
    expect(sut.state().teachers).toMatchObject({ state: 'paused', records: 7, refreshedAt: START.toISOString() });

    store.comeBack();
    const release = store.hold();
    await jest.advanceTimersByTimeAsync(REFRESH_MS + TIMEOUT_MS);
    expect(sut.state().teachers.state).toBe('paused');
    release();

    await jest.advanceTimersByTimeAsync(REFRESH_MS);
    expect(held()).toHaveLength(8);
    expect(sut.state().teachers.state).toBe('complete');
  });

  it('never touches the circuit: its failures open no breaker', async () => {
    const { sut, store, circuit } = newTestRefresher();
    store.goDown();
    sut.onApplicationBootstrap();
    await settle();
    expect(circuit.open).toBe(false);
    expect(sut.state().teachers.state).toBe('paused');
  });

  it('does not keep a collection over the budget, and says so once', async () => {
    const { sut, store, tier } = newTestRefresher({ count: 40, maxBytes: 2000 });
    sut.onApplicationBootstrap();
    await settle();
    expect(tier.snapshot('teachers')).toBeUndefined();
    expect(sut.state().teachers).toEqual({ state: 'too-large', refreshedAt: null, records: 0, bytes: 0 });
    // It stopped reading at the budget.
    expect(store.queries.length).toBeLessThan(40 / PAGE_SIZE);

    await jest.advanceTimersByTimeAsync(REFRESH_MS * 2);
    const tooLarge = logs.warn.mock.calls.filter(([entry]) => entry?.event === 'snapshot.too-large');
    expect(tooLarge).toHaveLength(1);
  });

  it('reads again every refresh interval', async () => {
    const { sut, store, held } = newTestRefresher();
    sut.onApplicationBootstrap();
    await settle();
    store.records.push(teacher(99));

    await jest.advanceTimersByTimeAsync(REFRESH_MS);
    expect(held()).toHaveLength(8);
    expect(sut.state().teachers.refreshedAt).toBe(new Date(START.getTime() + REFRESH_MS).toISOString());
  });

  it('names an unknown collection once at start, and snapshots the known ones', async () => {
    const { sut, held } = newTestRefresher({ collections: ['teachers', 'pupils'] });
    sut.onApplicationBootstrap();
    await settle();
    const unknown = logs.warn.mock.calls.filter(([entry]) => entry?.event === 'snapshot.unknown');
    expect(unknown).toEqual([
      [expect.objectContaining({ collections: ['pupils'] }), expect.stringContaining('pupils')],
    ]);
    expect(Object.keys(sut.state())).toEqual(['teachers']);
    expect(held()).toHaveLength(7);
  });

  it('loads the shared snapshots when the database is unavailable at start', async () => {
    const at = START.getTime() - 30_000;
    const loadSnapshot = jest.fn(() => Promise.resolve({ records: [teacher(5), teacher(6)], at }));
    const { sut, store, tier } = newTestRefresher({
      shared: { loadSnapshot, status: () => ({ configured: true, connected: true, lastError: null }) },
    });
    store.goDown();
    sut.onApplicationBootstrap();
    await settle();
    expect(loadSnapshot).toHaveBeenCalledWith('teachers');
    expect(tier.snapshot('teachers')?.records.size).toBe(2);
    expect(sut.state().teachers).toMatchObject({ state: 'paused', refreshedAt: new Date(at).toISOString() });
  });

  it('tries a shared snapshot again with the next paused refresh when loading it failed', async () => {
    const at = START.getTime() - 30_000;
    const loadSnapshot = jest
      .fn<ReturnType<SharedTier['loadSnapshot']>, [string]>()
      .mockRejectedValueOnce(new Error('Command timed out'))
      .mockResolvedValueOnce(undefined)
      .mockResolvedValue({ records: [teacher(5), teacher(6)], at });
    const { sut, store, tier } = newTestRefresher({
      shared: { loadSnapshot, status: () => ({ configured: true, connected: true, lastError: null }) },
    });
    store.goDown();
    sut.onApplicationBootstrap();
    await settle();
    expect(tier.snapshot('teachers')).toBeUndefined();
    // The paused refresh is tried again after 1 s, then 2 s: the third load finds it.
    await jest.advanceTimersByTimeAsync(4000);
    expect(loadSnapshot).toHaveBeenCalledTimes(3);
    expect(tier.snapshot('teachers')?.records.size).toBe(2);
    // Held: not asked for again.
    await jest.advanceTimersByTimeAsync(10_000);
    expect(loadSnapshot).toHaveBeenCalledTimes(3);
  });

  it('keeps the snapshot it read from the database over an older shared one', async () => {
    const olderAt = START.getTime() - 60_000;
    const loadSnapshot = jest.fn((collection: string) =>
      Promise.resolve({ records: collection === 'teachers' ? [teacher(5)] : [], at: olderAt }),
    );
    // Teachers are read from the database; schools pause (their store is down), so the shared tier is asked.
    const schools = newFakeStore(2);
    schools.goDown();
    const { sut, tier } = newTestRefresher({
      collections: ['teachers', 'schools'],
      schools,
      shared: { loadSnapshot, status: () => ({ configured: true, connected: true, lastError: null }) },
    });
    sut.onApplicationBootstrap();
    await settle();
    expect(sut.state().teachers.state).toBe('complete');
    expect(sut.state().schools.state).toBe('paused');
    expect(loadSnapshot).toHaveBeenCalledWith('teachers');
    expect(tier.snapshot('teachers')?.records.size).toBe(7);
    expect(tier.snapshot('schools')?.at).toBe(olderAt);
  });

  it('reads no page once shutdown has begun', async () => {
    const { sut, store } = newTestRefresher({ count: 30 });
    const release = store.hold();
    sut.onApplicationBootstrap();
    const stopped = sut.onModuleDestroy();
    release();
    await settle();
    await stopped;
    await jest.advanceTimersByTimeAsync(REFRESH_MS * 2);
    expect(store.primary.find).toHaveBeenCalledTimes(1);
    expect(sut.state().teachers.state).not.toBe('complete');
  });
});
