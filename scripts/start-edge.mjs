// Runs the built service (dist/main.js, with the Node options of npm start) with a Varnish edge cache in front
// of it, both on loopback: the app on 127.0.0.1:PORT, Varnish on 127.0.0.1:EDGE_PORT. Builds nothing (npm run
// build first).
//
//   npm run start:edge [-- --instances N]          N instances of the app on PORT, PORT+1, ... behind the edge
//   npm run start:edge [-- --backends host:port,...]  only the edge, in front of instances run elsewhere
//
// Settings (environment; everything is also passed to the app):
//   PORT                  the (first) app's port (3000)
//   EDGE_INSTANCES        how many instances to run (1; --instances): ports PORT..PORT+N-1, the second and later
//                         with a journal of their own (FALLBACK_JOURNAL_PATH with -2, -3, ... before its extension)
//   EDGE_BACKENDS         host:port of instances run elsewhere, comma-separated (--backends): no app is started
//   EDGE_PROBE_INTERVAL_MS  how often Varnish probes each instance's /health/ready (1000); one failed probe takes it
//                         out of the rotation
//   EDGE_PORT             Varnish's port (6081)
//   EDGE_BACKEND_HOST     where Varnish reaches the app (the app's HOST, 127.0.0.1 when it listens on all addresses)
//   EDGE_BACKEND_PORT     (PORT; with one instance only)
//   EDGE_PURGE_ALLOW      clients allowed to PURGE, comma-separated addresses or CIDRs (127.0.0.1,::1)
//   EDGE_GRACE_SECONDS    how long expired objects are served while refreshed or while the app is down (3600)
//   EDGE_CACHE_SIZE       Varnish's malloc storage (256m)
//   EDGE_PURGE_URLS       the edges the app purges after writes: set to this edge unless given
//   TRUST_PROXY           the app believes X-Forwarded-For from these proxies: set to this edge (127.0.0.1) unless
//                         given, so that anonymous clients are rate-limited by their own address, not the edge's
//
// Runtime files go to .data/varnish/: vcl/edge-settings.vcl (generated) and work/ (varnishd -n; npm run edge:stats
// reads its log). Stops everything on SIGINT/SIGTERM, when varnishd exits, or when every instance has exited (then
// with the exit code of the one that exited last); one of several instances exiting is reported, the rest go on.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DEFAULT_GRACE_SECONDS,
  DEFAULT_PROBE_INTERVAL_MS,
  DEFAULT_PURGE_ALLOW,
  parseBackends,
  parseList,
  varnishdArguments,
  writeEdgeVcl,
} from '../infra/varnish/render-vcl.mjs';
import { serviceEnvironment, serviceNodeArgs } from './service-node-args.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'main.js');
const RUNTIME_DIR = join(ROOT, '.data', 'varnish');
const STOP_GRACE_MS = 10_000;

function fail(message) {
  console.error(`start-edge: ${message}`);
  process.exit(1);
}

function setting(name, fallback) {
  const value = process.env[name]?.trim();
  return value ? value : fallback;
}

function port(name, fallback) {
  const value = setting(name, String(fallback));
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535)
    fail(`${name} must be a port from 1 to 65535, not "${value}"`);
  return Number(value);
}

let args;
try {
  ({ values: args } = parseArgs({ options: { instances: { type: 'string' }, backends: { type: 'string' } } }));
} catch (error) {
  fail(error.message);
}

const appPort = port('PORT', 3000);
const instancesSetting = args.instances ?? setting('EDGE_INSTANCES', '1');
if (!/^\d+$/.test(instancesSetting) || Number(instancesSetting) < 1 || Number(instancesSetting) > 64)
  fail(`--instances / EDGE_INSTANCES must be a whole number from 1 to 64, not "${instancesSetting}"`);
