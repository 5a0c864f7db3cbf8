import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { DatabaseCircuit } from '../fallback/database-circuit';
import { FallbackHealth, type ServiceHealth } from '../fallback/fallback-health';
import { WriteJournal, type JournalEntry } from '../fallback/write-journal';
import { AnswerCounters, type AnswerSeries } from './answer-counters';

/** Statuses an entry is left in while it waits, or once it took effect: not listed. */
const UNLISTED_STATUSES = new Set(['pending', 'applied']);
/** The newest entries listed; the counts say how many there are. */
const LISTED_ENTRIES = 100;

/** A journal entry that did not take effect, as the status page lists it. */
export interface JournalOutcome {
  seq: number;
  collection: string;
  operation: string;
  documentId: string;
  status: string;
  /** Why it did not take effect. */
  reason: string | null;
  acceptedAt: string;
  finishedAt: string | null;
  /** For an entry a later write won: what that write left (its `updatedAt` and the fields). */
  supersededBy?: unknown;
}

/** A period the service spent degraded, in seconds since the epoch; `to` is null while it lasts. */
export interface DegradedPeriod {
  from: number;
  to: number | null;
}

/** What the status page shows, refreshed every second. */
export interface StatusReport {
  at: string;
  health: ServiceHealth;
  journal: { counts: Record<string, number>; entries: JournalOutcome[] };
  answers: AnswerSeries;
  degradedPeriods: DegradedPeriod[];
}

function toOutcome(entry: JournalEntry): JournalOutcome {
  const supersededBy = (entry as { supersededBy?: unknown }).supersededBy;
  return {
    seq: entry.seq,
    collection: entry.collection,
    operation: entry.operation,
    documentId: entry.documentId,
    status: entry.status,
    reason: entry.error ?? null,
    acceptedAt: entry.createdAt.toISOString(),
    finishedAt: entry.finishedAt?.toISOString() ?? null,
    ...(supersededBy !== undefined ? { supersededBy } : {}),
  };
}

/**
 * The status page's data: the fallback's report, the journal's outcomes, the answers of the last minutes per second,
 * and when the service was degraded in them (from the circuit's events, kept as long as the answers are).
 */
@Injectable()
export class StatusReporter implements OnModuleDestroy {
  private readonly periods: DegradedPeriod[] = [];
  private readonly onDegraded = () => this.periods.push({ from: Date.now() / 1000, to: null });
  private readonly onRecovered = () => {
    const open = this.periods.at(-1);
    if (open && open.to === null) open.to = Date.now() / 1000;
  };

  constructor(
    private readonly health: FallbackHealth,
    private readonly journal: WriteJournal,
    private readonly circuit: DatabaseCircuit,
    private readonly answers: AnswerCounters,
  ) {
    if (circuit.degradedSince) this.periods.push({ from: circuit.degradedSince.getTime() / 1000, to: null });
    circuit.events.on('degraded', this.onDegraded);
    circuit.events.on('recovered', this.onRecovered);
  }

  async report(): Promise<StatusReport> {
    const health = await this.health.report();
    const counts = this.journal.counts();
    const listed = Object.keys(counts).filter((status) => !UNLISTED_STATUSES.has(status)) as (keyof typeof counts)[];
    const answers = this.answers.series();
    while (this.periods.length > 0 && this.periods[0].to !== null && this.periods[0].to < answers.start) {
      this.periods.shift();
    }
    return {
      at: new Date().toISOString(),
      health,
      journal: { counts, entries: this.journal.withStatus(listed).slice(-LISTED_ENTRIES).map(toOutcome) },
      answers,
      degradedPeriods: this.periods.map((period) => ({ ...period })),
    };
  }

  onModuleDestroy(): void {
    this.circuit.events.off('degraded', this.onDegraded);
    this.circuit.events.off('recovered', this.onRecovered);
  }
}
