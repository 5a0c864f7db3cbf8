import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../common/errors/domain-errors';
import { ANONYMOUS, type Principal } from '../common/principal';
import { RateLimiter } from './rate-limiter';
import { TokenVerifier } from './token-verifier';

const BEARER = /^Bearer +([A-Za-z0-9_.~+/=-]+) *$/i;

/** Probes must never be throttled: a 429 on readiness would take a healthy instance out of service. */
const UNLIMITED_PATHS = /^\/health(\/|\?|$)/;

const GRAPHQL_PATH = /^\/graphql(\?|$)/;

/**
 * What every HTTP request meets before its body is read (an onRequest hook of the HTTP pipeline): who is asking
 * (the bearer token, verified) and whether they are over their request rate. A token that does not verify answers
 * 401, a client over its rate 429 with Retry-After; otherwise the request goes on with its Principal in its
 * RequestContext. GraphQL subscriptions authenticate in the WebSocket handshake instead.
 */
@Injectable()
export class RequestGate {
  constructor(
    private readonly tokens: TokenVerifier,
    private readonly rates: RateLimiter,
  ) {}

  /** The onRequest hook: refuses the request, or lets it go on with its principal. */
  readonly check = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    let principal: Principal = ANONYMOUS;
    let rejection: UnauthenticatedError | undefined;
    try {
      principal = await this.authenticate(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof UnauthenticatedError)) throw error;
      rejection = error;
    }
    if (!UNLIMITED_PATHS.test(request.url)) {
      const decision = await this.rates.take(principal, request.ip);
      if (!decision.allowed) {
        void reply.header('Retry-After', String(decision.retryAfterSeconds));
        return this.refuse(
          request,
          reply,
          429,
          'TOO_MANY_REQUESTS',
          `too many requests: retry after ${decision.retryAfterSeconds} s`,
        );
      }
    }
    if (rejection) {
      void reply.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      return this.refuse(request, reply, 401, rejection.code, rejection.message);
    }
    if (request.context) request.context.principal = principal;
    return undefined;
  };

  /** Anonymous without an Authorization header (or an empty one); a header that is not a bearer token is refused. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined || authorization.trim() === '') return ANONYMOUS;
    const token = BEARER.exec(authorization)?.[1];
    if (!token) throw new UnauthenticatedError('the Authorization header must be "Bearer <token>"');
    return this.tokens.verify(token);
  }

  /** Answers in the shape the client expects: a GraphQL error on /graphql, the REST error body elsewhere. */
  private refuse(request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string) {
    const body = GRAPHQL_PATH.test(request.url)
      ? { errors: [{ message, extensions: { code } }] }
      : { statusCode: status, error: code, message };
    return reply.code(status).header('Content-Type', 'application/json; charset=utf-8').send(body);
  }
}
