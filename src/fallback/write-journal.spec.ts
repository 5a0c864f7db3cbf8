import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { Types } from 'mongoose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig, FallbackSettings } from '../config/app-config';
import { WriteJournal } from './write-journal';

const START = new Date('2026-11-30T12:00:00Z');
const later = (ms: number) => new Date(START.getTime() + ms);

/** The one place that knows where the journal's path lives in AppConfig. */
function configWith(journalPath: string): AppConfig {
  const fallback: Pick<FallbackSettings, 'journalPath'> = { journalPath };
  return { fallback } as Pick<AppConfig, 'fallback'> as AppConfig;
}

describe(WriteJournal.name, () => {
  let directory: string;
  let opened: WriteJournal[];
  let warn: jest.SpyInstance;

  function newTestJournal(path: string) {
    const sut = new WriteJournal(configWith(path));
    opened.push(sut);
    return { sut };
  }

  function close(journal: WriteJournal): void {
    journal.onApplicationShutdown();
    opened = opened.filter((open) => open !== journal);
  }

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'write-journal-'));
    opened = [];
    jest.useFakeTimers({ now: START });
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    for (const journal of opened) journal.onApplicationShutdown();
    jest.useRealTimers();
    jest.restoreAllMocks();
    rmSync(directory, { recursive: true, force: true });
  });

  describe.each([
    ['in memory', () => ':memory:'],
    ['in a file', () => join(directory, 'not', 'yet', 'created', 'journal.sqlite')],
  ])('%s', (_storage, journalPath) => {
    it('starts empty', () => {
      const { sut } = newTestJournal(journalPath());

      expect(sut.hasPending()).toBe(false);
      expect(sut.pending()).toEqual([]);
      expect(sut.failed()).toEqual([]);
      expect(sut.counts()).toEqual({ pending: 0, applied: 0, failed: 0, superseded: 0 });
    });

    it('appends entries in order, numbered by seq, all pending', () => {
      const { sut } = newTestJournal(journalPath());

      const insert = sut.append('schools', 'insert', 'a0000000000000000000000a', { name: 'Hill School' });
      jest.advanceTimersByTime(5);
      const update = sut.append('teachers', 'update', 'b0000000000000000000000b', { lastName: 'Moss' });
      jest.advanceTimersByTime(5);
      const remove = sut.append('schools', 'delete', 'c0000000000000000000000c');

      expect(update.seq).toBeGreaterThan(insert.seq);
      expect(remove.seq).toBeGreaterThan(update.seq);
      expect(insert).toEqual({
        seq: insert.seq,
        collection: 'schools',
        operation: 'insert',
        documentId: 'a0000000000000000000000a',
        payload: { name: 'Hill School' },
        status: 'pending',
        error: undefined,
        attempts: 0,
        acceptedAt: START,
        createdAt: START,
        finishedAt: undefined,
      });
      expect(update.createdAt).toEqual(later(5));
      expect(remove.payload).toBeUndefined();
      expect(sut.pending()).toEqual([insert, update, remove]);
      expect(sut.counts()).toEqual({ pending: 3, applied: 0, failed: 0, superseded: 0 });
      expect(sut.hasPending()).toBe(true);
    });

    it('gives back the payload with its ObjectIds, Dates and numbers intact', () => {
      const { sut } = newTestJournal(journalPath());
      const payload = {
        _id: new Types.ObjectId(),
        schoolId: new Types.ObjectId(),
        name: 'Ada Moss',
        appointedAt: new Date('2024-09-01T08:00:00Z'),
        subjectIds: [new Types.ObjectId(), new Types.ObjectId()],
        address: { city: 'Leeds', since: new Date('2020-01-01T00:00:00Z') },
        email: null,
        active: true,
        floors: 3,
        ratio: 1.5,
        visitors: 2 ** 40,
      };

      const appended = sut.append('teachers', 'insert', payload._id.toHexString(), payload);
      const [stored] = sut.pending();

      expect(appended.payload).toEqual(payload);
      expect(stored.payload).toEqual(payload);
      expect(stored.payload?._id).toBeInstanceOf(Types.ObjectId);
      expect((stored.payload?._id as Types.ObjectId).equals(payload._id)).toBe(true);
      expect((stored.payload?.subjectIds as Types.ObjectId[])[1].equals(payload.subjectIds[1])).toBe(true);
      expect(stored.payload?.appointedAt).toBeInstanceOf(Date);
      expect((stored.payload?.address as { since: Date }).since).toEqual(payload.address.since);
      expect(stored.payload?.floors).toBe(3);
      expect(stored.payload?.visitors).toBe(2 ** 40);
    });

    it('marks an entry applied: no longer pending, the attempt counted', () => {
      const { sut } = newTestJournal(journalPath());
      const first = sut.append('schools', 'insert', 'a0000000000000000000000a', { name: 'Hill School' });
      const second = sut.append('schools', 'delete', 'c0000000000000000000000c');

      sut.markApplied(first.seq);

      expect(sut.pending()).toEqual([second]);
      expect(sut.failed()).toEqual([]);
      expect(sut.counts()).toEqual({ pending: 1, applied: 1, failed: 0, superseded: 0 });
    });

    it('marks an entry failed with its reason, when it ended and the attempt counted', () => {
      const { sut } = newTestJournal(journalPath());
      const entry = sut.append('teachers', 'update', 'b0000000000000000000000b', { lastName: 'Moss' });
      jest.advanceTimersByTime(1000);

      sut.markFailed(entry.seq, 'teachers b0000000000000000000000b was deleted meanwhile');

      expect(sut.pending()).toEqual([]);
      expect(sut.failed()).toEqual([
        {
          ...entry,
          status: 'failed',
          error: 'teachers b0000000000000000000000b was deleted meanwhile',
          attempts: 1,
          finishedAt: later(1000),
        },
      ]);
      expect(sut.counts()).toEqual({ pending: 0, applied: 0, failed: 1, superseded: 0 });
    });

    it('records an attempt the database could not take: the entry stays pending with the reason', () => {
      const { sut } = newTestJournal(journalPath());
      const entry = sut.append('schools', 'insert', 'a0000000000000000000000a', { name: 'Hill School' });

      sut.recordAttempt(entry.seq, 'MongoNetworkError: connect ECONNREFUSED');
      sut.recordAttempt(entry.seq, 'operation timed out');

      expect(sut.pending()).toEqual([
        { ...entry, status: 'pending', error: 'operation timed out', attempts: 2, finishedAt: undefined },
      ]);
      expect(sut.hasPending()).toBe(true);

      sut.markFailed(entry.seq, 'E11000 duplicate key');
      expect(sut.failed()).toEqual([
        expect.objectContaining({ status: 'failed', error: 'E11000 duplicate key', attempts: 3 }),
      ]);
    });

    it('keeps the version an update was based on: when it was accepted, the base updatedAt and base values', () => {
      const { sut } = newTestJournal(journalPath());
      const baseUpdatedAt = new Date('2026-11-29T08:00:00.123Z');
      const schoolId = new Types.ObjectId();
      jest.advanceTimersByTime(5);

      const appended = sut.append(
        'teachers',
        'update',
        'b0000000000000000000000b',
        { phone: '+1 555 0101', schoolId, updatedAt: START },
        { acceptedAt: START, baseUpdatedAt, baseValues: { phone: '+1 555 0100', schoolId: new Types.ObjectId() } },
      );
      const [stored] = sut.pending();

      expect(stored).toEqual(appended);
      expect(stored).toMatchObject({ acceptedAt: START, createdAt: START, baseUpdatedAt });
      expect(stored.baseValues?.phone).toBe('+1 555 0100');
      expect(stored.baseValues?.schoolId).toBeInstanceOf(Types.ObjectId);
      expect(sut.append('teachers', 'delete', 'c0000000000000000000000c', undefined, { baseUpdatedAt })).toMatchObject({
        acceptedAt: later(5),
        baseUpdatedAt,
        baseValues: undefined,
      });
    });

    it('marks an entry superseded with the later write that won, apart from the failed ones', () => {
      const { sut } = newTestJournal(journalPath());
      const failed = sut.append('teachers', 'delete', 'a0000000000000000000000a');
      const lost = sut.append('teachers', 'update', 'b0000000000000000000000b', { phone: '+1 555 0101' });
      const partly = sut.append('teachers', 'update', 'c0000000000000000000000c', { phone: '+1 555 0102' });
      const winner = { updatedAt: later(1000), fields: { phone: '+1 555 0199' } };
      jest.advanceTimersByTime(2000);

      sut.markFailed(failed.seq, 'gone');
      sut.markSuperseded(lost.seq, 'a later write changed phone', winner);
      sut.markApplied(partly.seq, { updatedAt: later(1500), fields: { status: 'left' } });

      expect(sut.superseded()).toEqual([
        {
          ...lost,
          status: 'superseded',
          error: 'a later write changed phone',
          attempts: 1,
          finishedAt: later(2000),
          supersededBy: winner,
        },
      ]);
      expect(sut.superseded()[0].supersededBy?.updatedAt).toBeInstanceOf(Date);
      expect(sut.failed().map((entry) => entry.seq)).toEqual([failed.seq]);
      expect(sut.withStatus(['superseded', 'failed']).map((entry) => entry.seq)).toEqual([failed.seq, lost.seq]);
      expect(sut.counts()).toEqual({ pending: 0, applied: 1, failed: 1, superseded: 1 });
      expect(sut.hasPending()).toBe(false);
    });

    it('says whether any entry is pending', () => {
      const { sut } = newTestJournal(journalPath());
      const first = sut.append('schools', 'delete', 'a0000000000000000000000a');
      const second = sut.append('schools', 'delete', 'c0000000000000000000000c');

      sut.markApplied(first.seq);
      expect(sut.hasPending()).toBe(true);

      sut.markFailed(second.seq, 'no collection schools is registered');
      expect(sut.hasPending()).toBe(false);

      sut.append('schools', 'delete', 'd0000000000000000000000d');
      expect(sut.hasPending()).toBe(true);
    });
  });

  describe('a journal file written by the previous version (schema 0)', () => {
    const journalPath = () => join(directory, 'journal.sqlite');
    const updatePayload = { hiredAt: { $date: '2026-11-30T11:00:00Z' } };

    /** The journal as the previous version created and filled it: no base versions, no status superseded. */
    function writeVersion0Journal(): void {
      const db = new Database(journalPath());
      db.pragma('journal_mode = WAL');
      db.exec(`
        CREATE TABLE journal (
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
        CREATE INDEX journal_status ON journal (status, seq);
      `);
      const append = db.prepare(
        'INSERT INTO journal (collection, operation, document_id, payload, status, error, attempts, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      append.run(
        'teachers',
        'delete',
        'a0000000000000000000000a',
        null,
        'applied',
        null,
        1,
        '2026-11-30T10:00:00.000Z',
        '2026-11-30T10:05:00.000Z',
      );
      append.run(
        'teachers',
        'delete',
        'c0000000000000000000000c',
        null,
        'failed',
        'gone',
        1,
        '2026-11-30T10:01:00.000Z',
        '2026-11-30T10:05:00.000Z',
      );
      append.run(
        'teachers',
        'update',
        'b0000000000000000000000b',
        JSON.stringify(updatePayload),
        'pending',
        'timed out',
        2,
        '2026-11-30T11:00:00.000Z',
        null,
      );
      append.run(
        'teachers',
        'delete',
        'd0000000000000000000000d',
        null,
        'pending',
        null,
        0,
        '2026-11-30T11:00:01.000Z',
        null,
      );
      expect(db.pragma('user_version', { simple: true })).toBe(0);
      db.close();
    }

    it('opens it with every entry as it was: the pending ones still pending, in order, accepted when they were', () => {
      writeVersion0Journal();

      const { sut } = newTestJournal(journalPath());

      expect(sut.pending()).toEqual([
        expect.objectContaining({
          seq: 3,
          operation: 'update',
          documentId: 'b0000000000000000000000b',
          payload: { hiredAt: new Date('2026-11-30T11:00:00Z') },
          status: 'pending',
          error: 'timed out',
          attempts: 2,
          acceptedAt: new Date('2026-11-30T11:00:00.000Z'),
          baseUpdatedAt: undefined,
          baseValues: undefined,
        }),
        expect.objectContaining({ seq: 4, operation: 'delete', acceptedAt: new Date('2026-11-30T11:00:01.000Z') }),
      ]);
      expect(sut.failed()).toEqual([expect.objectContaining({ seq: 2, error: 'gone' })]);
      expect(sut.counts()).toEqual({ pending: 2, applied: 1, failed: 1, superseded: 0 });
    });

    it('takes the new status and columns after the migration, numbering new entries after the old ones', () => {
      writeVersion0Journal();
      const { sut } = newTestJournal(journalPath());
      const [update] = sut.pending();

      sut.markSuperseded(update.seq, 'a later write changed phone', { updatedAt: START, fields: { phone: 'x' } });
      const appended = sut.append('teachers', 'delete', 'e0000000000000000000000e', undefined, {
        baseUpdatedAt: START,
      });

      expect(sut.superseded()).toEqual([expect.objectContaining({ seq: update.seq, status: 'superseded' })]);
      expect(appended).toMatchObject({ seq: 5, baseUpdatedAt: START });
    });

    it('migrates once, keeping the migrated entries across a restart', () => {
      writeVersion0Journal();
      const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      const { sut: first } = newTestJournal(journalPath());
      const [update] = first.pending();
      first.markSuperseded(update.seq, 'a later write changed phone', { updatedAt: START, fields: { phone: 'x' } });
      close(first);

      const { sut } = newTestJournal(journalPath());

      expect(log).toHaveBeenCalledTimes(1);
      expect(log).toHaveBeenCalledWith(`The journal ${journalPath()} was brought to schema 1`);
      expect(sut.counts()).toEqual({ pending: 1, applied: 1, failed: 1, superseded: 1 });
      const reader = new Database(journalPath(), { readonly: true });
      expect(reader.pragma('user_version', { simple: true })).toBe(1);
      reader.close();
    });

    it('refuses a journal written by a newer version, leaving it untouched', () => {
      const db = new Database(journalPath());
      db.pragma('user_version = 7');
      db.close();

      expect(() => newTestJournal(journalPath())).toThrow(/written by a newer version \(schema 7\)/);
      const reader = new Database(journalPath(), { readonly: true });
      expect(reader.pragma('user_version', { simple: true })).toBe(7);
      expect(reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([]);
      reader.close();
    });
  });

  describe('durability', () => {
    const journalPath = () => join(directory, 'journal.sqlite');

    it('keeps every entry across closing and reopening its file, the pending ones still pending and in order', () => {
      const { sut: before } = newTestJournal(journalPath());
      const schoolId = new Types.ObjectId();
      const inserted = before.append('schools', 'insert', schoolId.toHexString(), {
        _id: schoolId,
        name: 'Hill School',
        createdAt: START,
      });
      const applied = before.append('schools', 'delete', 'c0000000000000000000000c');
      const failed = before.append('schools', 'delete', 'd0000000000000000000000d');
      const updated = before.append('schools', 'update', schoolId.toHexString(), { name: 'Hill Academy' });
      before.markApplied(applied.seq);
      before.markFailed(failed.seq, 'gone');
      before.recordAttempt(inserted.seq, 'operation timed out');
      const failedBefore = before.failed();
      close(before);

      const { sut } = newTestJournal(journalPath());

      expect(sut.pending()).toEqual([{ ...inserted, attempts: 1, error: 'operation timed out' }, updated]);
      expect((sut.pending()[0].payload?._id as Types.ObjectId).equals(schoolId)).toBe(true);
      expect(sut.failed()).toEqual(failedBefore);
      expect(sut.counts()).toEqual({ pending: 2, applied: 1, failed: 1, superseded: 0 });
      expect(sut.hasPending()).toBe(true);
      expect(sut.append('schools', 'delete', 'e0000000000000000000000e').seq).toBeGreaterThan(updated.seq);
    });

    it('warns at start when writes from an earlier outage still wait', () => {
      const { sut: before } = newTestJournal(journalPath());
      before.append('schools', 'delete', 'c0000000000000000000000c');
      before.append('schools', 'delete', 'd0000000000000000000000d');
      close(before);
      expect(warn).not.toHaveBeenCalled();

      newTestJournal(journalPath());

      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(`2 write(s) from an earlier outage wait in the journal ${journalPath()}`);
    });

    it('does not warn when nothing waits', () => {
      const { sut: before } = newTestJournal(journalPath());
      before.markApplied(before.append('schools', 'delete', 'c0000000000000000000000c').seq);
      close(before);

      newTestJournal(journalPath());

      expect(warn).not.toHaveBeenCalled();
    });
  });
});
