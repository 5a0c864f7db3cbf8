import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { AppConfig, type FallbackSettings } from '../config/app-config';
import {
  CircuitIsolatedError,
  CircuitOpenError,
  DatabaseStalledError,
  DatabaseTimeoutError,
  describeFailure,
  isDatabaseFailure,
  isRefusal,
} from './database-failure';
import { OperationDeadlines } from './operation-deadlines';

export type CircuitStateName = 'closed' | 'open' | 'isolated';

const DRILL_REASON = 'drill: degraded mode forced';

export interface CircuitEvents {
  degraded: [reason: string];
  recovered: [degradedForMs: number];
  transition: [to: CircuitStateName, reason: string];
  stalled: [reason: string];
}

/** An operation the circuit waits for: abandoned (its caller answered without it) at the ceiling or a stall. */
interface Flight {
  /** Reads are abandoned at a stall; writes wait for their ceiling. */
  read: boolean;
  abandon(error: Error): void;
}

export interface ExecuteOptions {
  /** Called if the operation is still running at its learned deadline (one timer serves it and the ceiling). */
  onDeadline?: () => void;
  /** A write: never abandoned at a stall, it waits for its ceiling (then its caller journals it). */
  write?: boolean;
}

/**
 * The one circuit breaker between the service and its database. Every operation runs under a ceiling
 * (`operationTimeoutMs`) and teaches the learned deadlines (OperationDeadlines) how long it took. The breaker opens
 * - at once when the database refuses or drops the connection, or when the heartbeat finds it stalled (then every
 *   operation in flight is abandoned, so its caller answers from the fallback tiers without waiting out the ceiling);
 * - after `breakerThreshold` consecutive failures of any other kind (the ceiling, transient server errors).
 * While it is open no request touches the database: the heartbeat (DatabaseHeartbeat) probes it, and its first answer
 * closes the breaker. The first failure starts degraded mode; it ends when the breaker closes, or with the next
 * success if it never opened. Drill mode isolates the circuit: degraded on purpose, without touching the database.
 *
 * Hand-rolled rather than a resilience library's breaker: it opens on signals from outside an operation (the
 * heartbeat) and abandons the operations in flight, it never lets a request be the half-open probe, and it is on the
 * path of every database operation, where a policy chain's per-call allocations showed in the profile.
 */
@Injectable()
export class DatabaseCircuit implements OnModuleDestroy {
  private readonly logger = new Logger('Fallback');
  private readonly settings: FallbackSettings;
  private readonly flights = new Set<Flight>();
  /** Operations abandoned but still running on the database connection: a write among them may still land. */
  private readonly lingering = new Set<Promise<unknown>>();
  private stateName: CircuitStateName = 'closed';
  private consecutiveFailures = 0;
  /** How many times the breaker has opened: an operation during which it opened teaches no deadline. */
  private trips = 0;
  readonly events = new EventEmitter<CircuitEvents>();
  readonly deadlines: OperationDeadlines;
  degradedSince?: Date;
  lastFailure?: { message: string; at: Date };
  lastStall?: { message: string; at: Date };
  /** performance.now() of the last operation the database answered (a result or a request error). */
  lastAnsweredAt = 0;
  /** performance.now() of the last operation started: the heartbeat beats while requests flow. */
  lastStartedAt = 0;

  constructor(config: AppConfig) {
    this.settings = config.fallback;
    this.deadlines = new OperationDeadlines({
      multiple: this.settings.deadlineMultiple,
      floorMs: this.settings.deadlineFloorMs,
      ceilingMs: this.settings.operationTimeoutMs,
    });
    if (this.settings.drill) this.startDrill();
  }

