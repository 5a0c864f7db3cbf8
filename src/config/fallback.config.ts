import { z } from 'zod';
import { boolean, collectionList, integer, oneOf } from './environment-variables';

/** How the service answers while the database is unavailable (see README, "Fallback"). */
export const fallbackConfig = z
  .object({
    FALLBACK_ENABLED: boolean().default(true),
    FALLBACK_BREAKER_ENABLED: boolean().default(true),
    FALLBACK_OPERATION_TIMEOUT_MS: integer({ min: 10, max: 60_000 }).default(5000),
    FALLBACK_DEADLINE_MULTIPLE: integer({ min: 2, max: 100 }).default(4),
    FALLBACK_DEADLINE_FLOOR_MS: integer({ min: 1, max: 60_000 }).default(50),
    FALLBACK_BREAKER_THRESHOLD: integer({ min: 1, max: 1000 }).default(3),
    FALLBACK_HEARTBEAT_INTERVAL_MS: integer({ min: 10, max: 60_000 }).default(100),
    FALLBACK_HEARTBEAT_TIMEOUT_MS: integer({ min: 5, max: 60_000 }).default(300),
    FALLBACK_WRITES: oneOf(['queue', 'reject']).default('queue'),
    FALLBACK_RETRY_AFTER_SECONDS: integer({ min: 1, max: 3600 }).default(5),
    FALLBACK_JOURNAL_PATH: z.string().default('.data/fallback-journal.sqlite'),
    FALLBACK_DRILL: boolean().default(false),
    FALLBACK_LOG_INTERVAL_MS: integer({ min: 0, max: 3_600_000 }).default(10_000),
    FALLBACK_STALE_ENABLED: boolean().default(true),
    FALLBACK_STALE_MAX_AGE_SECONDS: integer({ min: 1, max: 30 * 86_400 }).default(86_400),
    FALLBACK_STALE_MAX_MB: integer({ min: 1, max: 65_536 }).default(64),
    FALLBACK_STALE_REDIS_MAX_MB: integer({ min: 1, max: 65_536 }).default(256),
    FALLBACK_STALE_REDIS_TIMEOUT_MS: integer({ min: 1, max: 10_000 }).default(50),
    FALLBACK_SNAPSHOT_COLLECTIONS: collectionList().default(['schools', 'headmasters', 'teachers', 'subjects']),
    FALLBACK_SNAPSHOT_REFRESH_SECONDS: integer({ min: 1, max: 86_400 }).default(300),
    FALLBACK_SNAPSHOT_PAGE_SIZE: integer({ min: 1, max: 10_000 }).default(500),
  })
  .transform((variables) => ({
    /** Answer from backup data when the database fails; off means database errors reach clients. */
    enabled: variables.FALLBACK_ENABLED,
    /** Circuit breaker, deadlines and heartbeat; off is the naive design (try, catch, then fixtures). */
    breakerEnabled: variables.FALLBACK_BREAKER_ENABLED,
    /** The ceiling: no database operation is waited for longer (a write then goes to the journal). */
    operationTimeoutMs: variables.FALLBACK_OPERATION_TIMEOUT_MS,
    /** A read waiting longer than this multiple of its operation's recent p99 is answered from the tier... */
    deadlineMultiple: variables.FALLBACK_DEADLINE_MULTIPLE,
    /** ...but never sooner than this. */
    deadlineFloorMs: variables.FALLBACK_DEADLINE_FLOOR_MS,
    /** Consecutive database failures that open the breaker. */
    breakerThreshold: variables.FALLBACK_BREAKER_THRESHOLD,
    /** A ping on a connection of its own, this often while requests flow or the breaker is open... */
    heartbeatIntervalMs: variables.FALLBACK_HEARTBEAT_INTERVAL_MS,
    /** ...unanswered this long while nothing else is answered either, the database is stalled: the breaker opens. */
    heartbeatTimeoutMs: variables.FALLBACK_HEARTBEAT_TIMEOUT_MS,
    /** `queue`: accept writes into the durable journal; `reject`: answer 503 with Retry-After. */
    writes: variables.FALLBACK_WRITES,
    retryAfterSeconds: variables.FALLBACK_RETRY_AFTER_SECONDS,
    journalPath: variables.FALLBACK_JOURNAL_PATH,
    /** Start in drill mode: degraded on purpose, without touching the database. */
    drill: variables.FALLBACK_DRILL,
    /** At most one "serving backup data" log line per this interval. */
    logIntervalMs: variables.FALLBACK_LOG_INTERVAL_MS,
    /** The last-known-good tier: what the database last answered, served (marked stale) before the backup data. */
    stale: {
      enabled: variables.FALLBACK_STALE_ENABLED,
      /** Older entries are never served. */
      maxAgeMs: variables.FALLBACK_STALE_MAX_AGE_SECONDS * 1000,
      /** In-process bound (least recently used evicted first); snapshots count. */
      maxBytes: variables.FALLBACK_STALE_MAX_MB * 1024 * 1024,
      /** Bound of the shared copy in Redis (with REDIS_URL). */
      redisMaxBytes: variables.FALLBACK_STALE_REDIS_MAX_MB * 1024 * 1024,
      /** How long an outage answer waits for Redis before it takes the in-process tier. */
      redisTimeoutMs: variables.FALLBACK_STALE_REDIS_TIMEOUT_MS,
    },
    /** Collections kept whole in the tier, re-read in pages every refresh interval. */
    snapshots: {
      collections: variables.FALLBACK_SNAPSHOT_COLLECTIONS,
      refreshMs: variables.FALLBACK_SNAPSHOT_REFRESH_SECONDS * 1000,
      pageSize: variables.FALLBACK_SNAPSHOT_PAGE_SIZE,
    },
  }));

export type FallbackSettings = Readonly<z.output<typeof fallbackConfig>>;