const backendsSetting = args.backends ?? setting('EDGE_BACKENDS', '');
/** The instances this script runs: none when EDGE_BACKENDS names instances run elsewhere. */
const instanceCount = backendsSetting ? 0 : Number(instancesSetting);
const probeIntervalMs = setting('EDGE_PROBE_INTERVAL_MS', String(DEFAULT_PROBE_INTERVAL_MS));
const appHost = setting('HOST', '127.0.0.1');
const edgePort = port('EDGE_PORT', 6081);
const backendHost = setting('EDGE_BACKEND_HOST', ['0.0.0.0', '::', '[::]'].includes(appHost) ? '127.0.0.1' : appHost);
const backendPort = port('EDGE_BACKEND_PORT', appPort);
const appPorts = Array.from({ length: instanceCount }, (_, index) => appPort + index);
if (appPorts.at(-1) > 65535) fail(`PORT ${appPort} leaves no room for ${instanceCount} instances`);
let backends;
try {
  backends = backendsSetting
    ? parseBackends(backendsSetting)
    : instanceCount === 1
      ? [{ host: backendHost, port: backendPort }]
      : appPorts.map((port) => ({ host: backendHost, port }));
} catch (error) {
  fail(error.message);
}
if (backends.length === 0) fail('EDGE_BACKENDS names no host:port');
const purgeAllow = process.env.EDGE_PURGE_ALLOW?.trim() ? parseList(process.env.EDGE_PURGE_ALLOW) : DEFAULT_PURGE_ALLOW;
const graceSeconds = setting('EDGE_GRACE_SECONDS', String(DEFAULT_GRACE_SECONDS));
const cacheSize = setting('EDGE_CACHE_SIZE', '256m');
if (!/^\d+[kmgt]?$/i.test(cacheSize)) fail(`EDGE_CACHE_SIZE must be a size such as 256m or 1g, not "${cacheSize}"`);
const edgeUrl = `http://127.0.0.1:${edgePort}`;
const purgeUrls = setting('EDGE_PURGE_URLS', `${edgeUrl}/`);
const trustProxy = setting('TRUST_PROXY', '127.0.0.1');
if (appPorts.includes(edgePort)) fail(`EDGE_PORT ${edgePort} is also an instance's PORT`);

if (instanceCount > 0 && !existsSync(MAIN)) fail(`${MAIN} is missing: run npm run build first`);
if (spawnSync('varnishd', ['-V'], { stdio: 'ignore' }).error) {
  fail('varnishd is not installed (Debian/Ubuntu: apt-get install varnish varnish-modules)');
}

let rendered;
try {
  rendered = writeEdgeVcl(join(RUNTIME_DIR, 'vcl'), { backends, purgeAllow, graceSeconds, probeIntervalMs });
} catch (error) {
  fail(error.message);
}

// Check the configuration before starting anything: a VCL error is reported here, not as a dead edge.
const workdir = join(RUNTIME_DIR, 'work');
const check = spawnSync(
  'varnishd',
  ['-C', '-f', rendered.vclFile, '-n', workdir, '-p', `vcl_path=${rendered.vclPath}`],
  {
    encoding: 'utf8',
  },
);
if (check.status !== 0) {
  const message = check.stderr
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
  fail(`the VCL does not compile:\n${message}`);
}

const children = [];
let stopping = false;
let exitCode = 0;

function prefixLines(stream, prefix, out) {
  let pending = '';
  stream.on('data', (chunk) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) out.write(`${prefix}${line}\n`);
  });
  stream.on('end', () => pending && out.write(`${prefix}${pending}\n`));
}

/** The instances still running; when none is left, everything stops. */
let instancesRunning = instanceCount;

function start(name, command, args, options, { instance = false } = {}) {
  const child = spawn(command, args, options);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (error) => {
    console.error(`start-edge: could not start ${name}: ${error.message}`);
    void stopAll(1);
  });
  void exited.then(({ code, signal }) => {
    if (stopping) return;
    const how = signal ?? `code ${code}`;
    if (instance && --instancesRunning > 0) {
      console.error(`start-edge: ${name} exited (${how}); the edge sends its requests to the other instances`);
      return;
    }
    console.error(`start-edge: ${name} exited (${how}); stopping the rest`);
    void stopAll(code === 0 || code === null ? 1 : code);
  });
  const entry = { name, child, exited };
  children.push(entry);
  return entry;
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  await Promise.all(
    children.map(async ({ child, exited }) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    }),
  );
  process.exit(exitCode);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/** The journal of the n-th instance (1-based): the configured one for the first, `<name>-<n><ext>` for the others. */
