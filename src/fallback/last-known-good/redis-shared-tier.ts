import { createHash } from 'node:crypto';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis, Result } from 'ioredis';
import { mongo } from 'mongoose';
import type { StoredRecord } from '../../common/persistence/collection-store';
import { boundedRedisClient } from '../../common/redis/bounded-redis-client';
import type { Recalled } from './last-known-good';
import { SAVE_SNAPSHOT_SCRIPT, STORE_SCRIPT, WRITTEN_SCRIPT } from './redis-tier-scripts';
import type { SharedTier, SharedTierStatus } from './shared-tier';

type AnyRecord = StoredRecord<Record<string, unknown>>;

export interface RedisSharedTierSettings {
  url: string;
  /** Older entries are never served; each expires in Redis then. */
  maxAgeMs: number;
  /** The values held in Redis, snapshots included; the oldest go first. */
  redisMaxBytes: number;
  /** How long a read on a request's path waits for Redis. */
  redisTimeoutMs: number;
}

/** A snapshot is loaded in the background (never on a request's path) and may be large: it may wait longer. */
const SNAPSHOT_TIMEOUT_FLOOR_MS = 2000;
const PREFIX = 'lkg:v1:';
const INDEX_KEYS = [`${PREFIX}index`, `${PREFIX}sizes`, `${PREFIX}bytes`];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    lkgStore(...keysAndArgs: (string | number)[]): Result<number, Context>;
    lkgWritten(...keysAndArgs: (string | number)[]): Result<number, Context>;
    lkgSaveSnapshot(...keysAndArgs: (string | number)[]): Result<number, Context>;
  }
}

const logger = new Logger('LastKnownGood');

/**
 * The last-known-good tier's copy in Redis, shared by every instance and outliving their restarts. Stores are sent
 * in the background and never awaited by a request; reads wait a bounded time and answer undefined when Redis is
 * slow, down or holds something unreadable. Values are EJSON, so ObjectIds and Dates come back as such.
 * Nothing here asks Redis to persist anything: whether it does is the operator's setting (it should not).
 */
export class RedisSharedTier implements SharedTier, OnApplicationShutdown {
  private readonly client: Redis;
  private connectionError: string | null = null;
  private lastError: string | null = null;
  private closing = false;
  /** Commands that failed or values that could not be read or written (lastError tells the last one). */
  failures = 0;

  constructor(private readonly settings: RedisSharedTierSettings) {
    // A command stuck on a hung Redis fails after the longest wait any caller has (a request gave up on it long before).
    this.client = boundedRedisClient(settings.url, 'last-known-good', this.snapshotTimeoutMs);
    this.client.defineCommand('lkgStore', { numberOfKeys: 4, lua: STORE_SCRIPT });
    this.client.defineCommand('lkgWritten', { numberOfKeys: 7, lua: WRITTEN_SCRIPT });
    this.client.defineCommand('lkgSaveSnapshot', { numberOfKeys: 5, lua: SAVE_SNAPSHOT_SCRIPT });
    this.client.on('error', (error: Error) => {
      if (this.connectionError === null) logger.warn(`Redis connection failed (${error.message}); retrying`);
      this.connectionError = error.message;
    });
    this.client.on('close', () => {
      if (this.connectionError === null && !this.closing) logger.warn('Redis connection lost; retrying');
      this.connectionError ??= 'connection lost';
    });
    this.client.on('ready', () => {
      if (this.connectionError !== null) logger.log('Redis connection is back');
      this.connectionError = null;
      this.lastError = null;
    });
  }

  private get snapshotTimeoutMs(): number {
    return Math.max(SNAPSHOT_TIMEOUT_FLOOR_MS, 20 * this.settings.redisTimeoutMs);
  }

  rememberRecords(
    collection: string,
    records: readonly { id: string; value: AnyRecord | undefined; at: number }[],
  ): void {
    for (const { id, value, at } of records) {
      this.store(recordKey(collection, id), at, value === undefined ? '' : this.serialize(value));
    }
  }

  rememberResult(collection: string, key: string, value: unknown, at: number): void {
    this.store(resultKey(collection, key), at, this.serialize({ key, value }));
  }

  written(collection: string, id: string, after: AnyRecord | undefined, at: number): void {
    const value = after === undefined ? '' : this.serialize(after);
    if (value === undefined) return;
    const keys = [recordKey(collection, id), lastWriteKey(collection), writesKey(collection), snapshotKey(collection)];
    this.send(() =>
      this.client.lkgWritten(
        ...INDEX_KEYS,
        ...keys,
        entryOf(at, value),
        at,
        this.settings.maxAgeMs,
        this.settings.redisMaxBytes,
        this.expiredBefore(),
        id,
        value,
      ),
    );
  }

  saveSnapshot(collection: string, records: readonly AnyRecord[], at: number): void {
    const px = this.remainingMs(at);
    if (px <= 0) return;
    const fields: string[] = [];
    for (const record of records) {
      const value = this.serialize(record);
      if (value === undefined) return;
      fields.push(record._id.toHexString(), value);
    }
    const bytes = fields.reduce((sum, field) => sum + Buffer.byteLength(field), 0);
    if (bytes > this.settings.redisMaxBytes) return;
    this.send(() =>
      this.client.lkgSaveSnapshot(
        ...INDEX_KEYS,
        snapshotKey(collection),
        writesKey(collection),
        at,
        px,
        this.settings.redisMaxBytes,
        this.expiredBefore(),
        `${PREFIX}${collection}:record:`,
        ...fields,
      ),
    );
  }

