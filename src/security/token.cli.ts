// Mints bearer tokens for development and tests: `npm run token -- --role headmaster --school <id>`.
// Prints the token alone on stdout (TOKEN=$(npm run -s token -- …)); anything else goes to stderr.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isMongoId } from 'class-validator';
import { importPKCS8, SignJWT, type CryptoKey } from 'jose';
import { DEVELOPMENT_JWT_SECRET } from '../config/auth.config';
import { ROLES, type Role } from '../common/principal';

const USAGE = `Usage: npm run token -- --role admin|headmaster|teacher [--school <schoolId>] [--sub <subject>]
                       [--expires-in 1h] [--secret <secret> | --private-key <pkcs8.pem> [--kid <key id>]]
                       [--issuer <iss>] [--audience <aud>]

  --role        the role claim (required)
  --school      the school of a headmaster or teacher (required for them)
  --sub         the subject: a teacher's own teacher id (their profile), a headmaster's id; default dev-<role>
  --expires-in  lifetime: 30s, 15m, 1h, 7d (default 1h)
  --secret      HS256 secret (default: AUTH_JWT_SECRET, else the development secret when NODE_ENV is development or unset)
  --private-key RS256 private key (PKCS#8 PEM), for services verifying with AUTH_JWT_PUBLIC_KEY_FILE or AUTH_JWKS_FILE
  --issuer, --audience  the iss and aud claims (default: AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE)`;

class UsageError extends Error {}

async function signingKey(values: {
  secret?: string;
  'private-key'?: string;
}): Promise<{ key: Uint8Array | CryptoKey; alg: string }> {
  if (values['private-key']) {
    return { key: await importPKCS8(readFileSync(values['private-key'], 'utf8'), 'RS256'), alg: 'RS256' };
  }
  const secret = values.secret ?? process.env.AUTH_JWT_SECRET;
  if (secret) return { key: new TextEncoder().encode(secret), alg: 'HS256' };
  const environment = process.env.NODE_ENV ?? 'development';
  if (environment !== 'development') {
    throw new UsageError(
      `NODE_ENV is ${environment}: give --secret or AUTH_JWT_SECRET (there is no default secret outside development)`,
    );
  }
  process.stderr.write(
    'Signed with the development secret: accepted only by a service running with NODE_ENV=development.\n',
  );
  return { key: new TextEncoder().encode(DEVELOPMENT_JWT_SECRET), alg: 'HS256' };
}

export async function mintToken(argv: string[]): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      school: { type: 'string' },
      sub: { type: 'string' },
      'expires-in': { type: 'string', default: '1h' },
      secret: { type: 'string' },
      'private-key': { type: 'string' },
      kid: { type: 'string' },
      issuer: { type: 'string', default: process.env.AUTH_JWT_ISSUER },
      audience: { type: 'string', default: process.env.AUTH_JWT_AUDIENCE },
    },
    strict: true,
  });
  const role = values.role as Role | undefined;
  if (!role || !ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  if (role !== 'admin' && !(values.school && isMongoId(values.school))) {
    throw new UsageError(`--school <24-character hexadecimal id> is required for a ${role}`);
  }
  if (!/^\d+[smhd]$/.test(values['expires-in'])) throw new UsageError('--expires-in must look like 30s, 15m, 1h or 7d');

  const { key, alg } = await signingKey(values);
  const claims = role === 'admin' ? { role } : { role, schoolId: values.school!.toLowerCase() };
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT', ...(values.kid ? { kid: values.kid } : {}) })
    .setSubject(values.sub ?? `dev-${role}`)
    .setIssuedAt()
    .setExpirationTime(values['expires-in']);
  if (values.issuer) jwt = jwt.setIssuer(values.issuer);
  if (values.audience) jwt = jwt.setAudience(values.audience);
  return jwt.sign(key);
}

if (require.main === module) {
  mintToken(process.argv.slice(2)).then(
    (token) => process.stdout.write(`${token}\n`),
    (error: unknown) => {
      const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      process.stderr.write(`${(error as Error).message}\n${usage ? `\n${USAGE}\n` : ''}`);
      process.exit(usage ? 2 : 1);
    },
  );
}
