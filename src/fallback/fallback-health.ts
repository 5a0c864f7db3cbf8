import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DatabasePing } from '../database/database-ping';
import { MetricsService } from '../metrics/metrics.service';
import { DatabaseCircuit } from './database-circuit';
import { DatabaseHeartbeat } from './database-heartbeat';
import type { LearnedDeadline } from './operation-deadlines';
import { FallbackRegistry } from './fallback-registry';
import { LastKnownGood, type LastKnownGoodStats } from './last-known-good/last-known-good';
import { InjectSharedTier } from './last-known-good/last-known-good.providers';
import type { SharedTier, SharedTierStatus } from './last-known-good/shared-tier';
import { SnapshotRefresher, type SnapshotStatus } from './last-known-good/snapshot-refresher';
import { WriteJournal } from './write-journal';

export interface ServiceHealth {
  mode: 'normal' | 'degraded';
  degradedSince: string | null;
  reason: string | null;
  drill: boolean;
  database: { status: 'up' | 'down'; responseTimeMs?: number; lastError: string | null; lastErrorAt: string | null };
  breaker: {
    state: string;
    /** The learned deadline of each database operation. */
    deadlines: LearnedDeadline[];
    /** The last stall the heartbeat found (or refusal), if any. */
    lastStall: { message: string; at: string } | null;
    heartbeat: { sent: number; missed: number; lastRoundTripMs: number | null; timeoutMs: number };
  };
  fallbackAnswers: Record<string, number>;
  /** Reads answered while the database failed, per collection and source (stale, snapshot, fallback, unavailable). */
  outageAnswers: Record<string, Record<string, number>>;
  journal: { pending: number; failed: number; superseded: number };
  lastKnownGood: LastKnownGoodReport;
}

/** The last-known-good tier: what it holds, how old its oldest entry is, its snapshots, its shared copy. */
export interface LastKnownGoodReport extends LastKnownGoodStats {
  enabled: boolean;
  maxAgeSeconds: number;
  snapshots: Record<string, SnapshotStatus>;
  redis: SharedTierStatus;
}

/** What the health endpoints and operators need to know about the database and the fallback. */
@Injectable()
export class FallbackHealth {
  constructor(
    private readonly databasePing: DatabasePing,
    private readonly config: AppConfig,
    private readonly circuit: DatabaseCircuit,
    private readonly registry: FallbackRegistry,
    private readonly journal: WriteJournal,
    private readonly metrics: MetricsService,
    private readonly tier: LastKnownGood,
    @InjectSharedTier() private readonly shared: SharedTier,
    private readonly snapshots: SnapshotRefresher,
    private readonly heartbeat: DatabaseHeartbeat,
  ) {
    const stateNumbers = { closed: 0, open: 2, isolated: 3 } as const;
    metrics.watchFallback(() => ({
      circuitState: stateNumbers[circuit.state],
      degraded: circuit.degraded,
      journal: journal.counts(),
      deadlines: circuit.deadlines.all(),
    }));
    circuit.events.on('transition', (to) => metrics.breakerTransitions.inc({ to }));
    circuit.events.on('stalled', () => metrics.stalls.inc());
  }

  /** Whether requests can be answered at all: by the database, or by backup data. */
  async canServe(): Promise<boolean> {
    return this.config.fallback.enabled || (await this.databasePing.ping()).status === 'up';
  }

  async report(): Promise<ServiceHealth> {
    const database = await this.databasePing.ping();
    const pingError = database.status === 'down' ? database.reason : null;
    const counts = this.journal.counts();
    const answers = await this.metrics.fallbackAnswers.get();
    const fallbackAnswers = Object.fromEntries(this.registry.collections.map((collection) => [collection, 0]));
    for (const { labels, value } of answers.values) {
      const collection = String(labels.collection);
      fallbackAnswers[collection] = (fallbackAnswers[collection] ?? 0) + value;
    }
    const outageAnswers: Record<string, Record<string, number>> = {};
    for (const { labels, value } of (await this.metrics.outageAnswers.get()).values) {
      const bySource = (outageAnswers[String(labels.collection)] ??= {});
      bySource[String(labels.source)] = value;
    }
    const degraded = this.circuit.degraded || database.status === 'down';
    return {
      mode: degraded ? 'degraded' : 'normal',
      degradedSince: this.circuit.degradedSince?.toISOString() ?? null,
      reason: degraded ? (this.circuit.lastFailure?.message ?? pingError) : null,
      drill: this.circuit.drilling,
      database: {
        status: database.status,
        ...(database.status === 'up' ? { responseTimeMs: database.responseTimeMs } : {}),
        lastError: this.circuit.lastFailure?.message ?? pingError,
        lastErrorAt: this.circuit.lastFailure?.at.toISOString() ?? null,
      },
      breaker: {
        state: this.circuit.state,
        deadlines: this.circuit.deadlines.all(),
        lastStall: this.circuit.lastStall
          ? { message: this.circuit.lastStall.message, at: this.circuit.lastStall.at.toISOString() }
          : null,
        heartbeat: { ...this.heartbeat.stats, lastRoundTripMs: this.heartbeat.stats.lastRoundTripMs ?? null },
      },
      fallbackAnswers,
      outageAnswers,
      journal: { pending: counts.pending, failed: counts.failed, superseded: counts.superseded },
      lastKnownGood: this.lastKnownGood(),
    };
  }

  private lastKnownGood(): LastKnownGoodReport {
    const { settings } = this.tier;
    return {
      enabled: settings.enabled,
      maxAgeSeconds: settings.maxAgeMs / 1000,
      ...this.tier.stats(),
      snapshots: this.snapshots.state(),
      redis: this.shared.status(),
    };
  }
}
