import { LRUCache } from 'lru-cache';
import { Query } from 'mingo';
import { mongo, type PipelineStage } from 'mongoose';
import type { StoredRecord } from '../../common/persistence/collection-store';
import { cloneRecord, InMemoryCollection } from '../in-memory-collection';

type AnyRecord = StoredRecord<Record<string, unknown>>;

export interface LastKnownGoodSettings {
  enabled: boolean;
  /** Older entries are never served. */
  maxAgeMs: number;
  /** Everything held in process, snapshots included; least recently used entries go first. */
  maxBytes: number;
}

/** What the tier remembers, and since when (ms since the epoch: when the database read that answered it began). */
export interface Recalled<V> {
  value: V;
  at: number;
  /** A result worked out from a snapshot (and kept for the next time it is asked), rather than read. */
  fromSnapshot?: boolean;
}

/** Which writes can change a remembered result: those whose record matches this filter (old or new version). */
export type ChangedBy = { filter: Record<string, unknown> } | 'any-write';

interface RecordEntry {
  collection: string;
  /** undefined: the database said there is no such record (or it was deleted). */
  value: AnyRecord | undefined;
  at: number;
}

interface ResultEntry {
  collection: string;
  value: unknown;
  at: number;
  changedBy: ChangedBy;
  matcher?: Query;
  fromSnapshot?: boolean;
}

type Entry = RecordEntry | ResultEntry;

function isResult(entry: Entry): entry is ResultEntry {
  return 'changedBy' in entry;
}

/** A write as the tier applies it: the record before (when known) and after (none for a delete). */
export interface WrittenRecord {
  id: string;
  before?: AnyRecord;
  after?: AnyRecord;
  /** For an update: the fields it set (used when the record before is not known). */
  changedFields?: readonly string[];
}

/** Two versions of one record with the same update time: the same size to hold. */
function sameVersion(a: AnyRecord | undefined, b: AnyRecord | undefined): boolean {
  if (!a || !b) return a === b;
  return a.updatedAt instanceof Date && b.updatedAt instanceof Date && a.updatedAt.getTime() === b.updatedAt.getTime();
}

/**
 * What a record costs in the heap for each byte of its BSON: its JavaScript objects, strings and ObjectId buffers
 * (about 980 bytes for a 370-byte teacher, measured on records as the driver decodes them).
 */
const HEAP_BYTES_PER_BSON_BYTE = 2.7;

/** What holding a value costs, estimated from BSON's own measure of it (cheap to compute). */
export function bytesOf(value: unknown): number {
  return Math.ceil((mongo.BSON.calculateObjectSize({ value }) + 64) * HEAP_BYTES_PER_BSON_BYTE);
}

/**
 * The bound the tier keeps in process: FALLBACK_STALE_MAX_MB, but at most a quarter of the heap's limit, so that a
 * full tier never makes the service run out of memory (`npm start` gives the heap a limit of about 152 MB).
 */
export function boundedByHeap(settings: LastKnownGoodSettings, heapLimitBytes: number): LastKnownGoodSettings {
  return { ...settings, maxBytes: Math.min(settings.maxBytes, Math.floor(heapLimitBytes / 4)) };
}

/** The filter of a pipeline's leading $match: only records that match it can change the pipeline's result. */
export function changedByPipeline(pipeline: readonly PipelineStage[]): ChangedBy {
  const first = pipeline[0] as { $match?: Record<string, unknown> } | undefined;
  return first?.$match ? { filter: first.$match } : 'any-write';
}

/** The top-level field paths a filter reads, or undefined when it may read any (`$where`, `$expr`, `$text`). */
function fieldsOf(filter: Record<string, unknown>): string[] | undefined {
  const fields: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      for (const part of value as Record<string, unknown>[]) {
        const inner = fieldsOf(part);
        if (!inner) return undefined;
        fields.push(...inner);
      }
    } else if (key.startsWith('$')) {
      return undefined;
    } else {
      fields.push(key);
    }
  }
  return fields;
}

function sharesPath(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/**
 * One collection kept whole: its records as the database last listed them (read in pages by the snapshot refresher),
 * with every write the service has made since. Answers any query with the query engine the backup data uses.
 */
export class CollectionSnapshot<T = Record<string, unknown>> {
  constructor(
    readonly records: InMemoryCollection<T>,
    /** When the refresh that read it began: every record is at least this recent. */
    readonly at: number,
    public bytes: number,
  ) {}
}

/** A snapshot being read: the writes made meanwhile are applied over the pages when it completes. */
export class SnapshotBuilder {
  readonly records: AnyRecord[] = [];
  bytes = 0;
  readonly writtenMeanwhile = new Map<string, AnyRecord | undefined>();

  constructor(
    readonly collection: string,
    readonly at: number,
  ) {}

  add(page: readonly AnyRecord[]): void {
    for (const record of page) {
      this.records.push(record);
      this.bytes += bytesOf(record);
    }
  }
}

export interface LastKnownGoodStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  oldestAgeSeconds: number | null;
}

