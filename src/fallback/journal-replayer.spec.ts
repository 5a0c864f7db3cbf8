import { ConflictError } from '../common/errors/domain-errors';
import type { JournalledWrite, ReplayableStore } from '../common/persistence/collection-store';
import type { MetricsService } from '../metrics/metrics.service';
import { DatabaseCircuit } from './database-circuit';
import type { FallbackRegistry } from './fallback-registry';
import { JournalReplayer } from './journal-replayer';
import {
  configWith,
  databaseFailure,
  fallbackTestLifecycle,
  newDatabaseFaults,
  START,
} from './testing/fallback-test-kit';

const ADA_ID = 'a0000000000000000000000a';
const BEN_ID = 'b0000000000000000000000b';
const CLEO_ID = 'c0000000000000000000000c';
const HILL_SCHOOL_ID = 'd0000000000000000000000d';

type StoredFields = Record<string, unknown>;
type ReplayOutcome = Awaited<ReturnType<ReplayableStore<unknown>['applyJournalled']>>;

/**
 * A collection's store chain as the replay sees it: records by id, idempotent as the real chain is (an insert of a
 * stored id leaves it as it is, an update sets fields, a delete of what is gone succeeds), a unique `email`, and a
 * database that can be down or slow. Keeps every write it was asked to apply.
 */
function newFakeCollection(collection: string, records: Record<string, StoredFields> = {}) {
  const stored = new Map(Object.entries(records));
  const asked: JournalledWrite[] = [];
  const faults = newDatabaseFaults();

  function apply(write: JournalledWrite): ReplayOutcome {
    const { operation, documentId, payload = {} } = write;
    switch (operation) {
      case 'insert': {
        if (stored.has(documentId)) return { applied: true };
        const clash = [...stored.values()].some((record) => payload.email && record.email === payload.email);
        if (clash) throw new ConflictError('a teacher with this email already exists', 'email');
        stored.set(documentId, { ...payload });
        return { applied: true };
      }
      case 'update': {
        const existing = stored.get(documentId);
        if (!existing) return { applied: false, reason: `${collection} ${documentId} was deleted meanwhile` };
        stored.set(documentId, { ...existing, ...payload });
        return { applied: true };
      }
      case 'delete':
        stored.delete(documentId);
        return { applied: true };
    }
  }

  const target = {
    applyJournalled: jest.fn(async (write: JournalledWrite): Promise<ReplayOutcome> => {
      asked.push(write);
      await faults.pass();
      return apply(write);
    }),
  };
  return {
    target,
    stored,
    asked,
    // hold(): the replay waits inside its current entry.
    ...faults,
  };
}

/** Lets every promise that can settle now settle (no timer is due). */
const settle = () => jest.advanceTimersByTimeAsync(0);

