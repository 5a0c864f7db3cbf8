import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { enterRequestContext, reenterRequestContext } from '../common/request-context';
import type { AppConfig } from '../config/app-config';
import { ResponsePolicy } from '../edge/response-policy';
import { requestLogHook } from '../logging/request-log';
import { limitJsonDepth } from '../security/json-depth-limit';
import { RequestGate } from '../security/request-gate';
import { SecurityHeaders } from '../security/security-headers';
import { AnswerCounters } from '../status/answer-counters';
import { countAnswers } from '../status/count-answers';
import { refuseSubscriptionsOverHttp } from '../subscriptions/http-subscription-refusal';
import { DrainingFastifyAdapter } from './draining-fastify-adapter';
import { GRAPHQL_IDE_INLINE_SCRIPT_HASH } from './graphql-ide';

/** REST body size limit: generous for any real record, small enough to shed abuse early. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

const GRAPHQL_PATH = '/graphql';

/** What browsers may load for the service's pages (the GraphQL IDE, Swagger UI): only its own assets. */
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", GRAPHQL_IDE_INLINE_SCRIPT_HASH],
    styleSrc: ["'self'", "'unsafe-inline'"],
    fontSrc: ["'self'", 'data:'],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * Everything an HTTP request passes through, in this order (Fastify runs the hooks of one kind in the order they
 * are added here):
 *
 *   onRequest    1. request context    a RequestContext for the request (principal, data source, cache keys)
 *                2. security headers   the API's, on every answer, errors included (nosniff, HSTS, a CSP that
 *                                      allows nothing, no referrer, no framing)
 *                3. request gate       bearer token → principal (401 if it does not verify); rate limit (429)
 *                4. CORS               @fastify/cors, for the allowed browser origins only
 *   body         5. body limits        1 MB for REST, GRAPHQL_MAX_BODY_BYTES for /graphql; JSON nesting ≤ 32
 *   preHandler   6. request context    entered again: body parsing may run outside it
 *                7. /graphql only      subscriptions over HTTP refused (they are served over WebSocket)
 *   handler         Nest: validation pipe → controller or resolver → service → repository → store chain
 *                   (src/persistence/store-chain.ts); errors → RestExceptionFilter / formatGraphqlError
 *   onSend       8. response policy    202 for journalled writes; X-Data-Source, Cache-Control, xkey, X-Cache-Scope, Vary;
 *                                      `Connection: close` while the server drains (shutting down); pages (HTML)
 *                                      get helmet's whole set with the pages' Content-Security-Policy
 *   onResponse   9. answers counted    each API answer by its source (X-Data-Source, or 503) with its latency, per
 *                                      second for the status page (src/status/)
 *               10. request log        one line per answered request at LOG_LEVEL=log and below
 *
 * Called once the providers exist and before the routes are registered (app.init()).
 */
export function registerHttpPipeline(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  const gate = app.get(RequestGate);
  const responses = app.get(ResponsePolicy);
  const { corsOrigins } = config.limits;

  fastify.addHook('onRequest', enterRequestContext);
  const securityHeaders = new SecurityHeaders(CONTENT_SECURITY_POLICY);
  fastify.addHook('onRequest', securityHeaders.onRequest);
  fastify.addHook('onRequest', gate.check);
  if (corsOrigins === '*' || corsOrigins.length > 0) {
    app.enableCors({
      origin: corsOrigins === '*' ? true : corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept'],
      exposedHeaders: ['X-Data-Source', 'X-Data-Age', 'Retry-After', 'X-Cache'],
      maxAge: 600,
    });
  }

  limitJsonDepth(app, BODY_LIMIT_BYTES);
  fastify.addHook('preHandler', reenterRequestContext);
  fastify.addHook('onRoute', (route) => {
    if (route.url !== GRAPHQL_PATH) return;
    route.bodyLimit = config.graphql.maxBodyBytes;
    const own = route.preHandler ? [route.preHandler].flat() : [];
    route.preHandler = [...own, refuseSubscriptionsOverHttp];
  });

  const adapter = app.getHttpAdapter() as unknown as DrainingFastifyAdapter;
  fastify.addHook('onSend', (request, reply, payload, done) => {
    responses.apply(request, reply);
    securityHeaders.forAnswer(reply);
    if (adapter.draining && request.raw.httpVersionMajor < 2) void reply.header('Connection', 'close');
    done(null, payload);
  });
  fastify.addHook('onResponse', countAnswers(app.get(AnswerCounters)));
  const logRequest = requestLogHook(config.server.logLevel);
  if (logRequest) fastify.addHook('onResponse', logRequest);
}
