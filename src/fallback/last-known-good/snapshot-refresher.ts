import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ConnectionStates, Types } from 'mongoose';
import type { StoredRecord } from '../../common/persistence/collection-store';
import { AppConfig } from '../../config/app-config';
import { DatabaseCircuit } from '../database-circuit';
import { describeFailure } from '../database-failure';
import { FallbackRegistry } from '../fallback-registry';
import { InMemoryCollection } from '../in-memory-collection';
import { LastKnownGood, SnapshotBuilder } from './last-known-good';
import { InjectSharedTier } from './last-known-good.providers';
import type { SharedTier } from './shared-tier';

type AnyRecord = StoredRecord<Record<string, unknown>>;

/** The shortest pause between two pages; a page that took longer is followed by as long a pause (half the time idle). */
const MIN_PAGE_GAP_MS = 10;
const FIRST_RETRY_MS = 1000;
/**
 * How long the first refresh waits for the service's first connection to the database (it is opened as the service
 * starts): a refresh before it would pause at once. Past it the refresh runs, and pauses if the database is still
 * unreachable (an instance started during an outage).
 */
const FIRST_CONNECTION_WAIT_MS = 5000;
const LONGEST_RETRY_MS = 30_000;

export type SnapshotStateName = 'never' | 'refreshing' | 'complete' | 'paused' | 'too-large';

/** One collection's snapshot as operators see it (the shape /health and the admin endpoint show: keep it stable). */
export interface SnapshotStatus {
  state: SnapshotStateName;
  /** When the refresh that read the snapshot held began (ISO), or null when none is held. */
  refreshedAt: string | null;
  records: number;
  bytes: number;
}

/** What the refresher needs of the service's Mongoose connection: whether it is open, and when it opens. */
interface OpeningConnection {
  readonly readyState: ConnectionStates;
  once(event: 'connected', listener: () => void): unknown;
  off(event: 'connected', listener: () => void): unknown;
}

/** Why a page was not read: the database is down or slow; the refresh pauses. */
class PageNotRead extends Error {}

/**
 * Keeps the collections of FALLBACK_SNAPSHOT_COLLECTIONS whole in the last-known-good tier, so that an outage answers
 * any query on them (the headmaster's dashboard included) with real data at most one refresh old.
 *
 * At low priority: one page at a time in `_id` order, straight on the collection's MongoDB store (not through the
 * circuit, so its failures never open the breaker nor fail a user's request), each page within the operation time
 * limit, with a pause after each page as long as the page took. While the circuit is open or degraded, or when a page
 * fails or is slow, the refresh pauses (the partial read is dropped); it starts again when the circuit recovers or at
 * the next interval, whichever comes first. A collection larger than what the snapshots may hold is not kept (the
 * remembered reads still cover it). An instance started while the database is unavailable loads the snapshots the
 * shared tier holds.
 */
