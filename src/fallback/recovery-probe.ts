import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ConnectionStates, Error as MongooseError, type Connection } from 'mongoose';
import { AppConfig } from '../config/app-config';
import { DatabaseCircuit } from './database-circuit';

/**
 * While degraded, pings the database through the circuit at the half-open interval, so the service
 * returns to the database (and replays its journal) as soon as it is reachable, even without traffic.
 */
@Injectable()
export class RecoveryProbe implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly circuit: DatabaseCircuit,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const interval = Math.max(100, Math.floor(this.config.fallback.halfOpenAfterMs / 2));
    this.timer = setInterval(() => void this.probe(), interval);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async probe(): Promise<void> {
    if (!this.circuit.degraded || this.circuit.drilling) return;
    await this.circuit
      .execute(async () => {
        const db = this.connection.db;
        if (this.connection.readyState !== ConnectionStates.connected || !db) throw new MongooseError('not connected');
        await db.command({ ping: 1 });
      })
      .catch(() => undefined);
  }
}
