import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';
import { UnauthenticatedError } from '../common/errors/domain-errors';
import { type AppConfig, loadAppConfig } from '../config/app-config';
import { TokenVerifier } from './token-verifier';

const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';
const SCHOOL = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

function configWith(key: AppConfig['auth']['key'], extra: Partial<AppConfig['auth']> = {}): AppConfig {
  const base = loadAppConfig({ AUTH_JWT_SECRET: SECRET });
  return { ...base, auth: { ...base.auth, key, ...extra } };
}

const secretConfig = () => loadAppConfig({ AUTH_JWT_SECRET: SECRET });

async function sign(
  claims: Record<string, unknown>,
  options: {
    alg?: string;
    key?: Uint8Array | KeyObject;
    expiresIn?: number | null;
    notBefore?: number;
    kid?: string;
  } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(claims).setProtectedHeader({
    alg: options.alg ?? 'HS256',
    ...(options.kid ? { kid: options.kid } : {}),
  });
  if (options.expiresIn !== null) jwt = jwt.setExpirationTime(now + (options.expiresIn ?? 600));
  if (options.notBefore !== undefined) jwt = jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(options.key ?? new TextEncoder().encode(SECRET));
}

const headmasterClaims = { sub: 'h1', role: 'headmaster', schoolId: SCHOOL };

describe(TokenVerifier.name, () => {
  it('turns a valid HS256 token into its principal', async () => {
    const sut = new TokenVerifier(secretConfig());
    await expect(sut.verify(await sign(headmasterClaims))).resolves.toMatchObject({
      role: 'headmaster',
      sub: 'h1',
      schoolId: SCHOOL,
    });
  });

  it.each([
    ['expired', () => sign(headmasterClaims, { expiresIn: -60 }), /has expired/],
    ['not valid yet', () => sign(headmasterClaims, { notBefore: 600 }), /not valid yet/],
    [
      'signed with another secret',
      () => sign(headmasterClaims, { key: new TextEncoder().encode('x'.repeat(40)) }),
      /signature/,
    ],
    ['without exp', () => sign(headmasterClaims, { expiresIn: null }), /exp/],
    ['with an unknown role', () => sign({ ...headmasterClaims, role: 'principal' }), /role claim/],
    ['a headmaster without a school', () => sign({ sub: 'h1', role: 'headmaster' }), /schoolId claim/],
    ['without a subject', () => sign({ role: 'admin' }), /sub/],
    ['not a JWT at all', () => Promise.resolve('not.a.jwt'), /well-formed/],
  ])('refuses a token %s, saying why', async (_case, token, reason) => {
    const sut = new TokenVerifier(secretConfig());
    const verifying = sut.verify(await token());
    await expect(verifying).rejects.toThrow(UnauthenticatedError);
    await expect(sut.verify(await token())).rejects.toThrow(reason);
  });

  it('refuses alg none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ ...headmasterClaims, exp: Math.floor(Date.now() / 1000) + 600 }),
    ).toString('base64url');
    const sut = new TokenVerifier(secretConfig());
    await expect(sut.verify(`${header}.${payload}.`)).rejects.toThrow(UnauthenticatedError);
  });

  it('verifies RS256 with a public key, and refuses an HS256 token signed with that public key', async () => {
    const sut = new TokenVerifier(configWith({ kind: 'public-key', publicKey: rsa.publicKey }));
    await expect(
      sut.verify(await sign(headmasterClaims, { alg: 'RS256', key: rsa.privateKey })),
    ).resolves.toMatchObject({
      role: 'headmaster',
    });
    const pem = new TextEncoder().encode(rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    await expect(sut.verify(await sign(headmasterClaims, { key: pem }))).rejects.toThrow(/algorithm/);
  });

  it('verifies RS256 with a JWKS, choosing the key by kid', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwks = {
      keys: [
        { ...(await exportJWK(other.publicKey)), kid: 'old', alg: 'RS256' },
        { ...(await exportJWK(rsa.publicKey)), kid: 'current', alg: 'RS256' },
      ],
    };
    const sut = new TokenVerifier(configWith({ kind: 'jwks', jwks }));
    const token = await sign({ sub: 'root', role: 'admin' }, { alg: 'RS256', key: rsa.privateKey, kid: 'current' });
    await expect(sut.verify(token)).resolves.toMatchObject({ role: 'admin', sub: 'root' });
    const wrongKid = await sign({ sub: 'root', role: 'admin' }, { alg: 'RS256', key: rsa.privateKey, kid: 'old' });
    await expect(sut.verify(wrongKid)).rejects.toThrow(/signature/);
  });

  it('checks issuer and audience when they are configured', async () => {
    const base = secretConfig();
    const sut = new TokenVerifier({
      ...base,
      auth: { ...base.auth, issuer: 'https://idp.example.org', audience: 'schools' },
    });
    await expect(sut.verify(await sign(headmasterClaims))).rejects.toThrow(/iss claim/);
    const good = await sign({ ...headmasterClaims, iss: 'https://idp.example.org', aud: 'schools' });
    await expect(sut.verify(good)).resolves.toMatchObject({ role: 'headmaster' });
  });

  it('remembers a verified token only until it expires', async () => {
    const sut = new TokenVerifier(secretConfig());
    const base = secretConfig();
    const strict = new TokenVerifier({ ...base, auth: { ...base.auth, clockToleranceSeconds: 0 } });
    // Expiry is in whole seconds: 3 s leaves at least 2 s for the first check on a busy machine.
    const shortLived = await sign(headmasterClaims, { expiresIn: 3 });
    await expect(strict.verify(shortLived)).resolves.toMatchObject({ role: 'headmaster' });
    const expiresAt = (JSON.parse(Buffer.from(shortLived.split('.')[1], 'base64url').toString()) as { exp: number })
      .exp;
    await new Promise((resolve) => setTimeout(resolve, expiresAt * 1000 - Date.now() + 100));
    await expect(strict.verify(shortLived)).rejects.toThrow(/expired/);
    await expect(sut.verify(await sign(headmasterClaims))).resolves.toBeDefined();
  });
});
