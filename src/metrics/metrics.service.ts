import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface FallbackSnapshot {
  /** 0 closed, 2 open, 3 isolated (1, half-open, is never reported: requests never probe the database). */
  circuitState: number;
  degraded: boolean;
  journal: Record<string, number>;
  /** The learned deadline of each database operation (`<collection>.<kind>`), in milliseconds. */
  deadlines: { operation: string; deadlineMs: number }[];
}

/** The service's Prometheus metrics, in a registry of its own (served at GET /metrics). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private fallbackSnapshot?: () => FallbackSnapshot;

  /** Gauges of the fallback's state are read from `snapshot` at each scrape. */
  watchFallback(snapshot: () => FallbackSnapshot): void {
    this.fallbackSnapshot = snapshot;
  }

  readonly fallbackAnswers = new Counter({
    name: 'fallback_answers_total',
    help: 'Operations answered from backup data because the database failed',
    labelNames: ['collection', 'operation'] as const,
    registers: [this.registry],
  });

  readonly outageAnswers = new Counter({
    name: 'outage_answers_total',
    help: 'Reads answered while the database failed, by source: stale (remembered reads), snapshot, fallback (backup data), unavailable (503)',
    labelNames: ['collection', 'source'] as const,
    registers: [this.registry],
  });

  readonly fallbackWrites = new Counter({
    name: 'fallback_writes_queued_total',
    help: 'Writes accepted into the journal while the database was unavailable',
    labelNames: ['collection', 'operation'] as const,
    registers: [this.registry],
  });

  readonly circuitState = new Gauge({
    name: 'database_circuit_state',
    help: 'Database circuit breaker: 0 closed, 1 half-open, 2 open, 3 isolated (drill)',
    registers: [this.registry],
    collect: () => this.fromSnapshot((snapshot) => this.circuitState.set(snapshot.circuitState)),
  });

  readonly degraded = new Gauge({
    name: 'service_degraded',
    help: '1 while the service answers from backup data (degraded mode), else 0',
    registers: [this.registry],
    collect: () => this.fromSnapshot((snapshot) => this.degraded.set(snapshot.degraded ? 1 : 0)),
  });

  readonly journalEntries = new Gauge({
    name: 'fallback_journal_entries',
    help: 'Entries in the write journal by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
    collect: () =>
      this.fromSnapshot((snapshot) => {
        for (const [status, count] of Object.entries(snapshot.journal)) this.journalEntries.set({ status }, count);
      }),
  });

  readonly operationDeadline = new Gauge({
    name: 'database_operation_deadline_seconds',
    help: 'The deadline learned per database operation: a read waiting longer is answered from the last-known-good tier',
    labelNames: ['operation'] as const,
    registers: [this.registry],
    collect: () =>
      this.fromSnapshot((snapshot) => {
        for (const { operation, deadlineMs } of snapshot.deadlines) {
          this.operationDeadline.set({ operation }, deadlineMs / 1000);
        }
      }),
  });

  readonly hedgedAnswers = new Counter({
    name: 'hedged_answers_total',
    help: 'Reads past their learned deadline answered from the last-known-good tier while the database went on',
    labelNames: ['collection', 'source'] as const,
    registers: [this.registry],
  });

  readonly stalls = new Counter({
    name: 'database_stalls_total',
    help: 'Stalls detected by the heartbeat (a ping unanswered in time while nothing else was answered) or refusals',
    registers: [this.registry],
  });

  readonly breakerTransitions = new Counter({
    name: 'database_breaker_transitions_total',
    help: 'Transitions of the database circuit breaker, by the state entered',
    labelNames: ['to'] as const,
    registers: [this.registry],
  });

  readonly journalReplayed = new Counter({
    name: 'fallback_journal_replayed_total',
    help: 'Journal entries replayed to the database, by outcome (applied, failed, superseded)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly databaseOperationSeconds = new Histogram({
    name: 'database_operation_duration_seconds',
    help: 'Latency of database operations, by collection, operation and outcome',
    labelNames: ['collection', 'operation', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Runs `set` with the fallback's state at a scrape, once the fallback watches it. */
  private fromSnapshot(set: (snapshot: FallbackSnapshot) => void): void {
    const snapshot = this.fallbackSnapshot?.();
    if (snapshot) set(snapshot);
  }
}
