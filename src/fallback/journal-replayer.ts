import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-errors';
import type { LaterWrite, ReplayOutcome } from '../common/persistence/collection-store';
import { MetricsService } from '../metrics/metrics.service';
import { DatabaseCircuit } from './database-circuit';
import { describeFailure, isDatabaseFailure } from './database-failure';
import { FallbackRegistry } from './fallback-registry';
import { JournalEntry, WriteJournal } from './write-journal';

/** How often pending entries are retried while the circuit is closed (a recovery also triggers a replay at once). */
const REPLAY_INTERVAL_MS = 1000;

/**
 * Replays the write journal to MongoDB once the database answers again: in order, each entry once, through the
 * collection's whole store chain (so the edge purges what a replayed write changes, as for any write).
 * Every step is idempotent (inserts keep their ids, updates set fields, deletes of what is gone succeed),
 * so a crash between applying an entry and marking it duplicates nothing. An entry the database
 * refuses for a reason of its own (its document deleted meanwhile, a unique clash) is marked failed
 * with the reason and listed on the admin endpoint; replay goes on with the next. Writes of several instances
 * converge whatever order they replay in: a later accepted write wins field by field, and an entry whose every
 * field a later write won is marked superseded, with what the later write left (see journal-replay-rule.ts).
 */
@Injectable()
export class JournalReplayer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('JournalReplayer');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly journal: WriteJournal,
    private readonly registry: FallbackRegistry,
    private readonly circuit: DatabaseCircuit,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.circuit.events.on('recovered', () => void this.replay());
    this.timer = setInterval(() => {
      if (!this.circuit.degraded && this.journal.hasPending()) void this.replay();
    }, REPLAY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops replaying: a run in progress ends after its current entry (the journal closes after this). */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Replays pending entries; concurrent calls share one run. */
  async replay(): Promise<void> {
    if (this.stopping) return;
    this.running ??= this.replayPending().finally(() => (this.running = undefined));
    return this.running;
  }

  private async replayPending(): Promise<void> {
    if (!this.journal.hasPending()) return;
    // A write abandoned at its ceiling may still land when the database answers again: replay after it.
    await this.circuit.abandonedSettled();
    const pending = this.journal.pending();
    if (pending.length === 0) return;
    this.logger.log(
      { event: 'journal.replay.start', pending: pending.length },
      `Replaying ${pending.length} journalled write(s)`,
    );
    let applied = 0;
    let failed = 0;
    let superseded = 0;
    for (const entry of pending) {
      if (this.stopping) return;
      try {
        const outcome = await this.apply(entry);
        if (outcome.applied) {
          this.journal.markApplied(entry.seq, outcome.supersededBy);
          applied++;
          this.metrics.journalReplayed.inc({ outcome: 'applied' });
          if (outcome.supersededBy) this.logSuperseded(entry, outcome.supersededBy, false);
        } else if (outcome.supersededBy) {
          this.journal.markSuperseded(entry.seq, outcome.reason, outcome.supersededBy);
          superseded++;
          this.metrics.journalReplayed.inc({ outcome: 'superseded' });
          this.logSuperseded(entry, outcome.supersededBy, true);
        } else {
          this.fail(entry, outcome.reason);
          failed++;
        }
      } catch (error) {
        if (isDatabaseFailure(error)) {
          this.journal.recordAttempt(entry.seq, describeFailure(error));
          this.logger.warn(`Replay paused at entry ${entry.seq}: ${describeFailure(error)}`);
          return;
        }
        this.fail(entry, error instanceof DomainError ? error.message : describeFailure(error));
        failed++;
      }
    }
    this.registry.rebuildOverlays();
    this.logger.log(
      { event: 'journal.replay.end', applied, failed, superseded },
      `Journal replayed: ${applied} applied, ${failed} failed, ${superseded} superseded by later writes`,
    );
  }

  private async apply(entry: JournalEntry): Promise<ReplayOutcome> {
    const target = this.registry.replayTarget(entry.collection);
    if (!target) return { applied: false, reason: `no collection ${entry.collection} is registered` };
    return target.applyJournalled(entry);
  }

  /** A later write (of another instance, or made directly in the database) won some or all fields of the entry. */
  private logSuperseded(entry: JournalEntry, later: LaterWrite, whole: boolean): void {
    const fields = Object.keys(later.fields);
    const what = entry.operation === 'delete' ? 'the record' : fields.join(', ');
    const outcome = whole ? 'is superseded' : `was applied except ${what}`;
    this.logger.warn(
      {
        event: 'journal.replay.superseded',
        seq: entry.seq,
        collection: entry.collection,
        documentId: entry.documentId,
        acceptedAt: entry.createdAt.toISOString(),
        laterUpdatedAt: later.updatedAt,
        fields,
      },
      `Journalled ${entry.operation} of ${entry.collection} ${entry.documentId} (accepted ` +
        `${entry.createdAt.toISOString()}) ${outcome}: a later write (updatedAt ` +
        `${later.updatedAt?.toISOString() ?? 'unknown'}) changed ${what}`,
    );
  }

  private fail(entry: JournalEntry, reason: string): void {
    this.journal.markFailed(entry.seq, reason);
    this.metrics.journalReplayed.inc({ outcome: 'failed' });
    this.logger.error(
      { event: 'journal.replay.failed', seq: entry.seq, collection: entry.collection, reason },
      `Journalled ${entry.operation} of ${entry.collection} ${entry.documentId} cannot be applied: ${reason}`,
    );
  }
}
