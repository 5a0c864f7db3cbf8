import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFerretdbBinary } from './ferretdb-binary';

export interface FerretdbServerOptions {
  /** TCP port on 127.0.0.1; 0 or unset picks a free one. */
  port?: number;
  /** Directory for the SQLite files, kept after stop(); unset means a new temporary directory, removed by stop(). */
  dataDir?: string;
  binary?: string;
  log?: (message: string) => void;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolveConnect(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

/**
 * A FerretDB process (MongoDB wire protocol, SQLite storage) on 127.0.0.1.
 * Used as the embedded database of `npm start` and by the tests, which also use it to make real faults:
 * kill it, hang it (SIGSTOP) and restart it on the same port and data.
 */
export class FerretdbServer {
  private process?: ChildProcess;
  private exited?: Promise<void>;

  private constructor(
    readonly binary: string,
    readonly port: number,
    readonly dataDir: string,
    private readonly temporaryDataDir: boolean,
    private readonly log: (message: string) => void,
  ) {}

  static async start(options: FerretdbServerOptions = {}): Promise<FerretdbServer> {
    const log = options.log ?? (() => undefined);
    const binary = options.binary ?? (await resolveFerretdbBinary(log));
    const port = options.port || (await freePort());
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ferretdb-'));
    const server = new FerretdbServer(binary, port, dataDir, options.dataDir === undefined, log);
    try {
      await server.launch();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get running(): boolean {
    return this.process !== undefined;
  }

  private async launch(): Promise<void> {
    const child = spawn(this.binary, ['-listen-addr', `127.0.0.1:${this.port}`, '-sqlite-dir', this.dataDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    this.process = child;
    this.exited = new Promise((resolveExit) => {
      child.once('exit', () => {
        if (this.process === child) this.process = undefined;
        resolveExit();
      });
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (!this.process) throw new Error(`FerretDB exited at start: ${stderr.trim()}`);
      if (await canConnect(this.port)) {
        this.log(`FerretDB listening on ${this.uri} (data in ${this.dataDir})`);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`FerretDB did not listen on port ${this.port} within 15 s: ${stderr.trim()}`);
  }

  /**
   * Stops the server for good: ends the process gracefully (SIGTERM, or SIGKILL after 5 s) and removes its
   * data directory when it is a temporary one of its own (no `dataDir` given).
   */
  async stop(): Promise<void> {
    await this.terminate();
    if (this.temporaryDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async terminate(): Promise<void> {
    const child = this.process;
    if (!child) return;
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills the process at once, as a crash would. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** Freezes the process: connections stay open but nothing answers, as with a hung server. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** Starts the process again on the same port and data, after kill() or while running (stop() may remove the data). */
  async restart(): Promise<void> {
    await this.terminate();
    await this.launch();
  }
}
