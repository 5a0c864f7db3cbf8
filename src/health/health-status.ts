import type { HealthCheckResult, HealthCheckStatus } from '@nestjs/terminus';

/** The indicators /health runs; `redis` only with REDIS_URL. */
export const INDICATOR_KEYS = { database: 'database', journal: 'journal', redis: 'redis' } as const;

/**
 * The overall status of /health, from its indicators' results. `ok` and `degraded` answer 200, `error` and
 * `shutting_down` 503 (as terminus maps them).
 *
 * A dependency that is down makes the service `degraded`, not unhealthy, as long as it still answers:
 * the database down while the fallback answers, Redis down (events between instances wait for it).
 * It is `error` only when waiting for a dependency cannot help and an operator must act, or when it
 * cannot answer at all: the write journal unusable (writes during an outage could not be kept), or the
 * database down with the fallback disabled.
 */
export function overallHealthStatus(result: HealthCheckResult, fallbackEnabled: boolean): HealthCheckStatus {
  if (result.status === 'shutting_down') return 'shutting_down';
  const down = (key: string) => result.details[key]?.status === 'down';
  if (down(INDICATOR_KEYS.journal)) return 'error';
  if (down(INDICATOR_KEYS.database) && !fallbackEnabled) return 'error';
  if (Object.values(result.details).some(({ status }) => status !== 'up')) return 'degraded';
  return 'ok';
}

export function httpStatusOf(status: HealthCheckStatus): 200 | 503 {
  return status === 'ok' || status === 'degraded' ? 200 : 503;
}
