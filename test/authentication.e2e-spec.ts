import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, SignJWT } from 'jose';
import { generateDemoData } from '../src/demo-data/demo-data';
import { startTestApp, type TestApp } from './support/test-app';
import { ANONYMOUS, mintTestToken, TEST_JWT_SECRET } from './support/tokens';

const demo = generateDemoData();
const schoolId = demo.schools[0]._id.toHexString();
const teacher = demo.teachers.find((candidate) => candidate.schoolId.toHexString() === schoolId)!;
const TOKEN_CLI = join(__dirname, '..', 'dist', 'security', 'token.cli.js');

function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

describe('Authentication with bearer tokens (HS256)', () => {
  let sut: TestApp;
  const teacherPath = `/api/teachers/${teacher._id.toHexString()}`;
  const headmasterOfSchool = { role: 'headmaster', schoolId } as const;

  const withToken = (token: string, path = teacherPath) =>
    sut.request('GET', path, undefined, { authorization: `Bearer ${token}` });

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('accepts a valid token', async () => {
    const answer = await withToken(await mintTestToken(headmasterOfSchool));
    expect(answer.status).toBe(200);
    expect(answer.body.email).toBe(teacher.email);
  });

  it.each([
    ['expired', () => mintTestToken(headmasterOfSchool, { expiresInSeconds: -120 }), /expired/],
    ['not valid yet', () => mintTestToken(headmasterOfSchool, { notBeforeInSeconds: 600 }), /not valid yet/],
    ['signed with another secret', () => mintTestToken(headmasterOfSchool, { secret: 'x'.repeat(48) }), /signature/],
    [
      'with alg none',
      () => Promise.resolve(unsignedToken({ sub: 'h', role: 'admin', exp: Math.floor(Date.now() / 1000) + 600 })),
      /algorithm|well-formed/,
    ],
    ['with an unknown role', () => mintTestToken(headmasterOfSchool, { claims: { role: 'superuser' } }), /role/],
    ['garbage', () => Promise.resolve('abc.def'), /well-formed/],
  ])('answers 401 to a token %s, over REST and GraphQL', async (_case, token, reason) => {
    const minted = await token();
    const rest = await withToken(minted);
    expect(rest.status).toBe(401);
    expect(rest.body).toEqual({ statusCode: 401, error: 'UNAUTHENTICATED', message: expect.stringMatching(reason) });
    expect(rest.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const graphql = await sut.request(
      'POST',
      '/graphql',
      { query: '{ schools { total } }' },
      { authorization: `Bearer ${minted}` },
    );
    expect(graphql.status).toBe(401);
    expect(graphql.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 to an Authorization header that is not a bearer token, even on public data', async () => {
    const answer = await sut.request('GET', '/api/schools', undefined, { authorization: 'Basic YWRtaW46YWRtaW4=' });
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/Bearer/);
  });

  it('answers 401 to protected data without a token, naming what to send', async () => {
    const answer = await (await sut.as(ANONYMOUS)).request('GET', teacherPath);
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/Authorization: Bearer/);
  });

  it('still answers health probes without a token', async () => {
    expect((await (await sut.as(ANONYMOUS)).request('GET', '/health/live')).status).toBe(200);
    expect((await sut.request('GET', '/health/ready', undefined, { authorization: '' })).status).toBe(200);
  });

  it('accepts the tokens `npm run token` mints for the configured secret', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [TOKEN_CLI, '--role', 'teacher', '--school', schoolId, '--sub', teacher._id.toHexString(), '--expires-in', '5m'],
      { env: { ...process.env, AUTH_JWT_SECRET: TEST_JWT_SECRET, NODE_ENV: 'test' } },
    );
    const answer = await withToken(stdout.trim());
    expect(answer.status).toBe(200);
    expect(answer.body.email).toBe(teacher.email);
  });

  it('`npm run token` refuses to sign with the development secret outside development', async () => {
    const run = promisify(execFile)(process.execPath, [TOKEN_CLI, '--role', 'admin'], {
      env: { ...process.env, AUTH_JWT_SECRET: '', NODE_ENV: 'production' },
    });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/no default secret/) });
  });
});

describe('Authentication with RS256 keys', () => {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(join(tmpdir(), 'auth-keys-'));

  async function signRs256(claims: Record<string, unknown>, kid?: string): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', ...(kid ? { kid } : {}) })
      .setSubject('rs-admin')
      .setExpirationTime('5m')
      .sign(keys.privateKey);
  }

  it('verifies with a public key file (AUTH_JWT_PUBLIC_KEY_FILE), refusing HS256 tokens', async () => {
    writeFileSync(join(dir, 'public.pem'), keys.publicKey.export({ type: 'spki', format: 'pem' }));
    const sut = await startTestApp({ env: { AUTH_JWT_SECRET: '', AUTH_JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem') } });
    try {
      const good = await sut.request('GET', '/api/admin/fallback', undefined, {
        authorization: `Bearer ${await signRs256({ role: 'admin' })}`,
      });
      expect(good.status).toBe(200);
      const hs256 = await sut.request('GET', '/api/admin/fallback', undefined, {
        authorization: `Bearer ${await mintTestToken({ role: 'admin' })}`,
      });
      expect(hs256.status).toBe(401);
    } finally {
      await sut.close();
    }
  });

  it('verifies with a JWKS file (AUTH_JWKS_FILE), choosing the key by kid', async () => {
    writeFileSync(
      join(dir, 'jwks.json'),
      JSON.stringify({ keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'key-2026', alg: 'RS256', use: 'sig' }] }),
    );
    const sut = await startTestApp({ env: { AUTH_JWT_SECRET: '', AUTH_JWKS_FILE: join(dir, 'jwks.json') } });
    try {
      const good = await sut.request('GET', '/metrics', undefined, {
        authorization: `Bearer ${await signRs256({ role: 'admin' }, 'key-2026')}`,
      });
      expect(good.status).toBe(200);
      const unknownKid = await sut.request('GET', '/metrics', undefined, {
        authorization: `Bearer ${await signRs256({ role: 'admin' }, 'key-1999')}`,
      });
      expect(unknownKid.status).toBe(401);
    } finally {
      await sut.close();
    }
  });
});
