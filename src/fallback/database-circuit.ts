import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  IDisposable,
  IPolicy,
  noop,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { EventEmitter } from 'node:events';
import { AppConfig } from '../config/app-config';
import { describeFailure, isDatabaseFailure } from './database-failure';

export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

const DRILL_REASON = 'drill: degraded mode forced';

export interface CircuitEvents {
  degraded: [reason: string];
  recovered: [degradedForMs: number];
}

/**
 * The one circuit breaker between the service and its database (cockatiel), with a time limit on
 * every operation. After `breakerThreshold` consecutive database failures it opens: operations fail
 * at once (and are answered from backup data) instead of waiting for the driver's timeouts. After
 * `halfOpenAfterMs` one operation probes the database; its success closes the circuit.
 * Drill mode isolates the circuit: degraded on purpose, without touching the database.
 */
@Injectable()
export class DatabaseCircuit implements OnModuleDestroy {
  private readonly logger = new Logger('Fallback');
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy: IPolicy;
  private drill?: IDisposable;
  readonly events = new EventEmitter<CircuitEvents>();
  degradedSince?: Date;
  lastFailure?: { message: string; at: Date };

  constructor(config: AppConfig) {
    const settings = config.fallback;
    this.breaker = circuitBreaker(handleWhen(isDatabaseFailure), {
      halfOpenAfter: settings.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(settings.breakerThreshold),
    });
    // abortOnReturn: false — by default cockatiel aborts the operation's signal after every success too,
    // and building that abort's exception costs more than the rest of the policy; no operation reads the signal.
    this.policy = settings.breakerEnabled
      ? wrap(
          this.breaker,
          timeout(settings.operationTimeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
        )
      : noop;

    this.breaker.onBreak((reason) => {
      const message = 'error' in reason ? describeFailure(reason.error) : DRILL_REASON;
      this.enterDegraded(message);
    });
    this.breaker.onReset(() => this.leaveDegraded());
    if (settings.drill) this.startDrill();
  }

  /**
   * Runs a database operation under the breaker and time limit. The first database failure starts
   * degraded mode; it ends when the breaker closes again, or with the next success if it never opened.
   */
  async execute<T>(operation: () => Promise<T>): Promise<T> {
    try {
      const result = await this.policy.execute(operation);
      if (this.degradedSince && this.breaker.state === CircuitState.Closed) this.leaveDegraded();
      return result;
    } catch (error) {
      // A call refused by the open breaker says nothing new about the database: keep the failure that opened it.
      if (isDatabaseFailure(error) && !(error instanceof BrokenCircuitError)) {
        const message = describeFailure(error);
        this.lastFailure = { message, at: new Date() };
        this.enterDegraded(message);
      }
      throw error;
    }
  }

  get state(): CircuitStateName {
    return STATE_NAMES[this.breaker.state];
  }

  /**
   * Whether the breaker keeps operations away from the database (open, half-open or isolated).
   * Requests then go straight to backup data: only the recovery probe tests the database, so no
   * client waits out a probe's time limit.
   */
  get open(): boolean {
    return this.breaker.state !== CircuitState.Closed;
  }

  get degraded(): boolean {
    return this.degradedSince !== undefined;
  }

  get drilling(): boolean {
    return this.drill !== undefined;
  }

  startDrill(): void {
    if (this.drill) return;
    this.lastFailure = { message: DRILL_REASON, at: new Date() };
    this.drill = this.breaker.isolate();
    this.enterDegraded(DRILL_REASON);
  }

  stopDrill(): void {
    if (!this.drill) return;
    const drill = this.drill;
    this.drill = undefined;
    drill.dispose();
  }

  onModuleDestroy(): void {
    this.stopDrill();
  }

  private enterDegraded(reason: string): void {
    if (this.degradedSince) return;
    this.degradedSince = new Date();
    this.logger.warn({ event: 'fallback.start', reason }, `Fallback started: ${reason}`);
    this.events.emit('degraded', reason);
  }

  private leaveDegraded(): void {
    if (!this.degradedSince) return;
    const degradedForMs = Date.now() - this.degradedSince.getTime();
    this.degradedSince = undefined;
    this.logger.log(
      { event: 'fallback.end', degradedForMs },
      `Fallback ended: database answering again after ${degradedForMs} ms`,
    );
    this.events.emit('recovered', degradedForMs);
  }
}