describe(JournalReplayer.name, () => {
  const { openJournal, logs } = fallbackTestLifecycle();

  function newTestReplayer() {
    const config = configWith({});
    const journal = openJournal(config);
    const circuit = new DatabaseCircuit(config);
    const teachers = newFakeCollection('teachers', {
      [ADA_ID]: { name: 'Ada Moss', email: 'ada.moss@school.test' },
      [BEN_ID]: { name: 'Ben Hill', email: 'ben.hill@school.test' },
    });
    const schools = newFakeCollection('schools', { [HILL_SCHOOL_ID]: { name: 'Hill School' } });
    const targets: Record<string, { applyJournalled: ReplayableStore<unknown>['applyJournalled'] }> = {
      teachers: teachers.target,
      schools: schools.target,
    };
    /** How many entries were still pending each time the overlays were rebuilt. */
    const pendingAtRebuild: number[] = [];
    const registry = {
      replayTarget: jest.fn((collection: string) => targets[collection]),
      rebuildOverlays: jest.fn(() => pendingAtRebuild.push(journal.pending().length)),
    };
    const metrics = { journalReplayed: { inc: jest.fn() } };
    const sut = new JournalReplayer(
      journal,
      registry as unknown as FallbackRegistry,
      circuit,
      metrics as unknown as MetricsService,
    );
    return { sut, journal, circuit, teachers, schools, registry, pendingAtRebuild, metrics };
  }

  describe('replay', () => {
    it('applies pending entries in order, each once, through their collection, marks them applied and then rebuilds the overlays', async () => {
      const { sut, journal, teachers, schools, registry, pendingAtRebuild, metrics } = newTestReplayer();
      const entries = [
        journal.append('teachers', 'insert', CLEO_ID, { name: 'Cleo Park', email: 'cleo.park@school.test' }),
        journal.append('schools', 'update', HILL_SCHOOL_ID, { name: 'Hill Academy' }),
        journal.append('teachers', 'update', CLEO_ID, { name: 'Cleo Moss' }),
        journal.append('teachers', 'delete', BEN_ID),
      ];

      await sut.replay();

      const write = ({ operation, documentId, payload }: JournalledWrite) => ({ operation, documentId, payload });
      expect(teachers.asked.map(write)).toEqual([entries[0], entries[2], entries[3]].map(write));
      expect(schools.asked.map(write)).toEqual([write(entries[1])]);
      expect(teachers.target.applyJournalled.mock.invocationCallOrder[1]).toBeGreaterThan(
        schools.target.applyJournalled.mock.invocationCallOrder[0],
      );
      expect(Object.fromEntries(teachers.stored)).toEqual({
        [ADA_ID]: { name: 'Ada Moss', email: 'ada.moss@school.test' },
        [CLEO_ID]: { name: 'Cleo Moss', email: 'cleo.park@school.test' },
      });
      expect(schools.stored.get(HILL_SCHOOL_ID)).toEqual({ name: 'Hill Academy' });
      expect(journal.counts()).toEqual({ pending: 0, applied: 4, failed: 0, superseded: 0 });
      expect(registry.rebuildOverlays).toHaveBeenCalledTimes(1);
      expect(pendingAtRebuild).toEqual([0]);
      expect(metrics.journalReplayed.inc).toHaveBeenCalledTimes(4);
      expect(metrics.journalReplayed.inc).toHaveBeenCalledWith({ outcome: 'applied' });
    });

    it('leaves entries already applied or failed alone', async () => {
      const { sut, journal, teachers, registry } = newTestReplayer();
      journal.append('teachers', 'delete', BEN_ID);
      await sut.replay();
      journal.markFailed(journal.append('teachers', 'delete', ADA_ID).seq, 'refused earlier');

      await sut.replay();

      expect(teachers.asked).toHaveLength(1);
      expect(teachers.stored.has(ADA_ID)).toBe(true);
      expect(registry.rebuildOverlays).toHaveBeenCalledTimes(1);
    });

    it('does nothing when nothing is pending', async () => {
      const { sut, registry } = newTestReplayer();

      await sut.replay();

      expect(registry.replayTarget).not.toHaveBeenCalled();
      expect(registry.rebuildOverlays).not.toHaveBeenCalled();
    });
  });

  describe('an entry refused for a reason of its own', () => {
    it('marks an update of a record deleted meanwhile failed with the reason, and goes on with the next', async () => {
      const { sut, journal, teachers, registry, metrics } = newTestReplayer();
      const gone = journal.append('teachers', 'update', CLEO_ID, { name: 'Cleo Moss' });
      journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });
      jest.advanceTimersByTime(250);

      await sut.replay();

      expect(journal.failed()).toEqual([
        {
          ...gone,
          status: 'failed',
          error: `teachers ${CLEO_ID} was deleted meanwhile`,
          attempts: 1,
          finishedAt: new Date(START.getTime() + 250),
        },
      ]);
      expect(teachers.stored.get(ADA_ID)?.name).toBe('Ada Hill');
      expect(journal.counts()).toEqual({ pending: 0, applied: 1, failed: 1, superseded: 0 });
      expect(metrics.journalReplayed.inc).toHaveBeenCalledWith({ outcome: 'failed' });
      expect(registry.rebuildOverlays).toHaveBeenCalledTimes(1);
    });

    it('marks an entry the database refuses with a domain error (a unique clash) failed with its message, and goes on', async () => {
      const { sut, journal, teachers } = newTestReplayer();
      // Accepted during the outage, while someone else took the address in the database.
      const clash = journal.append('teachers', 'insert', CLEO_ID, { name: 'Cleo Park', email: 'ada.moss@school.test' });
      journal.append('teachers', 'delete', BEN_ID);

      await sut.replay();

      expect(journal.failed()).toEqual([
        expect.objectContaining({ seq: clash.seq, error: 'a teacher with this email already exists' }),
      ]);
      expect(teachers.stored.has(CLEO_ID)).toBe(false);
      expect(teachers.stored.has(BEN_ID)).toBe(false);
      expect(journal.counts()).toEqual({ pending: 0, applied: 1, failed: 1, superseded: 0 });
    });

    it('marks an entry of a collection no longer registered failed, and goes on', async () => {
      const { sut, journal } = newTestReplayer();
      const orphan = journal.append('classrooms', 'delete', CLEO_ID);
      journal.append('teachers', 'delete', BEN_ID);

      await sut.replay();

      expect(journal.failed()).toEqual([
        expect.objectContaining({ seq: orphan.seq, error: 'no collection classrooms is registered' }),
      ]);
      expect(journal.counts().applied).toBe(1);
    });

    it('marks an entry that fails with an unexpected error failed, naming the error', async () => {
      const { sut, journal, teachers } = newTestReplayer();
      const broken = journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });
      journal.append('teachers', 'delete', BEN_ID);
      teachers.target.applyJournalled.mockRejectedValueOnce(new TypeError('Cannot read properties of undefined'));

      await sut.replay();

      expect(journal.failed()).toEqual([
        expect.objectContaining({ seq: broken.seq, error: 'TypeError: Cannot read properties of undefined' }),
      ]);
      expect(journal.counts().applied).toBe(1);
    });
  });

  describe('an entry a later write won', () => {
    const winner = { updatedAt: new Date(START.getTime() + 1000), fields: { name: 'Ada Park' } };

    it('marks an entry whose every field a later write won superseded, with the winner, and goes on', async () => {
      const { sut, journal, teachers, metrics, registry } = newTestReplayer();
      const lost = journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });
      journal.append('teachers', 'delete', BEN_ID);
      teachers.target.applyJournalled.mockResolvedValueOnce({
        applied: false,
        reason: 'a later write changed name',
        supersededBy: winner,
      });
      jest.advanceTimersByTime(250);

      await sut.replay();

      expect(journal.superseded()).toEqual([
        {
          ...lost,
          status: 'superseded',
          error: 'a later write changed name',
          attempts: 1,
          finishedAt: new Date(START.getTime() + 250),
          supersededBy: winner,
        },
      ]);
      expect(teachers.stored.has(BEN_ID)).toBe(false);
      expect(journal.counts()).toEqual({ pending: 0, applied: 1, failed: 0, superseded: 1 });
      expect(metrics.journalReplayed.inc).toHaveBeenCalledWith({ outcome: 'superseded' });
      expect(metrics.journalReplayed.inc).not.toHaveBeenCalledWith({ outcome: 'failed' });
      expect(logs.warn).toHaveBeenCalledWith(
        expect.objectContaining({ event: 'journal.replay.superseded', seq: lost.seq, fields: ['name'] }),
        `Journalled update of teachers ${ADA_ID} (accepted ${START.toISOString()}) is superseded: ` +
          `a later write (updatedAt ${winner.updatedAt.toISOString()}) changed name`,
      );
      expect(registry.rebuildOverlays).toHaveBeenCalledTimes(1);
    });

    it('marks an entry a later write won only some fields of applied, noting the fields it lost', async () => {
      const { sut, journal, teachers, metrics } = newTestReplayer();
      const partly = journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill', email: 'ada.hill@school.test' });
      teachers.target.applyJournalled.mockResolvedValueOnce({ applied: true, supersededBy: winner });

      await sut.replay();

      expect(journal.withStatus(['applied'])).toEqual([
        expect.objectContaining({ seq: partly.seq, status: 'applied', error: undefined, supersededBy: winner }),
      ]);
      expect(journal.counts()).toEqual({ pending: 0, applied: 1, failed: 0, superseded: 0 });
      expect(metrics.journalReplayed.inc).toHaveBeenCalledWith({ outcome: 'applied' });
      expect(logs.warn).toHaveBeenCalledWith(
        expect.objectContaining({ event: 'journal.replay.superseded' }),
        expect.stringContaining('was applied except name: a later write'),
      );
    });
  });

  describe('a database failure', () => {
    it('pauses the replay at its entry: that entry stays pending with the attempt recorded, the rest untouched', async () => {
      const { sut, journal, teachers, schools, registry } = newTestReplayer();
      const applied = journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });
      const paused = journal.append('schools', 'update', HILL_SCHOOL_ID, { name: 'Hill Academy' });
      const waiting = journal.append('teachers', 'delete', BEN_ID);
      schools.goDown(databaseFailure('connection 4 to 127.0.0.1:27017 closed'));

      await sut.replay();

      expect(journal.pending()).toEqual([
        { ...paused, attempts: 1, error: 'MongoNetworkError: connection 4 to 127.0.0.1:27017 closed' },
        waiting,
      ]);
      expect(journal.counts()).toEqual({ pending: 2, applied: 1, failed: 0, superseded: 0 });
      expect(teachers.asked.map((write) => write.documentId)).toEqual([applied.documentId]);
      expect(teachers.stored.has(BEN_ID)).toBe(true);
      expect(registry.rebuildOverlays).not.toHaveBeenCalled();
    });

    it('resumes from the paused entry on a later replay', async () => {
      const { sut, journal, teachers, schools, registry } = newTestReplayer();
      journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });
      journal.append('schools', 'update', HILL_SCHOOL_ID, { name: 'Hill Academy' });
      journal.append('teachers', 'delete', BEN_ID);
      schools.goDown();
      await sut.replay();
      await sut.replay();
      expect(schools.asked).toHaveLength(2);
      expect(journal.pending()[0]).toMatchObject({ collection: 'schools', attempts: 2 });

      schools.comeBack();
      await sut.replay();

      expect(teachers.asked.map((write) => write.documentId)).toEqual([ADA_ID, BEN_ID]);
      expect(schools.asked).toHaveLength(3);
      expect(schools.stored.get(HILL_SCHOOL_ID)).toEqual({ name: 'Hill Academy' });
      expect(journal.counts()).toEqual({ pending: 0, applied: 3, failed: 0, superseded: 0 });
      expect(registry.rebuildOverlays).toHaveBeenCalledTimes(1);
    });
  });

  describe('after a crash between applying an entry and marking it', () => {
    it('applies the entries again without duplicating anything, and marks them applied', async () => {
      const { sut, journal, teachers } = newTestReplayer();
      const cleo = { name: 'Cleo Park', email: 'cleo.park@school.test' };
      journal.append('teachers', 'insert', CLEO_ID, cleo);
      journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });
      journal.append('teachers', 'delete', BEN_ID);
      // The process that replayed them before reached the database with each, then died before marking any.
      for (const entry of journal.pending()) await teachers.target.applyJournalled(entry);
      const afterCrash = structuredClone(Object.fromEntries(teachers.stored));
      teachers.asked.length = 0;

      await sut.replay();

      expect(teachers.asked).toHaveLength(3);
      expect(Object.fromEntries(teachers.stored)).toEqual(afterCrash);
      expect(Object.fromEntries(teachers.stored)).toEqual({
        [ADA_ID]: { name: 'Ada Hill', email: 'ada.moss@school.test' },
        [CLEO_ID]: cleo,
      });
      expect(journal.counts()).toEqual({ pending: 0, applied: 3, failed: 0, superseded: 0 });
    });
  });

  describe('runs', () => {
    it('shares one run between concurrent replay calls', async () => {
      const { sut, journal, teachers, registry } = newTestReplayer();
      journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });
      journal.append('teachers', 'delete', BEN_ID);
      const release = teachers.hold();

      const first = sut.replay();
      await settle();
      const second = sut.replay();
      await settle();
      expect(teachers.asked).toHaveLength(1);

      release();
      await Promise.all([first, second]);

      expect(teachers.asked.map((write) => write.documentId)).toEqual([ADA_ID, BEN_ID]);
      expect(journal.counts()).toEqual({ pending: 0, applied: 2, failed: 0, superseded: 0 });
      expect(registry.rebuildOverlays).toHaveBeenCalledTimes(1);
    });

    it('starts a new run once the previous one has ended', async () => {
      const { sut, journal, teachers } = newTestReplayer();
      journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });
      await sut.replay();

      journal.append('teachers', 'delete', BEN_ID);
      await sut.replay();

      expect(teachers.asked.map((write) => write.documentId)).toEqual([ADA_ID, BEN_ID]);
      expect(journal.counts().applied).toBe(2);
    });

    it('stops after the current entry on onModuleDestroy, which waits for it, and replays no more', async () => {
      const { sut, journal, teachers, registry } = newTestReplayer();
      journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });
      journal.append('teachers', 'delete', BEN_ID);
      const release = teachers.hold();
      const run = sut.replay();
      await settle();

      let destroyed = false;
      const destroying = sut.onModuleDestroy().then(() => (destroyed = true));
      await settle();
      expect(destroyed).toBe(false);
      release();
      await destroying;
      await run;

      expect(teachers.asked.map((write) => write.documentId)).toEqual([ADA_ID]);
      expect(journal.counts()).toEqual({ pending: 1, applied: 1, failed: 0, superseded: 0 });
      expect(registry.rebuildOverlays).not.toHaveBeenCalled();
      await sut.replay();
      expect(teachers.asked).toHaveLength(1);
    });
  });

  describe('triggers', () => {
    async function degrade(circuit: DatabaseCircuit): Promise<void> {
      await expect(circuit.execute(() => Promise.reject(databaseFailure()))).rejects.toThrow('ECONNREFUSED');
      expect(circuit.degraded).toBe(true);
    }

    it('replays as soon as the circuit recovers', async () => {
      const { sut, journal, circuit, teachers } = newTestReplayer();
      sut.onApplicationBootstrap();
      await degrade(circuit);
      journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });
      await settle();
      expect(teachers.asked).toHaveLength(0);

      circuit.probeSucceeded();
      await settle();

      expect(teachers.asked).toHaveLength(1);
      expect(journal.counts()).toEqual({ pending: 0, applied: 1, failed: 0, superseded: 0 });
    });

    it('replays entries left from before a restart within a second of start', async () => {
      const { sut, journal, teachers } = newTestReplayer();
      journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });

      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(999);
      expect(teachers.asked).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);

      expect(teachers.asked).toHaveLength(1);
      expect(journal.counts()).toEqual({ pending: 0, applied: 1, failed: 0, superseded: 0 });
    });

    it('does not retry while the circuit is degraded', async () => {
      const { sut, journal, circuit, teachers } = newTestReplayer();
      sut.onApplicationBootstrap();
      await degrade(circuit);
      journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });

      await jest.advanceTimersByTimeAsync(5000);

      expect(teachers.asked).toHaveLength(0);
      expect(journal.counts().pending).toBe(1);
    });

    it('stops retrying on onModuleDestroy', async () => {
      const { sut, journal, teachers } = newTestReplayer();
      sut.onApplicationBootstrap();
      await sut.onModuleDestroy();
      journal.append('teachers', 'update', ADA_ID, { name: 'Ada Hill' });

      await jest.advanceTimersByTimeAsync(5000);

      expect(teachers.asked).toHaveLength(0);
    });
  });
});
