import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';

/** How often connections that went idle are closed while the server drains. */
const IDLE_SWEEP_MS = 20;

/**
 * A Fastify adapter that drains on shutdown: from the moment `app.close()` begins (a SIGTERM), requests in flight
 * are answered with `Connection: close` (the HTTP pipeline's response step asks `draining`) and every connection
 * is closed as soon as it is idle, so the server stops once the last answer is out. (Fastify closes only the
 * connections idle at the moment it closes; a keep-alive connection whose request was in flight then stayed open
 * until Fastify gave up waiting, 10 s later.) New requests meanwhile are answered 503 by Nest (`return503OnClosing`).
 */
export class DrainingFastifyAdapter extends FastifyAdapter {
  private sweeper?: NodeJS.Timeout;

  constructor(options: FastifyServerOptions) {
    super(options);
  }

  get draining(): boolean {
    return this.sweeper !== undefined;
  }

  override beforeClose(): void {
    super.beforeClose();
    this.closeIdleConnections();
    this.sweeper = setInterval(() => this.closeIdleConnections(), IDLE_SWEEP_MS).unref();
    this.getHttpServer()?.once('close', () => clearInterval(this.sweeper));
  }

  private closeIdleConnections(): void {
    const server: unknown = this.getHttpServer();
    if (server && typeof (server as { closeIdleConnections?: unknown }).closeIdleConnections === 'function') {
      (server as { closeIdleConnections(): void }).closeIdleConnections();
    }
  }
}
