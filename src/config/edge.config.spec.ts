import { loadAppConfig } from './app-config';

const settings = (env: Record<string, string>) => loadAppConfig(env).edge;

describe('edge settings', () => {
  it('reads every EDGE_TTL_<KIND> as an override keyed by the lower-cased kind, known to the service or not', () => {
    const sut = settings({ EDGE_TTL_SCHOOLS: '0', EDGE_TTL_LESSON_PLANS: '86400', EDGE_TTL_DEFAULT: '10' });
    expect(sut.ttlOverrides).toEqual({ schools: 0, lesson_plans: 86_400 });
    expect(sut.defaultTtlSeconds).toBe(10);
  });

  it('takes a scope secret of at least 32 characters, and refuses a shorter one without repeating it', () => {
    expect(settings({ EDGE_SCOPE_SECRET: 'x'.repeat(32) }).scopeSecret).toBe('x'.repeat(32));
    expect(settings({}).scopeSecret).toBeUndefined();
    expect(() => settings({ EDGE_SCOPE_SECRET: 'too-short-secret' })).toThrow(/EDGE_SCOPE_SECRET/);
    expect(() => settings({ EDGE_SCOPE_SECRET: 'too-short-secret' })).not.toThrow(/too-short-secret/);
  });
});
