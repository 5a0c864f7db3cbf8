import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';

/**
 * A Fastify adapter that drains on shutdown: from the moment `app.close()` begins (a SIGTERM), requests in
 * flight are answered with `Connection: close` and every connection is closed as soon as it is idle, so the
 * server stops once the last answer is out. (Fastify closes only the connections idle at the moment it closes;
 * a keep-alive connection whose request was in flight then stayed open until Fastify gave up waiting, 10 s
 * later.) New requests meanwhile are answered 503 by Nest (`return503OnClosing`).
 */
export class DrainingFastifyAdapter extends FastifyAdapter {
  private draining = false;

  constructor(options: FastifyServerOptions) {
    super(options);
    const fastify = this.getInstance();
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      if (this.draining && reply.raw.req.httpVersionMajor < 2) void reply.header('Connection', 'close');
      done(null, payload);
    });
    // A response whose headers were out before draining began leaves its connection idle after it: close it then.
    fastify.addHook('onResponse', (_request, _reply, done) => {
      if (this.draining) setImmediate(() => this.closeIdleConnections());
      done();
    });
  }

  override beforeClose(): void {
    super.beforeClose();
    this.draining = true;
    this.closeIdleConnections();
  }

  private closeIdleConnections(): void {
    const server: unknown = this.getHttpServer();
    if (server && typeof (server as { closeIdleConnections?: unknown }).closeIdleConnections === 'function') {
      (server as { closeIdleConnections(): void }).closeIdleConnections();
    }
  }
}
