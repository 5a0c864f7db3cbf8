import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { aboutTheVariable, integer } from './environment-variables';
import { nodeEnvironment } from './server.config';

/** The development secret: used only with NODE_ENV=development and no key configured (README, "Security"). */
export const DEVELOPMENT_JWT_SECRET = 'school-data-service-development-only-secret-0123456789';

/** How bearer tokens are verified: one key source, from AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY_FILE or AUTH_JWKS_FILE. */
export type TokenKey =
  | { readonly kind: 'secret'; readonly secret: Uint8Array; readonly development: boolean }
  | { readonly kind: 'public-key'; readonly publicKey: KeyObject }
  | { readonly kind: 'jwks'; readonly jwks: { keys: Record<string, unknown>[] } };

const KEY_SOURCES = ['AUTH_JWT_SECRET', 'AUTH_JWT_PUBLIC_KEY_FILE', 'AUTH_JWKS_FILE'] as const;

const authVariables = z.object({
  NODE_ENV: nodeEnvironment,
  AUTH_JWT_SECRET: z.string().min(32, aboutTheVariable('must be at least 32 characters')).optional(),
  AUTH_JWT_PUBLIC_KEY_FILE: z.string().optional(),
  AUTH_JWKS_FILE: z.string().optional(),
  AUTH_JWT_ISSUER: z.string().optional(),
  AUTH_JWT_AUDIENCE: z.string().optional(),
  AUTH_CLOCK_TOLERANCE_SECONDS: integer({ min: 0, max: 300 }).default(5),
});

/** A problem with a variable whose value the message itself describes (a file, or no value at all). */
class KeyProblem extends Error {
  constructor(
    readonly variable: (typeof KEY_SOURCES)[number],
    reason: string,
  ) {
    super(reason);
  }
}

/** Bearer token verification (see README, "Tokens"). */
export const authConfig = authVariables.transform((variables, context) => {
  try {
    return {
      key: tokenKey(variables),
      /** When set, tokens must carry this `iss`. */
      issuer: variables.AUTH_JWT_ISSUER,
      /** When set, tokens must carry this `aud`. */
      audience: variables.AUTH_JWT_AUDIENCE,
      /** Clock skew allowed for `exp` and `nbf`. */
      clockToleranceSeconds: variables.AUTH_CLOCK_TOLERANCE_SECONDS,
    };
  } catch (error) {
    if (!(error instanceof KeyProblem)) throw error;
    context.addIssue({ code: 'custom', path: [error.variable], message: error.message, input: undefined });
    return z.NEVER;
  }
});

export type AuthSettings = Readonly<z.output<typeof authConfig>>;

function tokenKey(variables: z.output<typeof authVariables>): TokenKey {
  const sources = KEY_SOURCES.filter((name) => variables[name] !== undefined);
  if (sources.length > 1) throw new KeyProblem(sources[1], `set only one of ${sources.join(', ')}`);
  if (variables.AUTH_JWT_SECRET !== undefined) {
    return { kind: 'secret', secret: new TextEncoder().encode(variables.AUTH_JWT_SECRET), development: false };
  }
  if (variables.AUTH_JWT_PUBLIC_KEY_FILE !== undefined) return publicKeyIn(variables.AUTH_JWT_PUBLIC_KEY_FILE);
  if (variables.AUTH_JWKS_FILE !== undefined) return keySetIn(variables.AUTH_JWKS_FILE);
  if (variables.NODE_ENV !== 'development') {
    throw new KeyProblem(
      'AUTH_JWT_SECRET',
      `a token key is needed outside development: set AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY_FILE or AUTH_JWKS_FILE (NODE_ENV is ${variables.NODE_ENV})`,
    );
  }
  return { kind: 'secret', secret: new TextEncoder().encode(DEVELOPMENT_JWT_SECRET), development: true };
}

function publicKeyIn(file: string): TokenKey {
  try {
    const publicKey = createPublicKey(readFileSync(file));
    if (publicKey.asymmetricKeyType !== 'rsa') {
      throw new Error(`an RSA key is needed, not ${publicKey.asymmetricKeyType}`);
    }
    return { kind: 'public-key', publicKey };
  } catch (error) {
    throw new KeyProblem('AUTH_JWT_PUBLIC_KEY_FILE', `${file}: ${(error as Error).message}`);
  }
}

function keySetIn(file: string): TokenKey {
  let jwks: unknown;
  try {
    jwks = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KeyProblem('AUTH_JWKS_FILE', `${file}: ${(error as Error).message}`);
  }
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'object' && key !== null)) {
    throw new KeyProblem(
      'AUTH_JWKS_FILE',
      `${file}: a JSON Web Key Set {"keys": [...]} with at least one key is needed`,
    );
  }
  return { kind: 'jwks', jwks: { keys: keys as Record<string, unknown>[] } };
}
