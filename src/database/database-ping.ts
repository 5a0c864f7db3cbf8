import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ConnectionStates, type Connection } from 'mongoose';

/** A healthy database answers a ping in milliseconds; one that takes longer is as good as down for a probe. */
export const DATABASE_PING_TIMEOUT_MS = 500;

export type DatabasePingResult =
  { status: 'up'; responseTimeMs: number } | { status: 'down'; responseTimeMs: number; reason: string };

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`.slice(0, 300);
  return String(error);
}

/**
 * Whether the database answers now: a `ping` of its own with a short time limit, on the service's
 * connection but never through the circuit breaker, so that health checks never move the breaker.
 * Callers at the same moment (the health report and its database indicator) share one ping.
 */
@Injectable()
export class DatabasePing {
  private inFlight?: Promise<DatabasePingResult>;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  ping(): Promise<DatabasePingResult> {
    this.inFlight ??= this.send().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async send(): Promise<DatabasePingResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const db = this.connection.db;
    if (this.connection.readyState !== ConnectionStates.connected || !db) {
      return { status: 'down', responseTimeMs: 0, reason: 'not connected' };
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        db.command({ ping: 1 }),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer to ping within ${DATABASE_PING_TIMEOUT_MS} ms`)),
            DATABASE_PING_TIMEOUT_MS,
          );
        }),
      ]);
      return { status: 'up', responseTimeMs: elapsed() };
    } catch (error) {
      return { status: 'down', responseTimeMs: elapsed(), reason: describe(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
