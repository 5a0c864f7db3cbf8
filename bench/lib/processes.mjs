// The processes a benchmark run needs, all on 127.0.0.1: a FerretDB server with the demo data, the
// built service (dist/main.js), the bare baseline server and a Varnish edge in front of the service.
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { serviceEnvironment, serviceNodeArgs } from '../../scripts/service-node-args.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = join(ROOT, 'dist', 'main.js');
/** The service to measure: dist/main.js, or another build of it (BENCH_SERVICE_MAIN), e.g. to compare a change. */
export const SERVICE_MAIN = process.env.BENCH_SERVICE_MAIN || MAIN;
const BASELINE = join(ROOT, 'bench', 'baseline-server.mjs');
const require = createRequire(import.meta.url);

/** Builds the service (npm run build) when dist/ is missing. */
export function ensureBuilt(log) {
  const needed = [
    MAIN,
    join(ROOT, 'dist', 'database', 'ferretdb-server.js'),
    join(ROOT, 'dist', 'demo-data', 'demo-data.js'),
  ];
  if (needed.every((file) => existsSync(file))) return;
  log('dist/ is missing: running npm run build');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status ?? result.signal})`);
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * One HTTP request on 127.0.0.1 (a new connection each time), bounded by `timeoutMs`.
 * Resolves { status, headers, body, ms }, or { error, ms } when it failed or timed out.
 */
export function httpRequest({ port, method = 'GET', path, headers = {}, body, timeoutMs = 5000 }) {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: performance.now() - started });
    };
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', (error) => done({ error: error.message }));
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${timeoutMs} ms`));
      done({ error: `timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    req.on('error', (error) => done({ error: error.message }));
    req.end(body);
  });
}

/** Polls `probe` (one request at a time) until it returns true; the elapsed ms, or undefined after `timeoutMs`. */
export async function waitUntil(probe, timeoutMs, intervalMs = 50) {
  const started = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) return undefined;
    await sleep(intervalMs);
  }
}

/** The resident set size of a process in MB (VmRSS of /proc/<pid>/status), or undefined when it is gone. */
export function rssMb(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU time (user + system) a process has used so far, in ms (/proc/<pid>/stat), or undefined when it is gone. */
export function cpuMs(pid) {
  try {
    // The fields after the command name (which may contain spaces); utime and stime are the 14th and 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * A FerretDB process with the demo data seeded into database `dbName`; the project's own FerretdbServer.
 * `stop()` ends it and removes its data.
 */
export async function startDatabase(dbName, log) {
  const { FerretdbServer } = require(join(ROOT, 'dist', 'database', 'ferretdb-server.js'));
  const { seedDemoData } = require(join(ROOT, 'dist', 'demo-data', 'demo-data.js'));
  const { MongoClient } = require('mongoose').mongo;
  const server = await FerretdbServer.start({ log });
  // Stops the process; its data, a temporary directory of its own, goes with it.
  const stop = () => server.stop();
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    const db = client.db(dbName);
    await seedDemoData(db, log);
    const teacher = await db.collection('teachers').findOne({}, { sort: { _id: 1 }, skip: 100 });
    const headmaster = await db.collection('headmasters').findOne({}, { sort: { _id: 1 }, skip: 10 });
    // Every headmaster (with their school) and teacher, for the scenario that reads many real ids.
    const demo = {
      headmasters: (
        await db
          .collection('headmasters')
          .find({}, { sort: { _id: 1 } })
          .toArray()
      ).map((record) => ({
        id: record._id.toHexString(),
        schoolId: record.schoolId.toHexString(),
      })),
      teachers: (
        await db
          .collection('teachers')
          .find({}, { sort: { _id: 1 }, projection: { _id: 1 } })
          .toArray()
      ).map((record) => record._id.toHexString()),
    };
    return {
      server,
      stop,
      ids: { teacher: teacher._id.toHexString(), headmaster: headmaster._id.toHexString() },
      demo,
    };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    await client.close();
  }
}

/**
 * A connection of the bench's own to the database, to tell when it is idle again after a run: the server under
 * test may have given up on operations (time limit) that the database still works through.
 */
export async function openDatabaseProbe(uri, dbName, teacherId) {
  const { MongoClient, ObjectId } = require('mongoose').mongo;
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, maxPoolSize: 1 });
  await client.connect();
  const teachers = client.db(dbName).collection('teachers');
  const filter = { _id: new ObjectId(teacherId) };
  return {
    /** Waits until three reads by id in a row take less than `thresholdMs`; the ms waited, undefined at the cap. */
    async waitIdle(capMs = 20_000, thresholdMs = 20) {
      let fast = 0;
      return waitUntil(
        async () => {
          const started = performance.now();
          await teachers.findOne(filter, { maxTimeMS: capMs });
          fast = performance.now() - started < thresholdMs ? fast + 1 : 0;
          return fast >= 3;
        },
        capMs,
        10,
      );
    },
    close: () => client.close(),
  };
}

function spawnLogged(command, args, env) {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk) => {
    output = (output + chunk.toString()).slice(-64 * 1024);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  child.once('error', (error) => collect(`spawn error: ${error.message}\n`));
  return { child, exited, output: () => output };
}

async function stopChild({ child, exited }) {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Settings that must come from the bench, never from the caller's environment. */
const OWN_SETTINGS =
  /^(MONGODB_|TEST_MONGODB_URI$|EDGE_|REDIS_URL$|PORT$|HOST$|NODE_ENV$|LOG_LEVEL$|FALLBACK_JOURNAL_PATH$|NODE_OPTIONS$|BENCH_)/;

/**
 * Spawns the built service as `npm start` runs it (`node` with the start script's options), in production mode
 * with warn logs, and waits until it answers from the database. `env` adds or overrides settings (e.g.
 * FALLBACK_BREAKER_ENABLED); `headers` go with the readiness requests (e.g. authorization).
 * FALLBACK_* settings of the caller's environment are passed on (the service "as configured").
 */
export async function startService({
  mongoUri,
  dbName,
  env = {},
  headers = {},
  label = 'service',
  // 'database': ready once it answers from the database; 'any': once it answers at all (a start during an outage).
  readyWhen = 'database',
}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'school-bench-'));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !OWN_SETTINGS.test(name)));
  const settings = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    MONGODB_URI: mongoUri,
    MONGODB_DB_NAME: dbName,
    FALLBACK_JOURNAL_PATH: join(dir, 'journal.sqlite'),
    // More Node options of the service only, not of the bench (those of npm start come first and win).
    ...(process.env.BENCH_SERVICE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS } : {}),
    ...env,
  };
  const nodeArgs = serviceNodeArgs();
  const proc = spawnLogged(process.execPath, [...nodeArgs, SERVICE_MAIN], {
    ...inherited,
    ...serviceEnvironment(),
    ...settings,
  });
  const stop = async () => {
    await stopChild(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  const ready = await waitUntil(
    async () => {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) return true;
      const answer = await httpRequest({ port, path: '/api/schools?limit=1', headers, timeoutMs: 2000 });
      return answer.status === 200 && (readyWhen === 'any' || answer.headers['x-data-source'] === 'database');
    },
    60_000,
    100,
  );
  if (ready === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) {
    const output = proc.output();
    await stop();
    throw new Error(`${label} did not start answering${readyWhen === 'any' ? '' : ' from the database'}:\n${output}`);
  }
  const fallbackSettings = Object.fromEntries(
    Object.entries({ ...inherited, ...settings }).filter(
      ([name]) => (name.startsWith('FALLBACK_') && name !== 'FALLBACK_JOURNAL_PATH') || name === 'NODE_OPTIONS',
    ),
  );
  return {
    port,
    pid: proc.child.pid,
    settings: { ...fallbackSettings, nodeArgs: nodeArgs.join(' ') },
    startMs: ready,
    output: proc.output,
    stop,
  };
}

/** Spawns bench/baseline-server.mjs and waits until it answers. */
export async function startBaseline({ mongoUri, dbName, headers = {} }) {
  const port = await freePort();
  const proc = spawnLogged(process.execPath, [BASELINE], {
    ...process.env,
    PORT: String(port),
    MONGODB_URI: mongoUri,
    MONGODB_DB_NAME: dbName,
  });
  const ready = await waitUntil(
    async () => {
      if (proc.child.exitCode !== null) return true;
      const answer = await httpRequest({ port, path: '/api/schools?limit=1', headers, timeoutMs: 2000 });
      return answer.status === 200;
    },
    30_000,
    100,
  );
  if (ready === undefined || proc.child.exitCode !== null) {
    await stopChild(proc);
    throw new Error(`the baseline server did not start:\n${proc.output()}`);
  }
  return { port, pid: proc.child.pid, output: proc.output, stop: () => stopChild(proc) };
}

/** Whether Varnish answers itself (a PURGE without keys: 400 with X-Cache), never the backend. */
async function edgeAnswers(port) {
  const answer = await httpRequest({ port, method: 'PURGE', path: '/', timeoutMs: 1000 });
  return answer.headers?.['x-cache'] !== undefined;
}

/**
 * Starts varnishd -F with infra/varnish's VCL (rendered by render-vcl.mjs, as test/support/varnish.ts and
 * scripts/start-edge.mjs do) in front of the service, on a free loopback port.
 */
export async function startVarnish({ backendPort, backendPorts = [backendPort] }) {
  if (spawnSync('varnishd', ['-V'], { stdio: 'ignore' }).error) {
    throw new Error('varnishd is not installed (Debian/Ubuntu: apt-get install varnish varnish-modules)');
  }
  const { writeEdgeVcl, varnishdArguments } = await import('../../infra/varnish/render-vcl.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'school-bench-edge-'));
  // Started as root, varnishd drops privileges for its compiler and worker: they must reach the directory.
  chmodSync(dir, 0o755);
  const backends = backendPorts.map((port) => ({ host: '127.0.0.1', port }));
  const { vclFile, vclPath } = writeEdgeVcl(join(dir, 'vcl'), { backends });
  const port = await freePort();
  const args = varnishdArguments({
    listen: `127.0.0.1:${port}`,
    workdir: join(dir, 'work'),
    vclFile,
    vclPath,
    storage: 'malloc,256m',
  });
  const proc = spawnLogged('varnishd', args, process.env);
  const stop = async () => {
    await stopChild(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  const ready = await waitUntil(
    async () => proc.child.exitCode !== null || proc.child.signalCode !== null || (await edgeAnswers(port)),
    30_000,
    100,
  );
  if (ready === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) {
    const output = proc.output();
    await stop();
    throw new Error(`Varnish did not start:\n${output}`);
  }
  const workdir = join(dir, 'work');
  /** Varnish's counters (varnishstat -1 -j), e.g. MAIN.cache_hit and MAIN.cache_miss; {} when unavailable. */
  const counters = () => {
    const result = spawnSync('varnishstat', ['-n', workdir, '-1', '-j'], { encoding: 'utf8', timeout: 5000 });
    try {
      const parsed = JSON.parse(result.stdout);
      const values = parsed.counters ?? parsed;
      return Object.fromEntries(
        Object.entries(values)
          .filter(([, entry]) => typeof entry === 'object' && entry !== null && 'value' in entry)
          .map(([name, entry]) => [name, entry.value]),
      );
    } catch {
      return {};
    }
  };
  return { port, pid: proc.child.pid, workdir, output: proc.output, counters, stop };
}
