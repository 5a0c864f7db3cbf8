import type { HealthCheckResult } from '@nestjs/terminus';
import { httpStatusOf, overallHealthStatus } from './health-status';

function resultWith(
  statuses: Record<string, 'up' | 'down'>,
  status: HealthCheckResult['status'] = 'ok',
): HealthCheckResult {
  const details = Object.fromEntries(
    Object.entries(statuses).map(([key, indicator]) => [key, { status: indicator, message: `${key} ${indicator}` }]),
  );
  return { status, details };
}

describe(overallHealthStatus.name, () => {
  it('returns ok when every indicator is up', () => {
    expect(overallHealthStatus(resultWith({ database: 'up', journal: 'up', redis: 'up' }), true)).toBe('ok');
  });

  it('returns degraded, answered 200, when the database is down and the fallback answers', () => {
    const status = overallHealthStatus(resultWith({ database: 'down', journal: 'up' }, 'error'), true);
    expect(status).toBe('degraded');
    expect(httpStatusOf(status)).toBe(200);
  });

  it('returns error, answered 503, when the database is down and the fallback is disabled', () => {
    const status = overallHealthStatus(resultWith({ database: 'down', journal: 'up' }, 'error'), false);
    expect(status).toBe('error');
    expect(httpStatusOf(status)).toBe(503);
  });

  it('returns degraded when Redis is down', () => {
    expect(overallHealthStatus(resultWith({ database: 'up', journal: 'up', redis: 'down' }, 'error'), true)).toBe(
      'degraded',
    );
  });

  it('returns error when the journal is unusable, whatever the database', () => {
    expect(overallHealthStatus(resultWith({ database: 'up', journal: 'down' }, 'error'), true)).toBe('error');
    expect(overallHealthStatus(resultWith({ database: 'down', journal: 'down' }, 'error'), true)).toBe('error');
  });

  it('returns shutting_down, answered 503, while the service stops', () => {
    const status = overallHealthStatus(resultWith({ database: 'up', journal: 'up' }, 'shutting_down'), true);
    expect(status).toBe('shutting_down');
    expect(httpStatusOf(status)).toBe(503);
  });
});
