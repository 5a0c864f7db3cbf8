import { InvalidInputError } from '../common/errors/domain-errors';
import type { DatabaseCircuit } from './database-circuit';
import { FallbackAdminController } from './fallback-admin.controller';
import type { FallbackHealth } from './fallback-health';
import { configWith, fallbackTestLifecycle, START } from './testing/fallback-test-kit';

describe(FallbackAdminController.name, () => {
  const { openJournal } = fallbackTestLifecycle();

  function newTestController() {
    const journal = openJournal(configWith({}));
    const sut = new FallbackAdminController({} as FallbackHealth, journal, {} as DatabaseCircuit);
    const failed = journal.append('teachers', 'delete', 'a0000000000000000000000a');
    const pending = journal.append('teachers', 'delete', 'b0000000000000000000000b');
    const superseded = journal.append('teachers', 'update', 'c0000000000000000000000c', { phone: '+1 555 0101' });
    const applied = journal.append('teachers', 'delete', 'd0000000000000000000000d');
    journal.markFailed(failed.seq, 'gone');
    journal.markSuperseded(superseded.seq, 'a later write changed phone', {
      updatedAt: START,
      fields: { phone: '+1 555 0102' },
    });
    journal.markApplied(applied.seq);
    return { sut, seqs: { failed: failed.seq, pending: pending.seq, superseded: superseded.seq } };
  }

  describe('journalEntries', () => {
    it('lists the writes that did not take effect by default: failed and superseded, in order', () => {
      const { sut, seqs } = newTestController();

      const answer = sut.journalEntries();

      expect(answer.status).toBe('failed,superseded');
      expect(answer.entries.map((entry) => [entry.seq, entry.status])).toEqual([
        [seqs.failed, 'failed'],
        [seqs.superseded, 'superseded'],
      ]);
      expect(answer.entries[1].supersededBy).toEqual({ updatedAt: START, fields: { phone: '+1 555 0102' } });
    });

    it.each([
      ['failed', ['failed']],
      ['superseded', ['superseded']],
      ['pending', ['pending']],
      ['pending,failed', ['failed', 'pending']],
    ])('lists the entries of status=%s', (status, statuses) => {
      const { sut } = newTestController();

      expect(sut.journalEntries(status).entries.map((entry) => entry.status)).toEqual(statuses);
    });

    it.each([['applied'], ['failed,'], [''], [['failed', 'pending']]])('refuses status=%p', (status) => {
      const { sut } = newTestController();

      expect(() => sut.journalEntries(status)).toThrow(InvalidInputError);
    });
  });
});