  async recallRecord(collection: string, id: string): Promise<Recalled<AnyRecord | undefined> | undefined> {
    const entry = await this.read(() => this.client.get(recordKey(collection, id.toLowerCase())));
    const parsed = entry ? this.parseEntry(entry) : undefined;
    if (!parsed) return undefined;
    return { value: parsed.value as AnyRecord | undefined, at: parsed.at };
  }

  async recallResult(
    collection: string,
    key: string,
  ): Promise<{ result?: Recalled<unknown>; lastWriteAt: number } | undefined> {
    const answer = await this.read(() => this.client.mget(resultKey(collection, key), lastWriteKey(collection)));
    if (!answer) return undefined;
    const [entry, lastWrite] = answer;
    const lastWriteAt = Number(lastWrite ?? 0);
    if (!Number.isSafeInteger(lastWriteAt)) return undefined;
    const parsed = entry ? this.parseEntry(entry) : undefined;
    const remembered = parsed?.value as { key?: unknown; value?: unknown } | undefined;
    // A result is served only if no write of the collection came after its read began.
    if (!parsed || remembered?.key !== key || parsed.at <= lastWriteAt) return { lastWriteAt };
    return { result: { value: remembered.value, at: parsed.at }, lastWriteAt };
  }

  async loadSnapshot(collection: string): Promise<{ records: AnyRecord[]; at: number } | undefined> {
    const fields = await this.read(() => this.client.hgetall(snapshotKey(collection)), this.snapshotTimeoutMs);
    if (!fields?.[':at']) return undefined;
    const at = Number(fields[':at']);
    if (!Number.isSafeInteger(at) || this.remainingMs(at) <= 0) return undefined;
    const records: AnyRecord[] = [];
    for (const [id, text] of Object.entries(fields)) {
      if (id === ':at') continue;
      const record = this.parse(text) as AnyRecord | undefined;
      if (record === undefined) return undefined;
      records.push(record);
    }
    return { records, at };
  }

  status(): SharedTierStatus {
    return {
      configured: true,
      connected: this.client.status === 'ready',
      lastError: this.connectionError ?? this.lastError,
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.client.status !== 'ready') return this.client.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private store(key: string, at: number, value: string | undefined): void {
    if (value === undefined) return;
    const px = this.remainingMs(at);
    const entry = entryOf(at, value);
    if (px <= 0 || Buffer.byteLength(entry) > this.settings.redisMaxBytes) return;
    this.send(() =>
      this.client.lkgStore(...INDEX_KEYS, key, entry, at, px, this.settings.redisMaxBytes, this.expiredBefore()),
    );
  }

  /** Fire and forget: a failure is counted and remembered, never reaches the request. */
  private send(command: () => Promise<unknown>): void {
    if (this.client.status !== 'ready') return;
    command().then(
      () => undefined,
      (error: unknown) => this.failed(error),
    );
  }

  /** Redis's answer within the bound, else undefined. */
  private async read<V>(command: () => Promise<V>, boundMs = this.settings.redisTimeoutMs): Promise<V | undefined> {
    if (this.client.status !== 'ready') return undefined;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, boundMs, undefined);
    });
    try {
      return await Promise.race([command(), gaveUp]);
    } catch (error) {
      this.failed(error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private failed(error: unknown): void {
    this.failures += 1;
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  private parseEntry(entry: string): Recalled<unknown> | undefined {
    const newline = entry.indexOf('\n');
    const at = Number(entry.slice(0, newline));
    if (newline < 1 || !Number.isSafeInteger(at) || this.remainingMs(at) <= 0) return undefined;
    const text = entry.slice(newline + 1);
    if (text === '') return { value: undefined, at };
    const value = this.parse(text);
    return value === undefined ? undefined : { value, at };
  }

  /** Canonical EJSON keeps every BSON type; it is read back relaxed, so numbers are plain as in a lean read. */
  private serialize(value: unknown): string | undefined {
    try {
      return mongo.BSON.EJSON.stringify(value, { relaxed: false });
    } catch (error) {
      this.failed(error);
      return undefined;
    }
  }

  private parse(text: string): unknown {
    try {
      return mongo.BSON.EJSON.parse(text, { relaxed: true });
    } catch (error) {
      this.failed(error);
      return undefined;
    }
  }

  private remainingMs(at: number): number {
    return at + this.settings.maxAgeMs - Date.now();
  }

  private expiredBefore(): number {
    return Date.now() - this.settings.maxAgeMs;
  }
}

function entryOf(at: number, value: string): string {
  return `${at}\n${value}`;
}

function recordKey(collection: string, id: string): string {
  return `${PREFIX}${collection}:record:${id}`;
}

function resultKey(collection: string, key: string): string {
  return `${PREFIX}${collection}:result:${createHash('sha1').update(key).digest('hex')}`;
}

function lastWriteKey(collection: string): string {
  return `${PREFIX}${collection}:last-write`;
}

function writesKey(collection: string): string {
  return `${PREFIX}${collection}:writes`;
}

function snapshotKey(collection: string): string {
  return `${PREFIX}${collection}:snapshot`;
}
