import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { isMongoId } from 'class-validator';
import { createLocalJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type KeyObject } from 'jose';
import { UnauthenticatedError } from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import { ROLES, type Principal, type Role } from '../common/principal';

/** Verified tokens are remembered until they expire, so a busy client costs one signature check, not one per request. */
const CACHE_LIMIT = 10_000;

type VerificationKey = Uint8Array | KeyObject | JWTVerifyGetKey;

/**
 * Turns `Authorization: Bearer <JWT>` into a Principal: HS256 with the configured secret, or RS256 with the
 * configured public key or JWKS file. Only that algorithm is accepted (`alg: none` never is); `exp` is
 * required; `nbf`, issuer and audience are checked when present or configured. Claims: `sub`, `role`
 * (admin | headmaster | teacher) and, for headmasters and teachers, `schoolId`.
 */
@Injectable()
export class TokenVerifier implements OnModuleInit {
  private readonly logger = new Logger('Authentication');
  private readonly key: VerificationKey;
  private readonly algorithms: string[];
  private readonly verified = new Map<string, { principal: Principal; validUntilMs: number }>();

  constructor(private readonly config: AppConfig) {
    const { key } = config.auth;
    if (key.kind === 'secret') {
      this.key = key.secret;
      this.algorithms = ['HS256'];
    } else if (key.kind === 'public-key') {
      this.key = key.publicKey;
      this.algorithms = ['RS256'];
    } else {
      this.key = createLocalJWKSet(key.jwks);
      this.algorithms = ['RS256'];
    }
  }

  onModuleInit(): void {
    const { key } = this.config.auth;
    if (key.kind === 'secret' && key.development) {
      this.logger.warn(
        'Verifying tokens with the development secret (NODE_ENV=development and no AUTH_JWT_SECRET): ' +
          'mint tokens with `npm run token`; never use this outside development',
      );
    }
  }

  /** The principal of a bearer token; UnauthenticatedError, saying why, when it does not verify. */
  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const cached = this.verified.get(token);
    if (cached && now < cached.validUntilMs) return cached.principal;

    const { auth } = this.config;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.algorithms,
        issuer: auth.issuer,
        audience: auth.audience,
        clockTolerance: auth.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw new UnauthenticatedError(`the bearer token is not accepted: ${reasonOf(error)}`);
    }
    const principal = principalFrom(payload);
    this.remember(token, principal, ((payload.exp ?? 0) + auth.clockToleranceSeconds) * 1000);
    return principal;
  }

  private remember(token: string, principal: Principal, validUntilMs: number): void {
    if (this.verified.size >= CACHE_LIMIT) {
      for (const [cachedToken, entry] of this.verified) {
        if (entry.validUntilMs <= Date.now()) this.verified.delete(cachedToken);
      }
      // Still full of live tokens: forget the oldest.
      if (this.verified.size >= CACHE_LIMIT) this.verified.delete(this.verified.keys().next().value!);
    }
    this.verified.set(token, { principal, validUntilMs });
  }
}

function principalFrom(payload: JWTPayload): Principal {
  const { sub, role, schoolId, exp } = payload as JWTPayload & { role?: unknown; schoolId?: unknown };
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) {
    throw new UnauthenticatedError('the bearer token is not accepted: its sub claim must be a non-empty string');
  }
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) {
    throw new UnauthenticatedError(
      `the bearer token is not accepted: its role claim must be one of ${ROLES.join(', ')}`,
    );
  }
  if (role === 'admin') return { role, sub, expiresAt: exp };
  if (typeof schoolId !== 'string' || !isMongoId(schoolId)) {
    throw new UnauthenticatedError(
      `the bearer token is not accepted: a ${role} token needs a schoolId claim (a 24-character hexadecimal id)`,
    );
  }
  return {
    role: role as 'headmaster' | 'teacher',
    sub: sub.toLowerCase(),
    schoolId: schoolId.toLowerCase(),
    expiresAt: exp,
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'it has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat') return 'it is not valid yet';
    return `its ${error.claim} claim is not accepted`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'its signing algorithm is not accepted';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'its signature does not verify';
  }
  if (error instanceof errors.JOSENotSupported) return 'its signing algorithm is not accepted';
  return 'it is not a well-formed JWT';
}
