import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';
import { mongo } from 'mongoose';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { JournalledWrite, LaterWrite } from '../common/persistence/collection-store';
import { AppConfig } from '../config/app-config';

export type JournalOperation = JournalledWrite['operation'];
export type JournalStatus = 'pending' | 'applied' | 'failed' | 'superseded';

/** The version of its record a journalled update or delete was based on, and when it was accepted. */
export type WriteVersion = Pick<JournalledWrite, 'acceptedAt' | 'baseUpdatedAt' | 'baseValues'>;

export interface JournalEntry extends JournalledWrite {
  seq: number;
  collection: string;
  status: JournalStatus;
  error?: string;
  attempts: number;
  /** When the write was accepted (the same as `acceptedAt`). */
  createdAt: Date;
  finishedAt?: Date;
  /** Superseded, or applied but for some fields: what the later write left in the fields it won. */
  supersededBy?: LaterWrite;
}

interface JournalRow {
  seq: number;
  collection: string;
  operation: JournalOperation;
  document_id: string;
  payload: string | null;
  status: JournalStatus;
  error: string | null;
  attempts: number;
  created_at: string;
  finished_at: string | null;
  base_updated_at: string | null;
  base_values: string | null;
  superseded_by: string | null;
}

const { EJSON } = mongo.BSON;

/** How long a health check's reader waits for a lock (WAL readers wait only while the file is being recovered). */
const JOURNAL_CHECK_BUSY_MS = 250;

/**
 * The journal's schema, by `PRAGMA user_version`. Version 0 is the first (without the base version of a write nor
 * the status `superseded`); each later version is reached from the one before by its migration.
 */
const SCHEMA_VERSION = 1;

const CREATE_JOURNAL = (table: string) => `
  CREATE TABLE ${table} (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    operation TEXT NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
    document_id TEXT NOT NULL,
    payload TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'failed', 'superseded')),
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    base_updated_at TEXT,
    base_values TEXT,
    superseded_by TEXT
  );
`;
const CREATE_STATUS_INDEX = 'CREATE INDEX journal_status ON journal (status, seq);';

const VERSION_0_COLUMNS =
  'seq, collection, operation, document_id, payload, status, error, attempts, created_at, finished_at';

function decode(text: string | null): Record<string, unknown> | undefined {
  return text ? (EJSON.parse(text, { relaxed: true }) as Record<string, unknown>) : undefined;
}

function encode(value: object | undefined): string | null {
  return value ? EJSON.stringify(value, { relaxed: false }) : null;
}

function toEntry(row: JournalRow): JournalEntry {
  const createdAt = new Date(row.created_at);
  return {
    seq: row.seq,
    collection: row.collection,
    operation: row.operation,
    documentId: row.document_id,
    payload: decode(row.payload),
    acceptedAt: createdAt,
    baseUpdatedAt: row.base_updated_at ? new Date(row.base_updated_at) : undefined,
    baseValues: decode(row.base_values),
    status: row.status,
    error: row.error ?? undefined,
    attempts: row.attempts,
    createdAt,
    finishedAt: row.finished_at ? new Date(row.finished_at) : undefined,
    supersededBy: decode(row.superseded_by) as LaterWrite | undefined,
  };
}

/**
 * The durable record of writes accepted while the database was unavailable, in order.
 * SQLite in WAL mode with synchronous=FULL: an append has reached the disk when it returns,
 * so an acknowledged write survives `kill -9` and a restart. Entries end as applied, failed or
 * superseded, never deleted by the service.
 */
@Injectable()
export class WriteJournal implements OnApplicationShutdown {
  private readonly logger = new Logger('WriteJournal');
  private readonly db: Database.Database;
  private readonly path: string;
  private readonly statements;

