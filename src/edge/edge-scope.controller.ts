import { Controller, Get, Injectable, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../common/errors/domain-errors';
import { ANONYMOUS, type Principal } from '../common/principal';
import { AppConfig } from '../config/app-config';

/** The longest an edge may remember a token's scope: a token's scope is looked up again at least this often. */
export const SCOPE_LOOKUP_MAX_AGE_SECONDS = 60;

/** The path of the scope lookup, outside /api (the global prefix leaves it out). */
export const EDGE_SCOPE_PATH = 'edge/scope';

/**
 * The opaque value an edge keys `X-Cache-Scope: scope` answers by: an HMAC of the caller's role and school, so that
 * callers of one role and school get one value, others another, and nothing outside the service can make one.
 */
@Injectable()
export class EdgeScopes {
  private readonly secret: string | Buffer;

  constructor(config: AppConfig) {
    this.secret = config.edge.scopeSecret ?? randomBytes(32);
  }

  valueOf(principal: Principal): string {
    const school = 'schoolId' in principal ? principal.schoolId : '';
    return createHmac('sha256', this.secret).update(`${principal.role}\n${school}`).digest('base64url');
  }
}

/**
 * `GET /edge/scope` with the bearer token: 200 with the token's scope value (`X-Edge-Scope` and `{"scope": …}`),
 * cacheable for at most a minute and never past the token's `exp`; 401 when the token does not verify (the request
 * gate answers it) or is missing. The edge asks this instead of trusting the token's claims, which it cannot verify.
 */
@ApiExcludeController()
@Controller('edge')
export class EdgeScopeController {
  constructor(private readonly scopes: EdgeScopes) {}

  @Get('scope')
  scope(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): { scope: string } {
    const principal = request.context?.untrackedPrincipal ?? ANONYMOUS;
    if (principal.role === 'anonymous') {
      throw new UnauthenticatedError('the scope of a caller needs their token: send Authorization: Bearer <token>');
    }
    const secondsLeft =
      principal.expiresAt === undefined
        ? SCOPE_LOOKUP_MAX_AGE_SECONDS
        : principal.expiresAt - Math.ceil(Date.now() / 1000);
    const maxAge = Math.min(SCOPE_LOOKUP_MAX_AGE_SECONDS, secondsLeft);
    const scope = this.scopes.valueOf(principal);
    void reply.header('Cache-Control', maxAge > 0 ? `private, max-age=${maxAge}` : 'no-store');
    void reply.header('Vary', 'Authorization');
    void reply.header('X-Edge-Scope', scope);
    // So that every remembered lookup can be dropped at once (`xkey-purge: edge-scope`), e.g. after a key rotation.
    void reply.header('xkey', 'edge-scope');
    return { scope };
  }
}
