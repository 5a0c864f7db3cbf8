import { loadAppConfig } from './app-config';

const settings = (env: Record<string, string>) => loadAppConfig(env).fallback;

describe('fallback settings', () => {
  it('applies the documented defaults', () => {
    expect(settings({})).toEqual({
      enabled: true,
      breakerEnabled: true,
      operationTimeoutMs: 750,
      breakerThreshold: 3,
      halfOpenAfterMs: 500,
      writes: 'queue',
      retryAfterSeconds: 5,
      journalPath: '.data/fallback-journal.sqlite',
      drill: false,
      logIntervalMs: 10_000,
    });
  });

  it('reads and converts the variables', () => {
    const sut = settings({
      FALLBACK_ENABLED: 'no',
      FALLBACK_BREAKER_ENABLED: '0',
      FALLBACK_OPERATION_TIMEOUT_MS: '10',
      FALLBACK_BREAKER_THRESHOLD: '1000',
      FALLBACK_HALF_OPEN_AFTER_MS: '100',
      FALLBACK_WRITES: 'reject',
      FALLBACK_RETRY_AFTER_SECONDS: '3600',
      FALLBACK_JOURNAL_PATH: ':memory:',
      FALLBACK_DRILL: 'True',
      FALLBACK_LOG_INTERVAL_MS: '0',
    });
    expect(sut).toEqual({
      enabled: false,
      breakerEnabled: false,
      operationTimeoutMs: 10,
      breakerThreshold: 1000,
      halfOpenAfterMs: 100,
      writes: 'reject',
      retryAfterSeconds: 3600,
      journalPath: ':memory:',
      drill: true,
      logIntervalMs: 0,
    });
  });

  it.each([
    ['FALLBACK_ENABLED', 'off', 'FALLBACK_ENABLED must be a boolean value (got "off")'],
    ['FALLBACK_OPERATION_TIMEOUT_MS', '9', 'FALLBACK_OPERATION_TIMEOUT_MS must not be less than 10 (got 9)'],
    ['FALLBACK_BREAKER_THRESHOLD', '0', 'FALLBACK_BREAKER_THRESHOLD must not be less than 1 (got 0)'],
    [
      'FALLBACK_HALF_OPEN_AFTER_MS',
      '600001',
      'FALLBACK_HALF_OPEN_AFTER_MS must not be greater than 600000 (got 600001)',
    ],
    ['FALLBACK_WRITES', 'drop', 'FALLBACK_WRITES must be one of the following values: queue, reject (got "drop")'],
    ['FALLBACK_RETRY_AFTER_SECONDS', '3601', 'FALLBACK_RETRY_AFTER_SECONDS must not be greater than 3600 (got 3601)'],
    ['FALLBACK_LOG_INTERVAL_MS', 'often', 'FALLBACK_LOG_INTERVAL_MS must be an integer number (got "often")'],
  ])('refuses %s=%s, naming it', (variable, value, reason) => {
    expect(() => loadAppConfig({ [variable]: value })).toThrow(`Invalid configuration: ${variable}: ${reason}`);
  });
});
