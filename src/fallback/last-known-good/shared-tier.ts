import type { StoredRecord } from '../../common/persistence/collection-store';
import type { Recalled } from './last-known-good';

type AnyRecord = StoredRecord<Record<string, unknown>>;

export interface SharedTierStatus {
  configured: boolean;
  connected: boolean;
  lastError: string | null;
}

/**
 * The last-known-good tier's copy shared by every instance (Redis, with REDIS_URL): it outlives a restart of the
 * service, so an instance started during an outage answers from it. What is remembered in process is remembered
 * here too, in the background; an outage answer waits for it a bounded time and takes the in-process tier when it
 * is slow or down. Never throws.
 */
export interface SharedTier {
  rememberRecords(
    collection: string,
    records: readonly { id: string; value: AnyRecord | undefined; at: number }[],
  ): void;
  rememberResult(collection: string, key: string, value: unknown, at: number): void;
  /** An acknowledged (or journalled) write: the record's new value, and the collection's results become older than it. */
  written(collection: string, id: string, after: AnyRecord | undefined, at: number): void;
  saveSnapshot(collection: string, records: readonly AnyRecord[], at: number): void;
  recallRecord(collection: string, id: string): Promise<Recalled<AnyRecord | undefined> | undefined>;
  /** The result remembered under the key if no write of the collection came after it, and when the last write came. */
  recallResult(
    collection: string,
    key: string,
  ): Promise<{ result?: Recalled<unknown>; lastWriteAt: number } | undefined>;
  loadSnapshot(collection: string): Promise<{ records: AnyRecord[]; at: number } | undefined>;
  status(): SharedTierStatus;
  close(): Promise<void>;
}

/** Without REDIS_URL: nothing shared. */
export const NO_SHARED_TIER: SharedTier = {
  rememberRecords: () => undefined,
  rememberResult: () => undefined,
  written: () => undefined,
  saveSnapshot: () => undefined,
  recallRecord: () => Promise.resolve(undefined),
  recallResult: () => Promise.resolve(undefined),
  loadSnapshot: () => Promise.resolve(undefined),
  status: () => ({ configured: false, connected: false, lastError: null }),
  close: () => Promise.resolve(),
};
