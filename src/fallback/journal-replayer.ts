import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-errors';
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
 * with the reason and listed on the admin endpoint; replay goes on with the next.
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
    const pending = this.journal.pending();
    if (pending.length === 0) return;
    this.logger.log(
      { event: 'journal.replay.start', pending: pending.length },
      `Replaying ${pending.length} journalled write(s)`,
    );
    let applied = 0;
    let failed = 0;
    for (const entry of pending) {
      if (this.stopping) return;
      try {
        const outcome = await this.apply(entry);
        if (outcome === true) {
          this.journal.markApplied(entry.seq);
          applied++;
          this.metrics.journalReplayed.inc({ outcome: 'applied' });
        } else {
          this.fail(entry, outcome);
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
      { event: 'journal.replay.end', applied, failed },
      `Journal replayed: ${applied} applied, ${failed} failed`,
    );
  }

  /** true when applied (or already applied); otherwise the reason it cannot be. */
  private async apply(entry: JournalEntry): Promise<true | string> {
    const target = this.registry.replayTarget(entry.collection);
    if (!target) return `no collection ${entry.collection} is registered`;
    const outcome = await target.applyJournalled(entry);
    return outcome.applied ? true : outcome.reason;
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