  constructor(config: AppConfig) {
    const path = config.fallback.journalPath === ':memory:' ? ':memory:' : resolve(config.fallback.journalPath);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.path = path;
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    try {
      this.migrate();
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.statements = {
      append: this.db.prepare<[string, string, string, string | null, string, string | null, string | null]>(
        `INSERT INTO journal (collection, operation, document_id, payload, created_at, base_updated_at, base_values)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      byStatus: this.db.prepare<[string], JournalRow>('SELECT * FROM journal WHERE status = ? ORDER BY seq'),
      bySeq: this.db.prepare<[number], JournalRow>('SELECT * FROM journal WHERE seq = ?'),
      finish: this.db.prepare<[string, string | null, string, string | null, number]>(
        `UPDATE journal SET status = ?, error = ?, finished_at = ?, superseded_by = ?, attempts = attempts + 1
         WHERE seq = ?`,
      ),
      attempt: this.db.prepare<[string, number]>('UPDATE journal SET attempts = attempts + 1, error = ? WHERE seq = ?'),
      hasPending: this.db.prepare<[], { seq: number }>("SELECT seq FROM journal WHERE status = 'pending' LIMIT 1"),
      latest: this.db.prepare<[], { seq: number }>('SELECT seq FROM journal ORDER BY seq DESC LIMIT 1'),
      counts: this.db.prepare<[], { status: JournalStatus; count: number }>(
        'SELECT status, COUNT(*) AS count FROM journal GROUP BY status',
      ),
    };
    const { pending } = this.counts();
    if (pending > 0) this.logger.warn(`${pending} write(s) from an earlier outage wait in the journal ${path}`);
  }

  /**
   * Creates the journal, or brings a journal written by an earlier version to this one. SQLite cannot change a
   * table's CHECK constraint, so the table is rebuilt, all in one transaction: a crash leaves the old journal whole.
   */
  private migrate(): void {
    this.db
      .transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        if (version === SCHEMA_VERSION) return;
        if (version > SCHEMA_VERSION) {
          throw new Error(`the journal ${this.path} was written by a newer version (schema ${version})`);
        }
        const exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal'").get();
        if (!exists) {
          this.db.exec(CREATE_JOURNAL('journal') + CREATE_STATUS_INDEX);
        } else {
          // Version 0 to 1: base versions, the status superseded.
          this.db.exec(`
            ${CREATE_JOURNAL('journal_migrated')}
            INSERT INTO journal_migrated (${VERSION_0_COLUMNS}) SELECT ${VERSION_0_COLUMNS} FROM journal;
            DROP TABLE journal;
            ALTER TABLE journal_migrated RENAME TO journal;
            ${CREATE_STATUS_INDEX}
          `);
          this.logger.log(`The journal ${this.path} was brought to schema ${SCHEMA_VERSION}`);
        }
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })
      .immediate();
  }

  append(
    collection: string,
    operation: JournalOperation,
    documentId: string,
    payload?: Record<string, unknown>,
    version: WriteVersion = {},
  ): JournalEntry {
    const { lastInsertRowid } = this.statements.append.run(
      collection,
      operation,
      documentId,
      encode(payload),
      (version.acceptedAt ?? new Date()).toISOString(),
      version.baseUpdatedAt ? new Date(version.baseUpdatedAt).toISOString() : null,
      encode(version.baseValues),
    );
    return toEntry(this.statements.bySeq.get(Number(lastInsertRowid))!);
  }

  hasPending(): boolean {
    return this.statements.hasPending.get() !== undefined;
  }

  pending(): JournalEntry[] {
    return this.statements.byStatus.all('pending').map(toEntry);
  }

  failed(): JournalEntry[] {
    return this.statements.byStatus.all('failed').map(toEntry);
  }

  superseded(): JournalEntry[] {
    return this.statements.byStatus.all('superseded').map(toEntry);
  }

  /** Entries of any of `statuses`, in order. */
  withStatus(statuses: readonly JournalStatus[]): JournalEntry[] {
    return statuses
      .flatMap((status) => this.statements.byStatus.all(status).map(toEntry))
      .sort((a, b) => a.seq - b.seq);
  }

  /** `supersededBy`: the fields a later write won, when the entry was applied but for them. */
  markApplied(seq: number, supersededBy?: LaterWrite): void {
    this.statements.finish.run('applied', null, new Date().toISOString(), encode(supersededBy), seq);
  }

  markFailed(seq: number, reason: string): void {
    this.statements.finish.run('failed', reason, new Date().toISOString(), null, seq);
  }

  /** A later write won every field the entry changed (or kept the record it deleted): nothing of it was applied. */
  markSuperseded(seq: number, reason: string, supersededBy: LaterWrite): void {
    this.statements.finish.run('superseded', reason, new Date().toISOString(), encode(supersededBy), seq);
  }

  /** Notes a replay attempt that the database could not take; the entry stays pending. */
  recordAttempt(seq: number, reason: string): void {
    this.statements.attempt.run(reason, seq);
  }

  counts(): Record<JournalStatus, number> {
    const counts: Record<JournalStatus, number> = { pending: 0, applied: 0, failed: 0, superseded: 0 };
    for (const row of this.statements.counts.all()) counts[row.status] = row.count;
    return counts;
  }

  /**
   * Throws, saying why, unless the journal answers a trivial query: on its own connection, and (for a
   * file) on a fresh read-only connection to its file. The second shows what a restart would find: the
   * service's connection keeps answering from its page cache and its open file even when the file has
   * been deleted, replaced or damaged since start, and writes journalled then would be lost.
   */
  verifyUsable(): void {
    this.statements.latest.get();
    if (this.path === ':memory:') return;
    let reader: Database.Database;
    try {
      reader = new Database(this.path, { readonly: true, fileMustExist: true, timeout: JOURNAL_CHECK_BUSY_MS });
    } catch (error) {
      throw new Error(`the journal file cannot be opened: ${(error as Error).message}`, { cause: error });
    }
    try {
      reader.prepare('SELECT seq FROM journal ORDER BY seq DESC LIMIT 1').get();
    } catch (error) {
      throw new Error(`the journal file cannot be read: ${(error as Error).message}`, { cause: error });
    } finally {
      reader.close();
    }
  }

  /** Closed last, once every module (the replayer above all) has stopped writing to it. */
  onApplicationShutdown(): void {
    this.db.close();
  }
}