function journalPath(n) {
  const path = setting('FALLBACK_JOURNAL_PATH', '.data/fallback-journal.sqlite');
  if (n === 1 || path === ':memory:') return path;
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}-${n}${extension}`;
}

// Every instance purges the one edge (EDGE_PURGE_URLS), whichever instance took the write.
appPorts.forEach((port, index) => {
  const name = instanceCount === 1 ? 'app' : `app${index + 1}`;
  const app = start(
    name,
    process.execPath,
    [...serviceNodeArgs(), MAIN],
    {
      stdio: instanceCount === 1 ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      env: {
        ...serviceEnvironment(),
        ...process.env,
        PORT: String(port),
        FALLBACK_JOURNAL_PATH: journalPath(index + 1),
        EDGE_PURGE_URLS: purgeUrls,
        TRUST_PROXY: trustProxy,
      },
    },
    { instance: true },
  );
  if (instanceCount > 1) {
    prefixLines(app.child.stdout, `[${name}] `, process.stdout);
    prefixLines(app.child.stderr, `[${name}] `, process.stderr);
  }
});

/** Whether an instance answers its readiness check (what the edge's probe asks). */
function instanceReady({ host, port }) {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/health/ready', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => resolve(false));
    req.end();
  });
}

// Varnish starts once the instances it runs are ready: its probes then find them healthy from the first one, rather
// than sick while they boot (an instance that failed its probes is back in the rotation only after three good ones).
if (instanceCount > 0) {
  const started = Date.now();
  const pending = new Set(backends);
  while (!stopping && pending.size > 0 && Date.now() - started < 60_000) {
    for (const backend of [...pending]) if (await instanceReady(backend)) pending.delete(backend);
    if (pending.size > 0) await sleep(200);
  }
  if (pending.size > 0 && !stopping) {
    console.error(
      `start-edge: not ready after 60 s: ${[...pending].map(({ host, port }) => `${host}:${port}`).join(', ')}; starting the edge anyway`,
    );
  }
}
// Stopping already (an instance failed to start, or Ctrl-C): stopAll exits the process.
if (stopping) await new Promise(() => undefined);

const varnish = start(
  'varnishd',
  'varnishd',
  varnishdArguments({
    listen: `127.0.0.1:${edgePort}`,
    workdir,
    vclFile: rendered.vclFile,
    vclPath: rendered.vclPath,
    storage: `malloc,${cacheSize}`,
  }),
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
prefixLines(varnish.child.stdout, '[varnishd] ', process.stdout);
prefixLines(varnish.child.stderr, '[varnishd] ', process.stderr);

/** Answered by Varnish itself (a PURGE without keys), never by the app. */
function edgeAnswers() {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: edgePort, method: 'PURGE', path: '/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.headers['x-cache'] !== undefined);
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => resolve(false));
    req.end();
  });
}

const urlOf = ({ host, port }) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
const appsLine = [
  backends.map(urlOf).join(', '),
  instanceCount > 0 ? `(node ${[...serviceNodeArgs(), 'dist/main.js'].join(' ')})` : '(run elsewhere)',
  `probed on /health/ready every ${probeIntervalMs} ms`,
].join(' ');

for (let waited = 0; !stopping && waited < 30_000; waited += 200) {
  if (await edgeAnswers()) {
    console.log(
      [
        `start-edge: edge (Varnish) listening on ${edgeUrl}`,
        `  apps:   ${appsLine}`,
        `  purge:  ${instanceCount > 1 ? 'every instance purges' : 'the app purges'} ${purgeUrls}; PURGE allowed from ${purgeAllow.join(', ')}`,
        `  grace:  ${graceSeconds} s; cache ${cacheSize}; varnishd -n ${workdir} (varnishlog/varnishstat -n ${workdir})`,
        `  stats:  npm run edge:stats (hit rate per operation)`,
      ].join('\n'),
    );
    break;
  }
  await sleep(200);
}
