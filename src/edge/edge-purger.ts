import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/**
 * Tells every configured edge (Varnish with xkey) to drop the cached answers that contain the given
 * surrogate keys: `PURGE /` with `xkey-purge: <keys>`. Awaited before a write is answered, so a read
 * right after a write is fresh; an edge that does not answer in time is logged, not retried.
 */
@Injectable()
export class EdgePurger {
  private readonly logger = new Logger('EdgePurger');

  constructor(private readonly config: AppConfig) {}

  async purge(keys: readonly string[]): Promise<void> {
    const { purgeUrls, purgeTimeoutMs } = this.config.edge;
    if (purgeUrls.length === 0 || keys.length === 0) return;
    const header = [...new Set(keys)].join(' ');
    await Promise.all(
      purgeUrls.map(async (url) => {
        try {
          const response = await fetch(url, {
            method: 'PURGE',
            headers: { 'xkey-purge': header },
            signal: AbortSignal.timeout(purgeTimeoutMs),
          });
          await response.body?.cancel();
          if (!response.ok) this.logger.warn(`Edge ${url} refused the purge of ${header}: ${response.status}`);
        } catch (error) {
          this.logger.warn(`Edge ${url} did not take the purge of ${header}: ${(error as Error).message}`);
        }
      }),
    );
  }
}