@Injectable()
export class SnapshotRefresher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Snapshots');
  private readonly states = new Map<string, SnapshotStateName>();
  /** Collections already reported too large: reported again only after they fit once more. */
  private readonly reportedTooLarge = new Set<string>();
  private collections: string[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = false;
  /**
   * Collections whose shared snapshot is still to be loaded while the database is unavailable: each paused refresh
   * tries those again (a load that timed out, a snapshot another instance had not saved yet), until it is held or the
   * database answers.
   */
  private readonly sharedToLoad = new Set<string>();
  private endGap?: () => void;
  /** A paused refresh is tried again after this, doubled each time up to the refresh interval (at most 30 s). */
  private retryDelayMs = FIRST_RETRY_MS;
  private retryTimer?: NodeJS.Timeout;
  private readonly onRecovered = () => {
    if (this.collections.some((collection) => this.states.get(collection) === 'paused')) void this.refresh();
  };

  constructor(
    private readonly config: AppConfig,
    private readonly registry: FallbackRegistry,
    private readonly circuit: DatabaseCircuit,
    private readonly tier: LastKnownGood,
    @InjectSharedTier() private readonly shared: SharedTier,
    @InjectConnection() private readonly connection: OpeningConnection,
  ) {}

  /** Starts the first refresh without waiting for it, and the interval. */
  onApplicationBootstrap(): void {
    if (!this.tier.enabled) return;
    const registered = new Set(this.registry.collections);
    const configured = this.config.fallback.snapshots.collections;
    const unknown = configured.filter((collection) => !registered.has(collection));
    if (unknown.length > 0) {
      this.logger.warn(
        { event: 'snapshot.unknown', collections: unknown },
        `FALLBACK_SNAPSHOT_COLLECTIONS names no such collection: ${unknown.join(', ')} (known: ${[...registered].join(', ')})`,
      );
    }
    this.collections = [...new Set(configured.filter((collection) => registered.has(collection)))];
    if (this.collections.length === 0) return;
    for (const collection of this.collections) {
      this.states.set(collection, 'never');
      this.sharedToLoad.add(collection);
    }
    this.circuit.events.on('recovered', this.onRecovered);
    this.timer = setInterval(() => void this.refresh(), this.config.fallback.snapshots.refreshMs);
    this.timer.unref();
    if (this.connection.readyState === ConnectionStates.connected) void this.refresh();
    else void this.firstConnection().then(() => this.refresh());
  }

  /** No page is read after this; a page being read is waited for (it ends within the operation time limit). */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
    this.circuit.events.off('recovered', this.onRecovered);
    this.endGap?.();
    await this.running;
  }

  /** Per snapshotted collection: its state, and the snapshot held. */
  state(): Record<string, SnapshotStatus> {
    const states: Record<string, SnapshotStatus> = {};
    for (const collection of this.collections) {
      const held = this.tier.snapshotState(collection);
      states[collection] = {
        state: this.states.get(collection) ?? 'never',
        refreshedAt: held ? new Date(held.at).toISOString() : null,
        records: held?.records ?? 0,
        bytes: held?.bytes ?? 0,
      };
    }
    return states;
  }

  /** Resolves once the database connection opens, or after FIRST_CONNECTION_WAIT_MS. */
  private firstConnection(): Promise<void> {
    return new Promise((resolve) => {
      const connected = () => {
        clearTimeout(timer);
        this.connection.off('connected', connected);
        resolve();
      };
      const timer = setTimeout(connected, FIRST_CONNECTION_WAIT_MS);
      timer.unref();
      this.connection.once('connected', connected);
    });
  }

  /** Reads every collection once more; a call while a refresh runs shares it. */
  refresh(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.running ??= this.refreshAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async refreshAll(): Promise<void> {
    for (const [index, collection] of this.collections.entries()) {
      if (this.stopping) return;
      const outcome = await this.refreshOne(collection);
      if (outcome === 'paused') {
        // The database is unavailable: the others wait too.
        for (const rest of this.collections.slice(index + 1)) this.states.set(rest, 'paused');
        if (this.sharedToLoad.size > 0) await this.loadShared();
        this.retryLater();
        return;
      }
    }
    this.retryDelayMs = FIRST_RETRY_MS;
    // The database answered: what the shared tier holds is older than what was just read.
    this.sharedToLoad.clear();
  }

  private async refreshOne(collection: string): Promise<'complete' | 'paused' | 'too-large' | 'stopped'> {
    const store = this.registry.interceptor(collection)?.primary;
    if (!store) return 'stopped';
    if (this.circuit.open || this.circuit.degraded) return this.pause(collection, 'the database is unavailable');
    const started = Date.now();
    const builder = this.tier.beginSnapshot(collection);
    this.states.set(collection, 'refreshing');
    let lastId: Types.ObjectId | undefined;
    for (;;) {
      if (this.stopping) {
        this.tier.abandonSnapshot(builder);
        return 'stopped';
      }
      let page: AnyRecord[];
      const pageStarted = Date.now();
      try {
        page = await this.readPage(collection, lastId);
      } catch (error) {
        this.tier.abandonSnapshot(builder);
        return this.pause(collection, error instanceof PageNotRead ? error.message : describeFailure(error));
      }
      builder.add(page);
      if (builder.bytes + this.tier.snapshotBytesExcept(collection) > this.tier.snapshotBudget) {
        this.tier.abandonSnapshot(builder);
        return this.tooLarge(collection, builder);
      }
      if (page.length < this.config.fallback.snapshots.pageSize) break;
      lastId = page[page.length - 1]._id;
      await this.gap(Math.max(MIN_PAGE_GAP_MS, Date.now() - pageStarted));
      if (this.circuit.open || this.circuit.degraded) {
        this.tier.abandonSnapshot(builder);
        return this.pause(collection, 'the database is unavailable');
      }
    }
    if (this.stopping) {
      this.tier.abandonSnapshot(builder);
      return 'stopped';
    }
    const snapshot = this.tier.completeSnapshot(builder);
    this.shared.saveSnapshot(collection, snapshot.records.snapshot(), snapshot.at);
    this.states.set(collection, 'complete');
    this.reportedTooLarge.delete(collection);
    const ms = Date.now() - started;
    this.logger.log(
      { event: 'snapshot.complete', collection, records: snapshot.records.size, bytes: snapshot.bytes, ms },
      `Snapshot of ${collection} complete: ${snapshot.records.size} records, ${snapshot.bytes} bytes in ${ms} ms`,
    );
    return 'complete';
  }

  /** One page after `lastId`, within the operation time limit: a slow page counts as a failed one. */
  private async readPage(collection: string, lastId: Types.ObjectId | undefined): Promise<AnyRecord[]> {
    const store = this.registry.interceptor(collection)!.primary;
    const limitMs = this.config.fallback.operationTimeoutMs;
    const read = store.find({
      filter: lastId ? { _id: { $gt: lastId } } : {},
      sort: { _id: 1 },
      limit: this.config.fallback.snapshots.pageSize,
    }) as Promise<AnyRecord[]>;
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PageNotRead(`a page took over ${limitMs} ms`)), limitMs);
    });
    read.catch(() => undefined);
    try {
      return await Promise.race([read, slow]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Tries a paused refresh again soon (the database not connected yet at start, a short outage the breaker did not
   * see), not only at the next interval or when the circuit recovers.
   */
  private retryLater(): void {
    if (this.stopping || this.retryTimer) return;
    const delay = Math.min(this.retryDelayMs, this.config.fallback.snapshots.refreshMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, LONGEST_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.refresh();
    }, delay);
    this.retryTimer.unref();
  }

  /** The pause between two pages; cut short by shutdown. */
  private gap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.endGap = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.endGap = done;
    });
  }

  private pause(collection: string, reason: string): 'paused' {
    if (this.states.get(collection) !== 'paused') {
      this.logger.warn(
        { event: 'snapshot.paused', collection, reason },
        `Snapshot refresh paused at ${collection}: ${reason}`,
      );
    }
    this.states.set(collection, 'paused');
    return 'paused';
  }

  private tooLarge(collection: string, builder: SnapshotBuilder): 'too-large' {
    this.tier.dropSnapshot(collection);
    this.states.set(collection, 'too-large');
    if (!this.reportedTooLarge.has(collection)) {
      this.reportedTooLarge.add(collection);
      const budget = this.tier.snapshotBudget;
      this.logger.warn(
        { event: 'snapshot.too-large', collection, readBytes: builder.bytes, budgetBytes: budget },
        `${collection} is too large to snapshot (over ${budget} bytes with the other snapshots, ` +
          'half of FALLBACK_STALE_MAX_MB): only its remembered reads answer in an outage',
      );
    }
    return 'too-large';
  }

  /**
   * The database is unavailable: the snapshots the shared tier holds answer meanwhile, each where it is newer than the
   * one held (the tier decides). A collection not loaded (not there yet, or the read failed) is tried again with the next paused refresh.
   */
  private async loadShared(): Promise<void> {
    const { configured, connected } = this.shared.status();
    if (!configured) {
      this.sharedToLoad.clear();
      return;
    }
    // Not connected yet (at start) or down: tried again with the paused refresh.
    if (!connected) return;
    for (const collection of [...this.sharedToLoad]) {
      if (this.stopping) return;
      const loaded = await this.shared.loadSnapshot(collection).catch(() => undefined);
      if (!loaded) continue;
      this.sharedToLoad.delete(collection);
      const estimate = new SnapshotBuilder(collection, loaded.at);
      estimate.add(loaded.records);
      if (estimate.bytes + this.tier.snapshotBytesExcept(collection) > this.tier.snapshotBudget) continue;
      // The tier keeps the one it holds when that is as recent (read from the database before it went away).
      const records = new InMemoryCollection(collection, loaded.records);
      if (this.tier.installSnapshot(collection, records, loaded.at, estimate.bytes).records !== records) continue;
      this.logger.log(
        { event: 'snapshot.loaded', collection, records: loaded.records.length, at: new Date(loaded.at).toISOString() },
        `Snapshot of ${collection} loaded from the shared tier: ${loaded.records.length} records`,
      );
    }
  }
}
