import { SignJWT } from 'jose';

/** The HS256 secret every test service verifies tokens with (AUTH_JWT_SECRET). */
export const TEST_JWT_SECRET = 'test-only-secret-for-the-e2e-tests-0123456789';

export type TestCaller =
  | { role: 'admin'; sub?: string }
  | { role: 'headmaster' | 'teacher'; schoolId: string; sub?: string }
  | { role: 'anonymous' };

export interface TokenOptions {
  /** Seconds from now until `exp` (negative: already expired). Default one hour. */
  expiresInSeconds?: number;
  /** Seconds from now until `nbf`. */
  notBeforeInSeconds?: number;
  secret?: string;
  /** Extra or replaced claims (e.g. an invalid role). */
  claims?: Record<string, unknown>;
}

/** A signed bearer token for `caller`, as an identity provider would issue it. */
export async function mintTestToken(
  caller: Exclude<TestCaller, { role: 'anonymous' }>,
  options: TokenOptions = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { role } = caller;
  const claims = { role, ...('schoolId' in caller ? { schoolId: caller.schoolId } : {}), ...options.claims };
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(caller.sub ?? `test-${role}`)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600));
  if (options.notBeforeInSeconds !== undefined) jwt = jwt.setNotBefore(now + options.notBeforeInSeconds);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

/** `Authorization` headers for `caller` (none for anonymous). */
export async function authorizationFor(caller: TestCaller): Promise<Record<string, string>> {
  if (caller.role === 'anonymous') return {};
  return { authorization: `Bearer ${await mintTestToken(caller)}` };
}

export const ADMIN: TestCaller = { role: 'admin', sub: 'test-admin' };
export const ANONYMOUS: TestCaller = { role: 'anonymous' };
