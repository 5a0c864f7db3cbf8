import { z } from 'zod';
import { boolean, integer, oneOf } from './environment-variables';

/** How the service answers while the database is unavailable (see README, "Fallback"). */
export const fallbackConfig = z
  .object({
    FALLBACK_ENABLED: boolean().default(true),
    FALLBACK_BREAKER_ENABLED: boolean().default(true),
    FALLBACK_OPERATION_TIMEOUT_MS: integer({ min: 10, max: 60_000 }).default(750),
    FALLBACK_BREAKER_THRESHOLD: integer({ min: 1, max: 1000 }).default(3),
    FALLBACK_HALF_OPEN_AFTER_MS: integer({ min: 100, max: 600_000 }).default(500),
    FALLBACK_WRITES: oneOf(['queue', 'reject']).default('queue'),
    FALLBACK_RETRY_AFTER_SECONDS: integer({ min: 1, max: 3600 }).default(5),
    FALLBACK_JOURNAL_PATH: z.string().default('.data/fallback-journal.sqlite'),
    FALLBACK_DRILL: boolean().default(false),
    FALLBACK_LOG_INTERVAL_MS: integer({ min: 0, max: 3_600_000 }).default(10_000),
  })
  .transform((variables) => ({
    /** Answer from backup data when the database fails; off means database errors reach clients. */
    enabled: variables.FALLBACK_ENABLED,
    /** Circuit breaker and per-operation time limit; off is the naive design (try, catch, then fixtures). */
    breakerEnabled: variables.FALLBACK_BREAKER_ENABLED,
    operationTimeoutMs: variables.FALLBACK_OPERATION_TIMEOUT_MS,
    /** Consecutive database failures that open the breaker. */
    breakerThreshold: variables.FALLBACK_BREAKER_THRESHOLD,
    /** How long the breaker stays open before one operation probes the database again. */
    halfOpenAfterMs: variables.FALLBACK_HALF_OPEN_AFTER_MS,
    /** `queue`: accept writes into the durable journal; `reject`: answer 503 with Retry-After. */
    writes: variables.FALLBACK_WRITES,
    retryAfterSeconds: variables.FALLBACK_RETRY_AFTER_SECONDS,
    journalPath: variables.FALLBACK_JOURNAL_PATH,
    /** Start in drill mode: degraded on purpose, without touching the database. */
    drill: variables.FALLBACK_DRILL,
    /** At most one "serving backup data" log line per this interval. */
    logIntervalMs: variables.FALLBACK_LOG_INTERVAL_MS,
  }));

export type FallbackSettings = Readonly<z.output<typeof fallbackConfig>>;
