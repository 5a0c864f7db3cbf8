import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * helmet's headers, worked out once: with static options they are the same for every answer, and
 * running helmet per request (as its Fastify plugin does) re-reads its options each time, which cost
 * about 6% of the service's CPU on a read by id.
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => (headers[name] = String(value)),
    removeHeader: (name: string) => delete headers[name],
  };
  let done = false;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => (done = true));
  if (!done) throw new Error('helmet did not set its headers synchronously');
  return headers;
}

/**
 * The headers of an API answer (JSON, errors included): what a browser needs to never render, sniff or frame it
 * (a Content-Security-Policy that allows nothing), HSTS and no referrer, as OWASP's REST security cheat sheet
 * recommends. The headers that only concern documents (cross-origin opener isolation, DNS prefetching, downloads,
 * the XSS auditor…) are for pages.
 */
const API_HEADERS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/**
 * Security headers: the API's on every answer (an onRequest hook, so errors have them too), helmet's whole set with
 * the pages' Content-Security-Policy on the service's pages (the GraphQL IDE, Swagger UI), added when the answer
 * turns out to be HTML.
 */
export class SecurityHeaders {
  private readonly api = helmetHeaders(API_HEADERS);
  private readonly page: Record<string, string>;

  constructor(pageContentSecurityPolicy: HelmetOptions['contentSecurityPolicy']) {
    this.page = helmetHeaders({ contentSecurityPolicy: pageContentSecurityPolicy });
  }

  /** The onRequest hook: the API's headers. */
  readonly onRequest = (_request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    void reply.headers(this.api);
    done();
  };

  /** For an answer about to be sent: a page (HTML) gets the pages' headers. */
  forAnswer(reply: FastifyReply): void {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) void reply.headers(this.page);
  }
}
