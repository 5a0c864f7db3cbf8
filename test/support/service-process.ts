import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ADMIN, authorizationFor, TEST_JWT_SECRET } from './tokens';

/** The built service, as `npm start` runs it. */
export const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/** Keeps the last part of a child's output only: enough for every message the tests look for. */
const MAX_OUTPUT_CHARS = 1024 * 1024;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export type JsonBody = any;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: JsonBody;
}

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output(): string;
  /** Waits until the output contains `text`; fails when the process exits first or the time is up. */
  waitFor(text: string, timeoutMs: number): Promise<number>;
  /** Sends a request as an admin (or with the given headers, e.g. another Authorization). */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  /** `kill -9`: no shutdown hooks, no flushing, as a crash. */
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/**
 * Runs `main` (the built service by default) as a child process on 127.0.0.1:`env.PORT` with the
 * given environment (tokens verified with TEST_JWT_SECRET unless it says otherwise). MONGODB_URI is not
 * inherited from the test process: only an explicit one counts.
 */
export function spawnService(
  env: Record<string, string>,
  options: { main?: string; cwd?: string } = {},
): ServiceProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== 'MONGODB_URI' && name !== 'TEST_MONGODB_URI'),
  );
  const port = Number(env.PORT);
  const child = spawn(process.execPath, [options.main ?? MAIN], {
    env: {
      ...inherited,
      HOST: '127.0.0.1',
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      RATE_LIMIT_PER_ADDRESS: '100000',
      RATE_LIMIT_PER_CREDENTIAL: '100000',
      // The outage suites expect backup data where nothing was read; test/snapshots.e2e-spec.ts turns snapshots on.
      FALLBACK_SNAPSHOT_COLLECTIONS: 'none',
      ...env,
    },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    child,
    port,
    baseUrl,
    exited,
    output: () => output,
    async waitFor(text, timeoutMs) {
      const started = Date.now();
      while (!output.includes(text)) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`service exited (${child.exitCode ?? child.signalCode}) before "${text}":\n${output}`);
        }
        if (Date.now() - started > timeoutMs) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return Date.now() - started;
    },
    async request(method, path, body, headers) {
      const response = await fetch(baseUrl + path, {
        method,
        headers: {
          ...(headers ?? (await authorizationFor(ADMIN))),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      const parsed: JsonBody = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
