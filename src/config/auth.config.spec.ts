import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app-config';
import { DEVELOPMENT_JWT_SECRET } from './auth.config';

const SECRET = 'a-production-secret-of-at-least-32-chars';
const settings = (env: Record<string, string>) => loadAppConfig(env).auth;

describe('auth settings', () => {
  it('uses the development secret only in development, when no key is set', () => {
    expect(settings({})).toEqual({
      key: { kind: 'secret', secret: new TextEncoder().encode(DEVELOPMENT_JWT_SECRET), development: true },
      issuer: undefined,
      audience: undefined,
      clockToleranceSeconds: 5,
    });
  });

  it('reads the secret, the expected issuer and audience, and the clock tolerance', () => {
    const sut = settings({
      AUTH_JWT_SECRET: SECRET,
      AUTH_JWT_ISSUER: 'https://login.example.org',
      AUTH_JWT_AUDIENCE: 'school-data',
      AUTH_CLOCK_TOLERANCE_SECONDS: '300',
    });
    expect(sut).toEqual({
      key: { kind: 'secret', secret: new TextEncoder().encode(SECRET), development: false },
      issuer: 'https://login.example.org',
      audience: 'school-data',
      clockToleranceSeconds: 300,
    });
  });

  it.each(['production', 'test'])('refuses to start in %s without a key, naming AUTH_JWT_SECRET', (environment) => {
    expect(() => loadAppConfig({ NODE_ENV: environment })).toThrow(
      `Invalid configuration: AUTH_JWT_SECRET: a token key is needed outside development: set AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY_FILE or AUTH_JWKS_FILE (NODE_ENV is ${environment})`,
    );
  });

  it('refuses a short secret without repeating it', () => {
    let message = '';
    try {
      loadAppConfig({ AUTH_JWT_SECRET: 'short-secret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('Invalid configuration: AUTH_JWT_SECRET: AUTH_JWT_SECRET must be at least 32 characters');
  });

  it('refuses two key sources at once', () => {
    expect(() => loadAppConfig({ AUTH_JWT_SECRET: SECRET, AUTH_JWKS_FILE: '/nowhere.json' })).toThrow(
      'Invalid configuration: AUTH_JWKS_FILE: set only one of AUTH_JWT_SECRET, AUTH_JWKS_FILE',
    );
  });

  it('refuses AUTH_CLOCK_TOLERANCE_SECONDS over 300', () => {
    expect(() => loadAppConfig({ AUTH_CLOCK_TOLERANCE_SECONDS: '301' })).toThrow(
      'Invalid configuration: AUTH_CLOCK_TOLERANCE_SECONDS: AUTH_CLOCK_TOLERANCE_SECONDS must not be greater than 300 (got 301)',
    );
  });

  it('reads an RSA public key file and a JWKS file, and names a file it cannot use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    writeFileSync(join(dir, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'ec.pem'), ecKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(
      join(dir, 'jwks.json'),
      JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }] }),
    );
    writeFileSync(join(dir, 'broken.json'), '{"keys": []}');
    expect(settings({ AUTH_JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem') }).key.kind).toBe('public-key');
    expect(settings({ AUTH_JWKS_FILE: join(dir, 'jwks.json') }).key).toEqual({
      kind: 'jwks',
      jwks: { keys: [expect.objectContaining({ kid: 'k1', kty: 'RSA' })] },
    });
    expect(() => loadAppConfig({ AUTH_JWKS_FILE: join(dir, 'broken.json') })).toThrow(
      `Invalid configuration: AUTH_JWKS_FILE: ${join(dir, 'broken.json')}: a JSON Web Key Set {"keys": [...]} with at least one key is needed`,
    );
    expect(() => loadAppConfig({ AUTH_JWT_PUBLIC_KEY_FILE: join(dir, 'missing.pem') })).toThrow(
      new RegExp(`^Invalid configuration: AUTH_JWT_PUBLIC_KEY_FILE: ${join(dir, 'missing\\.pem')}: ENOENT`),
    );
    expect(() => loadAppConfig({ AUTH_JWT_PUBLIC_KEY_FILE: join(dir, 'ec.pem') })).toThrow(
      `Invalid configuration: AUTH_JWT_PUBLIC_KEY_FILE: ${join(dir, 'ec.pem')}: an RSA key is needed, not ec`,
    );
  });
});
