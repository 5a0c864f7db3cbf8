import { loadAppConfig } from './app-config';

const settings = (env: Record<string, string>) => loadAppConfig(env).edge;

describe('edge settings', () => {
  it('applies the documented defaults: no edge to purge, no TTL override', () => {
    expect(settings({})).toEqual({ purgeUrls: [], purgeTimeoutMs: 1000, ttlOverrides: {}, defaultTtlSeconds: 60 });
  });

  it('reads the edges to purge and the default TTL', () => {
    const sut = settings({
      EDGE_PURGE_URLS: 'http://127.0.0.1:6081,https://edge.example.org',
      EDGE_PURGE_TIMEOUT_MS: '50',
      EDGE_TTL_DEFAULT: '0',
    });
    expect(sut).toMatchObject({
      purgeUrls: ['http://127.0.0.1:6081', 'https://edge.example.org'],
      purgeTimeoutMs: 50,
      defaultTtlSeconds: 0,
    });
  });

  it('reads every EDGE_TTL_<KIND> as an override keyed by the lower-cased kind, known to the service or not', () => {
    const sut = settings({ EDGE_TTL_SCHOOLS: '0', EDGE_TTL_LESSON_PLANS: '86400', EDGE_TTL_DEFAULT: '10' });
    expect(sut.ttlOverrides).toEqual({ schools: 0, lesson_plans: 86_400 });
    expect(sut.defaultTtlSeconds).toBe(10);
  });

  it.each([
    ['EDGE_TTL_X', 'abc', 'EDGE_TTL_X must be an integer number (got "abc")'],
    ['EDGE_TTL_SCHOOLS', '86401', 'EDGE_TTL_SCHOOLS must not be greater than 86400 (got 86401)'],
    ['EDGE_TTL_DEFAULT', '-1', 'EDGE_TTL_DEFAULT must not be less than 0 (got -1)'],
    [
      'EDGE_PURGE_URLS',
      'varnish:6081',
      'EDGE_PURGE_URLS must be a comma-separated list of http(s):// URLs (got "varnish:6081")',
    ],
    ['EDGE_PURGE_TIMEOUT_MS', '60001', 'EDGE_PURGE_TIMEOUT_MS must not be greater than 60000 (got 60001)'],
  ])('refuses %s=%s, naming it', (variable, value, reason) => {
    expect(() => loadAppConfig({ [variable]: value })).toThrow(`Invalid configuration: ${variable}: ${reason}`);
  });
});
