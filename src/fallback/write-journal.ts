import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';
import { mongo } from 'mongoose';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { JournalledWrite } from '../common/persistence/collection-store';
import { AppConfig } from '../config/app-config';

export type JournalOperation = JournalledWrite['operation'];
export type JournalStatus = 'pending' | 'applied' | 'failed';

export interface JournalEntry extends JournalledWrite {
  seq: number;
  collection: string;
  status: JournalStatus;
  error?: string;
  attempts: number;
  createdAt: Date;
  finishedAt?: Date;
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
}

const { EJSON } = mongo.BSON;

/** How long a health check's reader waits for a lock (WAL readers wait only while the file is being recovered). */
const JOURNAL_CHECK_BUSY_MS = 250;

function toEntry(row: JournalRow): JournalEntry {
  return {
    seq: row.seq,
    collection: row.collection,
    operation: row.operation,
    documentId: row.document_id,
    payload: row.payload ? (EJSON.parse(row.payload, { relaxed: true }) as Record<string, unknown>) : undefined,
    status: row.status,
    error: row.error ?? undefined,
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
    finishedAt: row.finished_at ? new Date(row.finished_at) : undefined,
  };
}

/**
 * The durable record of writes accepted while the database was unavailable, in order.
 * SQLite in WAL mode with synchronous=FULL: an append has reached the disk when it returns,
 * so an acknowledged write survives `kill -9` and a restart. Entries end as applied or failed,
 * never deleted by the service.
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
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL,
        operation TEXT NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
        document_id TEXT NOT NULL,
        payload TEXT,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'failed')),
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX IF NOT EXISTS journal_status ON journal (status, seq);
    `);
    this.statements = {
      append: this.db.prepare<[string, string, string, string | null, string]>(
        'INSERT INTO journal (collection, operation, document_id, payload, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      byStatus: this.db.prepare<[string], JournalRow>('SELECT * FROM journal WHERE status = ? ORDER BY seq'),
      bySeq: this.db.prepare<[number], JournalRow>('SELECT * FROM journal WHERE seq = ?'),
      finish: this.db.prepare<[string, string | null, string, number]>(
        'UPDATE journal SET status = ?, error = ?, finished_at = ?, attempts = attempts + 1 WHERE seq = ?',
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

  append(
    collection: string,
    operation: JournalOperation,
    documentId: string,
    payload?: Record<string, unknown>,
  ): JournalEntry {
    const encoded = payload ? EJSON.stringify(payload, { relaxed: false }) : null;
    const { lastInsertRowid } = this.statements.append.run(
      collection,
      operation,
      documentId,
      encoded,
      new Date().toISOString(),
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

  /** Entries of any of `statuses`, in order. */
  withStatus(statuses: readonly JournalStatus[]): JournalEntry[] {
    return statuses
      .flatMap((status) => this.statements.byStatus.all(status).map(toEntry))
      .sort((a, b) => a.seq - b.seq);
  }

  markApplied(seq: number): void {
    this.statements.finish.run('applied', null, new Date().toISOString(), seq);
  }

  markFailed(seq: number, reason: string): void {
    this.statements.finish.run('failed', reason, new Date().toISOString(), seq);
  }

  /** Notes a replay attempt that the database could not take; the entry stays pending. */
  recordAttempt(seq: number, reason: string): void {
    this.statements.attempt.run(reason, seq);
  }

  counts(): Record<JournalStatus, number> {
    const counts: Record<JournalStatus, number> = { pending: 0, applied: 0, failed: 0 };
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
