import { loadAppConfig } from './app-config';

const SECRET = 'a-production-secret-of-at-least-32-chars';
const settings = (env: Record<string, string>) => loadAppConfig(env).graphql;

describe('GraphQL settings', () => {
  it('applies the documented defaults, the IDE and introspection on outside production', () => {
    expect(settings({})).toEqual({
      ide: true,
      introspection: true,
      maxDepth: 10,
      maxComplexity: 5000,
      maxAliases: 30,
      maxBodyBytes: 102_400,
      subscriptionsRedisUrl: undefined,
    });
  });

  it('turns the IDE and introspection off by default in production', () => {
    expect(settings({ NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET })).toMatchObject({
      ide: false,
      introspection: false,
    });
  });

  it('lets introspection be switched on its own', () => {
    const sut = settings({ NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET, GRAPHQL_INTROSPECTION: 'true' });
    expect(sut).toMatchObject({ ide: false, introspection: true });
    expect(settings({ GRAPHQL_IDE: 'false' })).toMatchObject({ ide: false, introspection: false });
  });

  it('reads and converts the limits and the Redis URL', () => {
    const sut = settings({
      GRAPHQL_MAX_DEPTH: '2',
      GRAPHQL_MAX_COMPLEXITY: '10000000',
      GRAPHQL_MAX_ALIASES: '0',
      GRAPHQL_MAX_BODY_BYTES: '1024',
      REDIS_URL: 'rediss://cache:6379/0',
    });
    expect(sut).toMatchObject({
      maxDepth: 2,
      maxComplexity: 10_000_000,
      maxAliases: 0,
      maxBodyBytes: 1024,
      subscriptionsRedisUrl: 'rediss://cache:6379/0',
    });
  });

  it.each([
    ['GRAPHQL_IDE', 'maybe', 'GRAPHQL_IDE must be a boolean value (got "maybe")'],
    ['GRAPHQL_INTROSPECTION', 'nah', 'GRAPHQL_INTROSPECTION must be a boolean value (got "nah")'],
    ['GRAPHQL_MAX_DEPTH', '1', 'GRAPHQL_MAX_DEPTH must not be less than 2 (got 1)'],
    ['GRAPHQL_MAX_COMPLEXITY', '9', 'GRAPHQL_MAX_COMPLEXITY must not be less than 10 (got 9)'],
    ['GRAPHQL_MAX_ALIASES', '1001', 'GRAPHQL_MAX_ALIASES must not be greater than 1000 (got 1001)'],
    ['GRAPHQL_MAX_BODY_BYTES', '10485761', 'GRAPHQL_MAX_BODY_BYTES must not be greater than 10485760 (got 10485761)'],
    ['REDIS_URL', 'http://cache:6379', 'REDIS_URL must be a redis:// or rediss:// URL (got "http://cache:6379")'],
  ])('refuses %s=%s, naming it', (variable, value, reason) => {
    expect(() => loadAppConfig({ [variable]: value })).toThrow(`Invalid configuration: ${variable}: ${reason}`);
  });
});
