import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** infra/varnish: the VCL, its renderer and the varnishtest cases. */
export const VARNISH_DIR = join(__dirname, '..', '..', 'infra', 'varnish');

export interface EdgeSettings {
  backends?: { host: string; port: number }[];
  backendHost?: string;
  backendPort?: number;
  purgeAllow?: string[];
  graceSeconds?: number;
  probeIntervalMs?: number;
}

/** The parts of infra/varnish/render-vcl.mjs used here. */
interface RenderVclModule {
  writeEdgeVcl(outDir: string, settings: EdgeSettings): { vclFile: string; vclPath: string; settingsFile: string };
  varnishdArguments(options: {
    listen: string;
    workdir: string;
    vclFile: string;
    vclPath: string;
    storage?: string;
    params?: Record<string, string>;
  }): string[];
}

/** Loads the ES module shared with scripts/start-edge.mjs (the tests run with --experimental-vm-modules). */
export async function loadRenderVcl(): Promise<RenderVclModule> {
  const url = pathToFileURL(join(VARNISH_DIR, 'render-vcl.mjs')).href;
  return (await import(url)) as RenderVclModule;
}

/** Whether a Varnish command (`varnishd`, `varnishtest`) can be run here. */
export function hasCommand(command: 'varnishd' | 'varnishtest'): boolean {
  const result = spawnSync(command, command === 'varnishd' ? ['-V'] : ['-h'], { stdio: 'ignore' });
  return !result.error;
}

export interface StartVarnishOptions {
  /** The app's port on 127.0.0.1 (or on `backendHost`); or `backendPorts`, several instances. */
  backendPort?: number;
  backendHost?: string;
  /** Several instances on `backendHost` (127.0.0.1), behind a round-robin director with health probes. */
  backendPorts?: number[];
  /** How often each instance's /health/ready is probed; default 1000 ms. */
  probeIntervalMs?: number;
  /**
   * The port to listen on (127.0.0.1), e.g. one the app was already told to purge; default a free one
   * (tried again on another port if it is taken meanwhile).
   */
  port?: number;
  /** Clients allowed to PURGE; default 127.0.0.1 and ::1 (the app on this machine). */
  purgeAllow?: string[];
  /** Grace window; default 3600 s. */
  graceSeconds?: number;
  /** Extra varnishd parameters (`-p name=value`). */
  params?: Record<string, string>;
  /** How long to wait for the VCL to compile and the listener to answer; default 30 s. */
  startTimeoutMs?: number;
}

export interface RunningVarnish {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** The varnishd working directory (`-n`): e.g. `varnishstat -n <workdir> -1`, `varnishlog -n <workdir> -d`. */
  workdir: string;
  /** What varnishd printed so far. */
  output(): string;
  /** SIGTERM, SIGKILL after 5 s; then removes the temporary directory. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Answered by Varnish itself, never by the backend: a PURGE without keys is 400 from an allowed
 * client and 403 from any other.
 */
function edgeAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'PURGE', path: '/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.headers['x-cache'] !== undefined);
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => resolve(false));
    req.end();
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, 5000)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5000);
}

/**
 * Starts a real `varnishd -F` with infra/varnish/default.vcl on 127.0.0.1 (a free port by default), in front of
 * the backend, with its own working directory and rendered settings in a temporary directory.
 * Resolves once Varnish answers; rejects with varnishd's output when it does not start.
 */
export async function startVarnish(options: StartVarnishOptions): Promise<RunningVarnish> {
  const render = await loadRenderVcl();
  const dir = mkdtempSync(join(tmpdir(), 'school-edge-'));
  // Started as root, varnishd drops privileges for its compiler and worker: they must reach the directory.
  chmodSync(dir, 0o755);
  const backendHost = options.backendHost ?? '127.0.0.1';
  const ports = options.backendPorts ?? (options.backendPort === undefined ? [] : [options.backendPort]);
  const { vclFile, vclPath } = render.writeEdgeVcl(join(dir, 'vcl'), {
    backends: ports.map((port) => ({ host: backendHost, port })),
    purgeAllow: options.purgeAllow,
    graceSeconds: options.graceSeconds,
    probeIntervalMs: options.probeIntervalMs,
  });
  const workdir = join(dir, 'work');
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);

  // A free port can be taken between the check and varnishd's bind: then try another one.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const args = render.varnishdArguments({
      listen: `127.0.0.1:${port}`,
      workdir,
      vclFile,
      vclPath,
      storage: 'malloc,64m',
      params: options.params,
    });
    const child = spawn('varnishd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 256 * 1024) output = output.slice(-256 * 1024);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    // Set from the child's events (an object, so the loop below sees the changes).
    const state: { exited: boolean; spawnError?: Error } = { exited: false };
    child.once('error', (error) => {
      state.spawnError = error;
      state.exited = true;
    });
    child.once('exit', () => (state.exited = true));
    while (!state.exited && Date.now() < deadline) {
      if (await edgeAnswers(port)) {
        return {
          url: `http://127.0.0.1:${port}`,
          port,
          workdir,
          output: () => output,
          async stop() {
            await stopChild(child);
            rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    if (!state.spawnError) await stopChild(child);
    const portTaken = /Could not (get socket|bind)|Address already in use/i.test(output);
    if (portTaken && options.port === undefined && attempt < 3 && Date.now() < deadline) continue;
    rmSync(dir, { recursive: true, force: true });
    const why = state.spawnError
      ? `could not run varnishd: ${state.spawnError.message}`
      : state.exited
        ? 'varnishd exited'
        : 'timed out';
    throw new Error(`Varnish did not start (${why}):\n${output}`);
  }
}
