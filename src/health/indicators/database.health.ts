import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DatabasePing } from '../../database/database-ping';

/**
 * `up` while MongoDB answers a ping within its own short time limit (DatabasePing); `down` with the reason
 * otherwise. The ping never goes through the circuit breaker, so probes neither open nor close it.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly databasePing: DatabasePing,
  ) {}

  async isHealthy<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    const ping = await this.databasePing.ping();
    return ping.status === 'up'
      ? indicator.up({ responseTimeMs: ping.responseTimeMs })
      : indicator.down({ message: ping.reason, responseTimeMs: ping.responseTimeMs });
  }
}
