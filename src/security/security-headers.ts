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

/** An onRequest hook adding helmet's security headers to every answer, errors included. */
export function securityHeadersHook(
  options: HelmetOptions,
): (request: FastifyRequest, reply: FastifyReply, done: () => void) => void {
  const headers = helmetHeaders(options);
  return (_request, reply, done) => {
    void reply.headers(headers);
    done();
  };
}
