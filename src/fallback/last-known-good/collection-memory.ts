import type { FindQuery, StoredPage, StoredRecord } from '../../common/persistence/collection-store';
import { cloneRecord, type InMemoryCollection } from '../in-memory-collection';
import { type ChangedBy, type LastKnownGood, type Recalled, type WrittenRecord } from './last-known-good';
import type { SharedTier } from './shared-tier';

type AnyRecord = StoredRecord<Record<string, unknown>>;

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** Where an outage answer came from: a remembered read, or a collection's snapshot. */
export type StaleSource = 'stale' | 'snapshot';

export interface StaleAnswer<V> extends Recalled<V> {
  source: StaleSource;
}

/** Taken when a database read begins: when, and the collection's write count then. */
export interface ReadTicket {
  since: number;
  at: number;
}

/**
 * One collection's view of the last-known-good tier, as its FallbackInterceptor uses it: remembers what the database
 * answers and the writes it acknowledges, and in an outage finds the freshest real answer it holds, in process or
 * shared (Redis), by remembered result, snapshot or remembered record.
 */
export class CollectionMemory<T> {
  constructor(
    readonly collection: string,
    private readonly tier: LastKnownGood,
    private readonly shared: SharedTier,
  ) {
    this.sharing = shared.status().configured;
  }

  private readonly sharing: boolean;

  get enabled(): boolean {
    return this.tier.enabled;
  }

  begin(): ReadTicket {
    return { since: this.tier.generation(this.collection), at: this.tier.now() };
  }

  rememberRecord(ticket: ReadTicket, id: string, record: StoredRecord<T> | undefined): void {
    if (!this.enabled) return;
    if (record) this.rememberRecords(ticket, [record]);
    else if (OBJECT_ID.test(String(id))) {
      // Only a well-formed id can be known not to exist (the database is not asked for others).
      this.tier.rememberAbsent(this.collection, id, ticket.since, ticket.at);
      this.shared.rememberRecords(this.collection, [{ id: id.toLowerCase(), value: undefined, at: ticket.at }]);
    }
  }

  rememberRecords(ticket: ReadTicket, records: readonly StoredRecord<T>[]): void {
    if (!this.enabled || records.length === 0) return;
    const stored = records as unknown as readonly AnyRecord[];
    this.tier.rememberRecords(this.collection, stored, ticket.since, ticket.at);
    // The entries for the shared tier are built only when there is one: this runs on every read.
    if (!this.sharing || this.tier.generation(this.collection) !== ticket.since) return;
    this.shared.rememberRecords(
      this.collection,
      stored.map((record) => ({ id: record._id.toHexString(), value: record, at: ticket.at })),
    );
  }

  rememberResult(ticket: ReadTicket, key: string, value: unknown, changedBy: ChangedBy): void {
    if (!this.enabled) return;
    this.tier.rememberResult(this.collection, key, value, changedBy, ticket.since, ticket.at);
    if (this.tier.generation(this.collection) === ticket.since)
      this.shared.rememberResult(this.collection, key, value, ticket.at);
  }

  /** A find or a page: its result, and its records by id when they are whole (no projection). */
  rememberFound(ticket: ReadTicket, key: string, query: FindQuery<T>, result: StoredRecord<T>[] | StoredPage<T>): void {
    if (!this.enabled) return;
    this.rememberResult(ticket, key, result, { filter: query.filter });
    if (!query.projection) this.rememberRecords(ticket, Array.isArray(result) ? result : result.records);
  }

  /** The record as the tier knows it now, in process (to tell which remembered results a write changes). */
  knownRecord(id: string): StoredRecord<T> | undefined {
    if (!OBJECT_ID.test(String(id))) return undefined;
    const remembered = this.tier.recallRecord(this.collection, id);
    if (remembered) return remembered.value as StoredRecord<T> | undefined;
    return this.tier.snapshot(this.collection)?.records.findByIdSync(id) as StoredRecord<T> | undefined;
  }

  written(write: WrittenRecord): void {
    this.tier.written(this.collection, write);
    if (this.enabled) this.shared.written(this.collection, write.id.toLowerCase(), write.after, this.tier.now());
  }

  forget(id: string): void {
    this.tier.forget(this.collection, id);
  }

  /** The freshest of: the record remembered by id (in process or shared), the snapshot's. */
  async record(id: string): Promise<StaleAnswer<StoredRecord<T> | undefined> | undefined> {
    if (!this.enabled || !OBJECT_ID.test(String(id))) return undefined;
    const local = this.tier.recallRecord(this.collection, id);
    const shared = await this.shared.recallRecord(this.collection, id);
    const remembered = newest(local, shared && this.young(shared) ? shared : undefined);
    const snapshot = this.tier.snapshot(this.collection);
    if (snapshot && (!remembered || snapshot.at > remembered.at)) {
      const value = snapshot.records.findByIdSync(id) as StoredRecord<T> | undefined;
      return { value: value && cloneRecord(value), at: snapshot.at, source: 'snapshot' };
    }
    return remembered && { value: remembered.value as StoredRecord<T> | undefined, at: remembered.at, source: 'stale' };
  }

  /**
   * The freshest real answer to a read operation: its remembered result (in process, unless the shared tier knows of
   * a later write; or shared) or the snapshot evaluated for it.
   */
  async result<R>(
    key: string,
    changedBy: ChangedBy,
    fromSnapshot: (records: InMemoryCollection<T>) => Promise<R>,
  ): Promise<StaleAnswer<R> | undefined> {
    if (!this.enabled) return undefined;
    let remembered = this.tier.recallResult<R>(this.collection, key);
    const shared = await this.shared.recallResult(this.collection, key);
    if (shared) {
      if (remembered && remembered.at < shared.lastWriteAt) remembered = undefined;
      if (shared.result && this.young(shared.result)) remembered = newest(remembered, shared.result as Recalled<R>);
    }
    const snapshot = this.tier.snapshot(this.collection);
    if (snapshot && (!remembered || snapshot.at > remembered.at)) {
      const since = this.tier.generation(this.collection);
      const value = await fromSnapshot(snapshot.records as unknown as InMemoryCollection<T>);
      // Kept as a remembered result (writes drop it as any other): the same query again is a lookup.
      this.tier.rememberResult(this.collection, key, value, changedBy, since, snapshot.at, true);
      return { value: cloneRecord(value), at: snapshot.at, source: 'snapshot' };
    }
    return (
      remembered && {
        value: remembered.value,
        at: remembered.at,
        source: remembered.fromSnapshot ? 'snapshot' : 'stale',
      }
    );
  }

  private young(recalled: Recalled<unknown>): boolean {
    return this.tier.now() - recalled.at <= this.tier.settings.maxAgeMs;
  }
}

function newest<V>(a: Recalled<V> | undefined, b: Recalled<V> | undefined): Recalled<V> | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.at > a.at ? b : a;
}
