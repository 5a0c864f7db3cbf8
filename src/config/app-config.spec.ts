import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVELOPMENT_JWT_SECRET, InvalidConfigError, loadAppConfig } from './app-config';

const SECRET = 'a-production-secret-of-at-least-32-chars';

describe(loadAppConfig.name, () => {
  it('applies the documented defaults', () => {
    const sut = loadAppConfig({});
    expect(sut).toMatchObject({
      environment: 'development',
      host: '127.0.0.1',
      port: 3000,
      mongodbUri: undefined,
      mongodbDbName: 'schools',
      embeddedMongo: 'auto',
      graphqlIde: true,
      logLevel: 'log',
    });
  });

  it('reads and converts the variables', () => {
    const sut = loadAppConfig({
      PORT: '8080',
      MONGODB_URI: 'mongodb://db:27017',
      GRAPHQL_IDE: 'false',
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: SECRET,
    });
    expect(sut.port).toBe(8080);
    expect(sut.mongodbUri).toBe('mongodb://db:27017');
    expect(sut.graphqlIde).toBe(false);
  });

  it('reads REDIS_URL, unset by default', () => {
    expect(loadAppConfig({}).redisUrl).toBeUndefined();
    expect(loadAppConfig({ REDIS_URL: 'redis://cache:6379/0' }).redisUrl).toBe('redis://cache:6379/0');
  });

  it('reads the edge TTLs per kind of data, and the default for kinds without a setting of their own', () => {
    expect(loadAppConfig({}).edge).toMatchObject({
      ttlSeconds: { schools: 300, headmasters: 120, teachers: 60, dashboard: 30 },
      defaultTtlSeconds: 60,
    });
    expect(loadAppConfig({ EDGE_TTL_DEFAULT: '0' }).edge.defaultTtlSeconds).toBe(0);
    expect(() => loadAppConfig({ EDGE_TTL_DEFAULT: '-1' })).toThrow('Invalid configuration: EDGE_TTL_DEFAULT');
  });

  it('turns the IDE off by default in production', () => {
    const sut = loadAppConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET });
    expect(sut.graphqlIde).toBe(false);
    expect(sut.limits.graphqlIntrospection).toBe(false);
  });

  it('lets introspection be switched on its own', () => {
    const sut = loadAppConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET, GRAPHQL_INTROSPECTION: 'true' });
    expect(sut.graphqlIde).toBe(false);
    expect(sut.limits.graphqlIntrospection).toBe(true);
  });

  describe('token key', () => {
    it('uses the development secret only in development, when no key is set', () => {
      const sut = loadAppConfig({});
      expect(sut.auth.key).toEqual({
        kind: 'secret',
        secret: new TextEncoder().encode(DEVELOPMENT_JWT_SECRET),
        development: true,
      });
    });

    it.each(['production', 'test'])('refuses to start in %s without a key, naming AUTH_JWT_SECRET', (environment) => {
      expect(() => loadAppConfig({ NODE_ENV: environment })).toThrow(
        /^Invalid configuration: AUTH_JWT_SECRET: .*outside development/,
      );
    });

    it('refuses a short secret', () => {
      expect(() => loadAppConfig({ AUTH_JWT_SECRET: 'short' })).toThrow(/^Invalid configuration: AUTH_JWT_SECRET:/);
    });

    it('refuses two key sources at once', () => {
      expect(() => loadAppConfig({ AUTH_JWT_SECRET: SECRET, AUTH_JWKS_FILE: '/nowhere.json' })).toThrow(
        /^Invalid configuration: AUTH_JWKS_FILE: set only one of/,
      );
    });

    it('reads an RSA public key file and a JWKS file, and names a file it cannot use', () => {
      const dir = mkdtempSync(join(tmpdir(), 'keys-'));
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(join(dir, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
      writeFileSync(
        join(dir, 'jwks.json'),
        JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }] }),
      );
      writeFileSync(join(dir, 'broken.json'), '{"keys": []}');
      expect(loadAppConfig({ AUTH_JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem') }).auth.key.kind).toBe('public-key');
      expect(loadAppConfig({ AUTH_JWKS_FILE: join(dir, 'jwks.json') }).auth.key.kind).toBe('jwks');
      expect(() => loadAppConfig({ AUTH_JWKS_FILE: join(dir, 'broken.json') })).toThrow(
        /^Invalid configuration: AUTH_JWKS_FILE: .*broken\.json/,
      );
      expect(() => loadAppConfig({ AUTH_JWT_PUBLIC_KEY_FILE: join(dir, 'missing.pem') })).toThrow(
        /^Invalid configuration: AUTH_JWT_PUBLIC_KEY_FILE: .*missing\.pem/,
      );
    });
  });

  it('reads the abuse limits, with defaults that stop abuse without throttling a busy client', () => {
    expect(loadAppConfig({}).limits).toMatchObject({
      rateLimitEnabled: true,
      rateLimitWindowMs: 1000,
      perCredential: 1000,
      perAddress: 100,
      trustProxy: false,
      corsOrigins: [],
      graphqlMaxDepth: 10,
      graphqlMaxAliases: 30,
    });
    const sut = loadAppConfig({
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      CORS_ORIGINS: 'https://app.example.org,https://admin.example.org',
    });
    expect(sut.limits.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(sut.limits.corsOrigins).toEqual(['https://app.example.org', 'https://admin.example.org']);
    expect(loadAppConfig({ TRUST_PROXY: '2' }).limits.trustProxy).toBe(2);
  });

  it('treats an empty variable as unset', () => {
    expect(loadAppConfig({ MONGODB_URI: '' }).mongodbUri).toBeUndefined();
  });

  it.each([
    ['PORT', '3000x'],
    ['PORT', '70000'],
    ['MONGODB_URI', 'postgres://localhost'],
    ['MONGODB_DB_NAME', 'bad name'],
    ['EMBEDDED_MONGO', 'docker'],
    ['GRAPHQL_IDE', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'http://cache:6379'],
    ['RATE_LIMIT_PER_ADDRESS', '0'],
    ['TRUST_PROXY', 'everyone'],
    ['CORS_ORIGINS', 'app.example.org'],
    ['GRAPHQL_MAX_DEPTH', '1'],
  ])('rejects an invalid %s with an error naming it', (variable, value) => {
    expect(() => loadAppConfig({ [variable]: value })).toThrow(InvalidConfigError);
    expect(() => loadAppConfig({ [variable]: value })).toThrow(new RegExp(`^Invalid configuration: ${variable}:`));
  });
});
