import { createServer, type Server, Socket } from 'node:net';

/** Most bytes held back per direction of one connection while delaying; the sender is paused beyond it. */
const MAX_QUEUED_BYTES = 1024 * 1024;
/** Most connections open at once; more are reset at once. */
const MAX_CONNECTIONS = 256;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

interface QueuedChunk {
  chunk: Buffer;
  receivedAt: number;
}

/**
 * One direction of a proxied connection: forwards chunks from `source` to `target` in order, each
 * `delayMs()` after it arrived. Bounded: at most MAX_QUEUED_BYTES wait; beyond that, or while the
 * target does not drain, the source is paused (TCP back-pressure reaches the sender).
 */
class DelayedPipe {
  private readonly queue: QueuedChunk[] = [];
  private queuedBytes = 0;
  private timer?: NodeJS.Timeout;
  private targetFull = false;
  private sourceEnded = false;

  constructor(
    private readonly source: Socket,
    private readonly target: Socket,
    private readonly delayMs: () => number,
  ) {
    source.on('data', (chunk: Buffer) => {
      this.queue.push({ chunk, receivedAt: Date.now() });
      this.queuedBytes += chunk.length;
      if (this.queuedBytes >= MAX_QUEUED_BYTES) source.pause();
      this.pump();
    });
    source.on('end', () => {
      this.sourceEnded = true;
      this.pump();
    });
    target.on('drain', () => {
      this.targetFull = false;
      this.pump();
    });
  }

  /** Writes every chunk that is due; schedules the next one. Called again when the delay changes. */
  pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0 && !this.targetFull && !this.target.destroyed) {
      const due = this.queue[0].receivedAt + this.delayMs();
      const wait = due - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), wait);
        break;
      }
      const { chunk } = this.queue.shift()!;
      this.queuedBytes -= chunk.length;
      if (!this.target.write(chunk)) this.targetFull = true;
    }
    if (this.queue.length === 0 && this.sourceEnded && !this.target.writableEnded) this.target.end();
    if (this.queuedBytes < MAX_QUEUED_BYTES && !this.targetFull && this.source.isPaused()) this.source.resume();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
    this.queuedBytes = 0;
  }
}

interface Connection {
  client: Socket;
  upstream: Socket;
  pipes: DelayedPipe[];
}

/**
 * A TCP proxy on 127.0.0.1 in front of a loopback server (here: FerretDB), to make network faults
 * the database process itself cannot: a slow network (`delay`), and connections reset by the
 * network (`cut`). Only loopback targets are accepted.
 */
export class TcpProxy {
  private readonly connections = new Set<Connection>();
  private delayMs = 0;
  private isCut = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  /** Starts a proxy on 127.0.0.1 with a free port that forwards to `targetHost:targetPort`. */
  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    if (!LOOPBACK_HOSTS.has(targetHost)) throw new Error(`TcpProxy only forwards to loopback, not ${targetHost}`);
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as { port: number };
    const proxy = new TcpProxy(server, port, targetHost, targetPort);
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  /** Starts a proxy in front of the server of a `mongodb://127.0.0.1:<port>/` URI. */
  static async forMongodbUri(uri: string): Promise<TcpProxy> {
    const match = /^mongodb:\/\/([^/:,]+):(\d+)\/?/.exec(uri);
    if (!match) throw new Error(`not a single-host mongodb:// URI: ${uri}`);
    return TcpProxy.start(Number(match[2]), match[1]);
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** Delays every chunk in both directions by `ms`, including chunks already waiting. */
  delay(ms: number): void {
    this.delayMs = ms;
    this.pumpAll();
  }

  /** Resets every open connection and every new one until `restore()`, as a broken network would. */
  cut(): void {
    this.isCut = true;
    for (const connection of this.connections) this.drop(connection, true);
  }

  /** No more delay (waiting chunks go out now) and no more cut. */
  restore(): void {
    this.isCut = false;
    this.delay(0);
  }

  async close(): Promise<void> {
    this.isCut = true;
    for (const connection of this.connections) this.drop(connection, true);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.isCut || this.connections.size >= MAX_CONNECTIONS) {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket({ allowHalfOpen: true });
    const connection: Connection = { client, upstream, pipes: [] };
    this.connections.add(connection);
    // An error resets the other side too; a clean close (both directions ended) just closes it.
    const reset = () => this.drop(connection, true);
    const close = () => this.drop(connection, false);
    client.on('error', reset).on('close', close);
    upstream.on('error', reset).on('close', close);
    upstream.connect(this.targetPort, this.targetHost, () => {
      if (!this.connections.has(connection)) return;
      connection.pipes = [
        new DelayedPipe(client, upstream, () => this.delayMs),
        new DelayedPipe(upstream, client, () => this.delayMs),
      ];
      client.resume();
    });
  }

  /** Closes both sides of a connection; `reset` sends RST, so the peers see ECONNRESET rather than a clean end. */
  private drop(connection: Connection, reset: boolean): void {
    if (!this.connections.delete(connection)) return;
    for (const pipe of connection.pipes) pipe.stop();
    for (const socket of [connection.client, connection.upstream]) {
      if (socket.destroyed) continue;
      if (reset && !socket.connecting) socket.resetAndDestroy();
      else socket.destroy();
    }
  }

  private pumpAll(): void {
    for (const connection of this.connections) for (const pipe of connection.pipes) pipe.pump();
  }
}
