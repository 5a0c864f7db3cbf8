import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { WriteJournal } from '../../fallback/write-journal';

/**
 * `up` while the write journal (SQLite) answers a trivial query, on the service's connection and from its
 * file; `down` with the reason otherwise: writes accepted during an outage could not be kept.
 */
@Injectable()
export class JournalHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly journal: WriteJournal,
  ) {}

  isHealthy<const Key extends string>(key: Key): HealthIndicatorResult<Key> {
    const indicator = this.indicators.check(key);
    try {
      this.journal.verifyUsable();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
