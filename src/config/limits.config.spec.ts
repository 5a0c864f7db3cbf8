import { loadAppConfig } from './app-config';

const settings = (env: Record<string, string>) => loadAppConfig(env).limits;

describe('abuse limit settings', () => {
  it('applies defaults that stop abuse without throttling a busy client', () => {
    expect(settings({})).toEqual({
      rateLimitEnabled: true,
      rateLimitWindowMs: 1000,
      perCredential: 1000,
      perAddress: 100,
      trustProxy: false,
      corsOrigins: [],
    });
  });

  it('reads and converts the variables', () => {
    const sut = settings({
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_WINDOW_MS: '3600000',
      RATE_LIMIT_PER_CREDENTIAL: '1',
      RATE_LIMIT_PER_ADDRESS: '1000000',
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      CORS_ORIGINS: 'https://app.example.org,https://admin.example.org',
    });
    expect(sut).toEqual({
      rateLimitEnabled: false,
      rateLimitWindowMs: 3_600_000,
      perCredential: 1,
      perAddress: 1_000_000,
      trustProxy: ['10.0.0.0/8', '127.0.0.1'],
      corsOrigins: ['https://app.example.org', 'https://admin.example.org'],
    });
  });

  it('reads TRUST_PROXY as a hop count or true, and CORS_ORIGINS as any origin', () => {
    expect(settings({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(settings({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(settings({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
  });

  it.each([
    ['RATE_LIMIT_ENABLED', 'sometimes', 'RATE_LIMIT_ENABLED must be a boolean value (got "sometimes")'],
    ['RATE_LIMIT_WINDOW_MS', '99', 'RATE_LIMIT_WINDOW_MS must not be less than 100 (got 99)'],
    [
      'RATE_LIMIT_PER_CREDENTIAL',
      '1000001',
      'RATE_LIMIT_PER_CREDENTIAL must not be greater than 1000000 (got 1000001)',
    ],
    ['RATE_LIMIT_PER_ADDRESS', '0', 'RATE_LIMIT_PER_ADDRESS must not be less than 1 (got 0)'],
    [
      'TRUST_PROXY',
      'everyone',
      'TRUST_PROXY must be true, a hop count, or a comma-separated list of proxy addresses or CIDR ranges (got "everyone")',
    ],
    [
      'CORS_ORIGINS',
      'app.example.org',
      'CORS_ORIGINS must be * or a comma-separated list of origins such as https://app.example.org (got "app.example.org")',
    ],
  ])('refuses %s=%s, naming it', (variable, value, reason) => {
    expect(() => loadAppConfig({ [variable]: value })).toThrow(`Invalid configuration: ${variable}: ${reason}`);
  });
});