/**
 * The last-known-good tier in process: what the database last answered through the collection stores, so that an
 * outage answers with the users' real data (marked stale with its age) before the backup data.
 *
 * - Records by id (from every read and every acknowledged write), and each read operation's result under its
 *   canonical key, in one least-recently-used cache bounded in bytes (snapshots count against the same bound).
 * - Snapshots of whole collections (kept by the snapshot refresher).
 * - A write updates the written record everywhere and drops every remembered result its old or new version could
 *   change; a read that began before a write of its collection is not remembered (it may predate the write).
 *
 * Nothing of it is written to disk: it is personal data.
 */
export class LastKnownGood {
  private readonly entries: LRUCache<string, Entry>;
  /** The keys of each collection's remembered results, for the writes that must find them. */
  private readonly resultKeys = new Map<string, Set<string>>();
  private readonly snapshots = new Map<string, CollectionSnapshot>();
  private readonly builders = new Map<string, SnapshotBuilder>();
  /** Counts each collection's writes, so that a read that began before one is not remembered. */
  private readonly generations = new Map<string, number>();
  private snapshotBytes = 0;

  constructor(
    readonly settings: LastKnownGoodSettings,
    private readonly clock: () => number = Date.now,
  ) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: settings.maxBytes,
      sizeCalculation: (entry) => bytesOf(entry.value),
      dispose: (entry, key) => {
        if (isResult(entry)) this.resultKeys.get(entry.collection)?.delete(key);
      },
    });
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  now(): number {
    return this.clock();
  }

  /** Taken before a database read; the read is remembered only if no write of its collection came meanwhile. */
  generation(collection: string): number {
    return this.generations.get(collection) ?? 0;
  }

  rememberRecords(collection: string, records: readonly AnyRecord[], since: number, at: number): void {
    if (!this.enabled || this.generation(collection) !== since) return;
    for (const record of records) this.setRecord(collection, record._id.toHexString(), record, at);
  }

  /** The database said the record does not exist. */
  rememberAbsent(collection: string, id: string, since: number, at: number): void {
    if (!this.enabled || this.generation(collection) !== since) return;
    this.setRecord(collection, id.toLowerCase(), undefined, at);
  }

  rememberResult(
    collection: string,
    key: string,
    value: unknown,
    changedBy: ChangedBy,
    since: number,
    at: number,
    fromSnapshot?: boolean,
  ): void {
    if (!this.enabled || this.generation(collection) !== since) return;
    const entryKey = `${collection}\u0000q\u0000${key}`;
    this.set(entryKey, { collection, value, at, changedBy, ...(fromSnapshot ? { fromSnapshot } : {}) });
    let keys = this.resultKeys.get(collection);
    if (!keys) this.resultKeys.set(collection, (keys = new Set()));
    if (this.entries.has(entryKey)) keys.add(entryKey);
  }

  /** The record as last known by id: its value (undefined: known not to exist), or undefined when not known. */
  recallRecord(collection: string, id: string): Recalled<AnyRecord | undefined> | undefined {
    const entry = this.entries.get(`${collection}\u0000r\u0000${id.toLowerCase()}`) as RecordEntry | undefined;
    if (!entry || !this.young(entry.at)) return undefined;
    return { value: entry.value && cloneRecord(entry.value), at: entry.at };
  }

  recallResult<R>(collection: string, key: string): Recalled<R> | undefined {
    const entry = this.entries.get(`${collection}\u0000q\u0000${key}`) as ResultEntry | undefined;
    if (!entry || !this.young(entry.at)) return undefined;
    return {
      value: cloneRecord(entry.value) as R,
      at: entry.at,
      ...(entry.fromSnapshot ? { fromSnapshot: true } : {}),
    };
  }

  /** The collection's complete snapshot, if it has one young enough to serve. */
  snapshot(collection: string): CollectionSnapshot | undefined {
    const snapshot = this.snapshots.get(collection);
    return snapshot && this.young(snapshot.at) ? snapshot : undefined;
  }

  /** A write the database acknowledged, or one the journal accepted during an outage (read your writes). */
  written(collection: string, write: WrittenRecord): void {
    this.generations.set(collection, this.generation(collection) + 1);
    if (!this.enabled) return;
    const id = write.id.toLowerCase();
    this.setRecord(collection, id, write.after, this.now());
    const snapshot = this.snapshots.get(collection);
    if (snapshot) {
      if (write.after) snapshot.records.put(write.after);
      else snapshot.records.remove(id);
    }
    this.builders.get(collection)?.writtenMeanwhile.set(id, write.after && cloneRecord(write.after));
    this.dropResultsChangedBy(collection, write);
  }

  /** Forgets what is known of a record (a journalled write that could not be applied). */
  forget(collection: string, id: string): void {
    this.generations.set(collection, this.generation(collection) + 1);
    this.entries.delete(`${collection}\u0000r\u0000${id.toLowerCase()}`);
    this.snapshots.get(collection)?.records.remove(id);
    for (const key of [...(this.resultKeys.get(collection) ?? [])]) this.entries.delete(key);
  }

  beginSnapshot(collection: string): SnapshotBuilder {
    const builder = new SnapshotBuilder(collection, this.now());
    this.builders.set(collection, builder);
    return builder;
  }

  abandonSnapshot(builder: SnapshotBuilder): void {
    if (this.builders.get(builder.collection) === builder) this.builders.delete(builder.collection);
  }

  /** Replaces the collection's snapshot with the one read, with the writes made while it was read applied. */
  completeSnapshot(builder: SnapshotBuilder): CollectionSnapshot {
    this.abandonSnapshot(builder);
    const records = new InMemoryCollection<Record<string, unknown>>(builder.collection, builder.records);
    for (const [id, record] of builder.writtenMeanwhile) {
      if (record) records.put(record);
      else records.remove(id);
    }
    return this.installSnapshot(builder.collection, records, builder.at, builder.bytes);
  }

  /** Holds a snapshot read elsewhere (the shared tier), unless the one held is as recent. */
  installSnapshot(
    collection: string,
    records: InMemoryCollection<Record<string, unknown>>,
    at: number,
    bytes: number,
  ): CollectionSnapshot {
    const previous = this.snapshots.get(collection);
    if (previous && previous.at >= at) return previous;
    this.snapshotBytes += bytes - (previous?.bytes ?? 0);
    const snapshot = new CollectionSnapshot(records, at, bytes);
    this.snapshots.set(collection, snapshot);
    this.keepWithinBound();
    return snapshot;
  }

  dropSnapshot(collection: string): void {
    const snapshot = this.snapshots.get(collection);
    if (!snapshot) return;
    this.snapshotBytes -= snapshot.bytes;
    this.snapshots.delete(collection);
  }

  /** How many bytes the snapshots may hold together: half the bound, so that remembered reads keep room. */
  get snapshotBudget(): number {
    return Math.floor(this.settings.maxBytes / 2);
  }

  snapshotState(collection: string): { at: number; records: number; bytes: number } | undefined {
    const snapshot = this.snapshots.get(collection);
    return snapshot && { at: snapshot.at, records: snapshot.records.size, bytes: snapshot.bytes };
  }

  /** Bytes the snapshots other than this collection's hold. */
  snapshotBytesExcept(collection: string): number {
    return this.snapshotBytes - (this.snapshots.get(collection)?.bytes ?? 0);
  }

  stats(): LastKnownGoodStats {
    let oldest: number | undefined;
    for (const entry of this.entries.values()) oldest = Math.min(oldest ?? entry.at, entry.at);
    for (const snapshot of this.snapshots.values()) oldest = Math.min(oldest ?? snapshot.at, snapshot.at);
    return {
      entries: this.entries.size,
      bytes: this.entries.calculatedSize + this.snapshotBytes,
      maxBytes: this.settings.maxBytes,
      oldestAgeSeconds: oldest === undefined ? null : Math.round((this.now() - oldest) / 1000),
    };
  }

  /** Drops everything (the tier switched off, tests). */
  clear(): void {
    this.entries.clear();
    this.snapshots.clear();
    this.snapshotBytes = 0;
  }

  private young(at: number): boolean {
    return this.now() - at <= this.settings.maxAgeMs;
  }

  private setRecord(collection: string, id: string, value: AnyRecord | undefined, at: number): void {
    const key = `${collection}\u0000r\u0000${id}`;
    // The same version read again (the busiest reads): its size is known, and measuring it is most of the cost.
    const held = this.entries.peek(key) as RecordEntry | undefined;
    const size = held && sameVersion(held.value, value) ? this.entries.info(key)?.size : undefined;
    this.set(key, { collection, value, at }, size);
  }

  private set(key: string, entry: Entry, size?: number): void {
    this.entries.set(key, entry, size === undefined ? undefined : { size });
    this.keepWithinBound();
  }

  /** The cache keeps itself within the bound; the snapshots' bytes come off its share here. */
  private keepWithinBound(): void {
    while (this.entries.size > 0 && this.entries.calculatedSize + this.snapshotBytes > this.settings.maxBytes) {
      this.entries.pop();
    }
  }

  private dropResultsChangedBy(collection: string, write: WrittenRecord): void {
    const keys = this.resultKeys.get(collection);
    if (!keys) return;
    for (const key of [...keys]) {
      const entry = this.entries.peek(key) as ResultEntry | undefined;
      if (!entry || this.changes(entry, write)) this.entries.delete(key);
    }
  }

  private changes(entry: ResultEntry, { before, after, changedFields }: WrittenRecord): boolean {
    if (entry.changedBy === 'any-write' || (!before && !after)) return true;
    entry.matcher ??= new Query(entry.changedBy.filter);
    if (after && entry.matcher.test(after)) return true;
    if (before) return entry.matcher.test(before);
    if (!changedFields) return false;
    // The old version is not known: the write may have changed whether it matched only through a field it set.
    const read = fieldsOf(entry.changedBy.filter);
    return !read || read.some((field) => changedFields.some((changed) => sharesPath(field, changed)));
  }
}