  /**
   * Runs a database operation under the breaker and the ceiling; `operation` names it for the learned deadlines
   * (`<collection>.<kind>`). Throws CircuitOpenError at once while the breaker is open.
   */
  execute<T>(run: () => Promise<T>, operation = 'other', options: ExecuteOptions = {}): Promise<T> {
    const { onDeadline, write = false } = options;
    if (!this.settings.breakerEnabled) return this.unguarded(run);
    if (this.stateName !== 'closed') {
      return Promise.reject(this.stateName === 'isolated' ? new CircuitIsolatedError() : new CircuitOpenError());
    }
    const started = performance.now();
    const trips = this.trips;
    this.lastStartedAt = started;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const flight: Flight = {
        read: !write,
        abandon: (error) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.flights.delete(flight);
          this.linger(running);
          reject(error);
        },
      };
      const ceilingMs = this.settings.operationTimeoutMs;
      const atCeiling = () => {
        const error = new DatabaseTimeoutError(ceilingMs);
        this.failed(error);
        flight.abandon(error);
      };
      const deadlineMs = onDeadline ? this.deadlines.deadlineMs(operation) : ceilingMs;
      let timer =
        deadlineMs < ceilingMs
          ? setTimeout(() => {
              timer = setTimeout(atCeiling, ceilingMs - deadlineMs);
              onDeadline!();
            }, deadlineMs)
          : setTimeout(atCeiling, ceilingMs);
      this.flights.add(flight);
      const running = run();
      running.then(
        (value) => {
          this.answered(operation, started, done || trips !== this.trips);
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.flights.delete(flight);
          this.succeeded();
          resolve(value);
        },
        (error: unknown) => {
          const failure = isDatabaseFailure(error);
          if (!failure) this.answered(operation, started, done || trips !== this.trips);
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.flights.delete(flight);
          if (failure) this.failed(error);
          else this.succeeded();
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the operation's own error, as it threw it
          reject(error);
        },
      );
    });
  }

  /** The naive design (breaker off): every operation reaches the database, without a ceiling; failures still mark degraded mode. */
  private async unguarded<T>(run: () => Promise<T>): Promise<T> {
    try {
      const value = await run();
      this.succeeded();
      return value;
    } catch (error) {
      if (isDatabaseFailure(error)) this.failed(error);
      throw error;
    }
  }

  /**
   * Resolves once every abandoned operation has ended (at most `maxMs`): a write abandoned at its ceiling may still
   * reach the database when it answers again, and a replay must come after it, or it would overwrite later writes.
   */
  async abandonedSettled(maxMs = this.settings.operationTimeoutMs): Promise<void> {
    if (this.lingering.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.lingering]),
      new Promise((resolve) => (timer = setTimeout(resolve, maxMs))),
    ]);
    clearTimeout(timer);
  }

  private linger(running: Promise<unknown>): void {
    this.lingering.add(running);
    const forget = () => this.lingering.delete(running);
    running.then(forget, forget);
  }

  /** How long `operation` may take before its caller should stop waiting for it (see OperationDeadlines). */
  deadlineMs(operation: string): number {
    return this.deadlines.deadlineMs(operation);
  }

  /** Operations waiting for the database now. */
  get inFlight(): number {
    return this.flights.size;
  }

  /**
   * The heartbeat found the database stalled (or refusing): the breaker opens and every operation in flight is
   * abandoned, so its caller answers without the database now.
   */
  stalled(reason: string): void {
    if (this.stateName !== 'closed') return;
    const at = new Date();
    this.lastStall = { message: reason, at };
    this.lastFailure = { message: reason, at };
    const abandoned = [...this.flights];
    this.logger.warn(
      { event: 'database.stall', reason, abandoned: abandoned.length },
      `Database stalled (${reason}): breaker open, ${abandoned.length} operation(s) in flight answered without it`,
    );
    this.events.emit('stalled', reason);
    this.trip(reason);
    const error = new DatabaseStalledError(reason);
    for (const flight of abandoned) if (flight.read) flight.abandon(error);
  }

  /** The heartbeat's ping was answered: an open breaker closes (requests go to the database again). */
  probeSucceeded(): void {
    if (this.stateName !== 'open') return;
    this.close('the database answers the heartbeat again');
  }

  get state(): CircuitStateName {
    return this.stateName;
  }

  /** Whether the breaker keeps operations away from the database (open or isolated): requests go to the tiers. */
  get open(): boolean {
    return this.stateName !== 'closed';
  }

  get degraded(): boolean {
    return this.degradedSince !== undefined;
  }

  get drilling(): boolean {
    return this.stateName === 'isolated';
  }

  startDrill(): void {
    if (this.stateName === 'isolated') return;
    this.lastFailure = { message: DRILL_REASON, at: new Date() };
    this.transition('isolated', DRILL_REASON);
    this.enterDegraded(DRILL_REASON);
  }

  stopDrill(): void {
    if (this.stateName !== 'isolated') return;
    this.close('drill ended');
  }

  onModuleDestroy(): void {
    this.stopDrill();
  }

  /**
   * An operation abandoned at the ceiling or a stall, or during which the breaker opened, teaches no deadline: its time
   * measures the fault, not the load.
   */
  private answered(operation: string, started: number, abandoned: boolean): void {
    const now = performance.now();
    this.lastAnsweredAt = now;
    if (!abandoned) this.deadlines.observe(operation, now - started);
  }

  private succeeded(): void {
    this.consecutiveFailures = 0;
    if (this.degradedSince && this.stateName === 'closed') this.leaveDegraded();
  }

  private failed(error: unknown): void {
    const message = describeFailure(error);
    this.lastFailure = { message, at: new Date() };
    this.enterDegraded(message);
    if (this.stateName !== 'closed' || !this.settings.breakerEnabled) return;
    this.consecutiveFailures++;
    if (isRefusal(error) || this.consecutiveFailures >= this.settings.breakerThreshold) this.trip(message);
  }

  private trip(reason: string): void {
    if (this.stateName !== 'closed') return;
    this.trips++;
    this.transition('open', reason);
    this.enterDegraded(reason);
  }

  private close(reason: string): void {
    this.consecutiveFailures = 0;
    this.transition('closed', reason);
    this.leaveDegraded();
  }

  private transition(to: CircuitStateName, reason: string): void {
    if (this.stateName === to) return;
    this.stateName = to;
    this.events.emit('transition', to, reason);
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
