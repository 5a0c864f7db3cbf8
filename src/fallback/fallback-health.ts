import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ConnectionStates, type Connection } from 'mongoose';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { DatabaseCircuit } from './database-circuit';
import { describeFailure } from './database-failure';
import { FallbackRegistry } from './fallback-registry';
import { WriteJournal } from './write-journal';

const PING_TIMEOUT_MS = 500;

export interface ServiceHealth {
  mode: 'normal' | 'degraded';
  degradedSince: string | null;
  reason: string | null;
  drill: boolean;
  database: { status: 'up' | 'down'; responseTimeMs?: number; lastError: string | null; lastErrorAt: string | null };
  breaker: { state: string };
  fallbackAnswers: Record<string, number>;
  journal: { pending: number; failed: number };
}

/** What the health endpoints and operators need to know about the database and the fallback. */
@Injectable()
export class FallbackHealth {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly config: AppConfig,
    private readonly circuit: DatabaseCircuit,
    private readonly registry: FallbackRegistry,
    private readonly journal: WriteJournal,
    private readonly metrics: MetricsService,
  ) {
    const stateNumbers = { closed: 0, 'half-open': 1, open: 2, isolated: 3 } as const;
    metrics.watchFallback(() => ({
      circuitState: stateNumbers[circuit.state],
      degraded: circuit.degraded,
      journal: journal.counts(),
    }));
  }

  /** Whether requests can be answered at all: by the database, or by backup data. */
  async canServe(): Promise<boolean> {
    return this.config.fallback.enabled || (await this.pingDatabase()).status === 'up';
  }

  async report(): Promise<ServiceHealth> {
    const database = await this.pingDatabase();
    const counts = this.journal.counts();
    const answers = await this.metrics.fallbackAnswers.get();
    const fallbackAnswers = Object.fromEntries(this.registry.collections.map((collection) => [collection, 0]));
    for (const { labels, value } of answers.values) {
      const collection = String(labels.collection);
      fallbackAnswers[collection] = (fallbackAnswers[collection] ?? 0) + value;
    }
    const degraded = this.circuit.degraded || database.status === 'down';
    return {
      mode: degraded ? 'degraded' : 'normal',
      degradedSince: this.circuit.degradedSince?.toISOString() ?? null,
      reason: degraded ? (this.circuit.lastFailure?.message ?? database.error ?? null) : null,
      drill: this.circuit.drilling,
      database: {
        status: database.status,
        ...(database.responseTimeMs !== undefined ? { responseTimeMs: database.responseTimeMs } : {}),
        lastError: this.circuit.lastFailure?.message ?? database.error ?? null,
        lastErrorAt: this.circuit.lastFailure?.at.toISOString() ?? null,
      },
      breaker: { state: this.circuit.state },
      fallbackAnswers,
      journal: { pending: counts.pending, failed: counts.failed },
    };
  }

  /** A ping of its own (not through the circuit, so health checks never move the breaker). */
  private async pingDatabase(): Promise<{ status: 'up' | 'down'; responseTimeMs?: number; error?: string }> {
    const started = performance.now();
    const db = this.connection.db;
    if (this.connection.readyState !== ConnectionStates.connected || !db)
      return { status: 'down', error: 'not connected' };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        db.command({ ping: 1 }),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer to ping within ${PING_TIMEOUT_MS} ms`)),
            PING_TIMEOUT_MS,
          );
        }),
      ]);
      return { status: 'up', responseTimeMs: Math.round(performance.now() - started) };
    } catch (error) {
      return { status: 'down', error: describeFailure(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
