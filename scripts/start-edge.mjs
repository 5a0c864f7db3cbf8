// Runs the built service (dist/main.js, with the Node options of npm start) with a Varnish edge cache in front
// of it, both on loopback: the app on 127.0.0.1:PORT, Varnish on 127.0.0.1:EDGE_PORT. Builds nothing (npm run
// build first).
//
// Settings (environment; everything is also passed to the app):
//   PORT                  the app's port (3000)
//   EDGE_PORT             Varnish's port (6081)
//   EDGE_BACKEND_HOST     where Varnish reaches the app (the app's HOST, 127.0.0.1 when it listens on all addresses)
//   EDGE_BACKEND_PORT     (PORT)
//   EDGE_PURGE_ALLOW      clients allowed to PURGE, comma-separated addresses or CIDRs (127.0.0.1,::1)
//   EDGE_GRACE_SECONDS    how long expired objects are served while refreshed or while the app is down (3600)
//   EDGE_CACHE_SIZE       Varnish's malloc storage (256m)
//   EDGE_PURGE_URLS       the edges the app purges after writes: set to this edge unless given
//   TRUST_PROXY           the app believes X-Forwarded-For from these proxies: set to this edge (127.0.0.1) unless
//                         given, so that anonymous clients are rate-limited by their own address, not the edge's
//
// Runtime files go to .data/varnish/: vcl/edge-settings.vcl (generated) and work/ (varnishd -n).
// Stops both on SIGINT/SIGTERM, or when either one exits (then with that one's exit code).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_GRACE_SECONDS,
  DEFAULT_PURGE_ALLOW,
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

const appPort = port('PORT', 3000);
const appHost = setting('HOST', '127.0.0.1');
const edgePort = port('EDGE_PORT', 6081);
const backendHost = setting('EDGE_BACKEND_HOST', ['0.0.0.0', '::', '[::]'].includes(appHost) ? '127.0.0.1' : appHost);
const backendPort = port('EDGE_BACKEND_PORT', appPort);
const purgeAllow = process.env.EDGE_PURGE_ALLOW?.trim() ? parseList(process.env.EDGE_PURGE_ALLOW) : DEFAULT_PURGE_ALLOW;
const graceSeconds = setting('EDGE_GRACE_SECONDS', String(DEFAULT_GRACE_SECONDS));
const cacheSize = setting('EDGE_CACHE_SIZE', '256m');
if (!/^\d+[kmgt]?$/i.test(cacheSize)) fail(`EDGE_CACHE_SIZE must be a size such as 256m or 1g, not "${cacheSize}"`);
const edgeUrl = `http://127.0.0.1:${edgePort}`;
const purgeUrls = setting('EDGE_PURGE_URLS', `${edgeUrl}/`);
const trustProxy = setting('TRUST_PROXY', '127.0.0.1');
if (edgePort === appPort) fail(`EDGE_PORT and PORT are both ${edgePort}`);

if (!existsSync(MAIN)) fail(`${MAIN} is missing: run npm run build first`);
if (spawnSync('varnishd', ['-V'], { stdio: 'ignore' }).error) {
  fail('varnishd is not installed (Debian/Ubuntu: apt-get install varnish varnish-modules)');
}

let rendered;
try {
  rendered = writeEdgeVcl(join(RUNTIME_DIR, 'vcl'), { backendHost, backendPort, purgeAllow, graceSeconds });
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

function start(name, command, args, options) {
  const child = spawn(command, args, options);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (error) => {
    console.error(`start-edge: could not start ${name}: ${error.message}`);
    void stopAll(1);
  });
  void exited.then(({ code, signal }) => {
    if (!stopping) {
      console.error(`start-edge: ${name} exited (${signal ?? `code ${code}`}); stopping the other one`);
      void stopAll(code === 0 || code === null ? 1 : code);
    }
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

start('app', process.execPath, [...serviceNodeArgs(), MAIN], {
  stdio: 'inherit',
  env: {
    ...serviceEnvironment(),
    ...process.env,
    PORT: String(appPort),
    EDGE_PURGE_URLS: purgeUrls,
    TRUST_PROXY: trustProxy,
  },
});

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

for (let waited = 0; !stopping && waited < 30_000; waited += 200) {
  if (await edgeAnswers()) {
    console.log(
      [
        `start-edge: edge (Varnish) listening on ${edgeUrl}`,
        `  app:    http://${backendHost.includes(':') ? `[${backendHost}]` : backendHost}:${backendPort} (node ${[...serviceNodeArgs(), 'dist/main.js'].join(' ')}, PORT=${appPort})`,
        `  purge:  the app purges ${purgeUrls}; PURGE allowed from ${purgeAllow.join(', ')}`,
        `  grace:  ${graceSeconds} s; cache ${cacheSize}; varnishd -n ${workdir} (varnishlog/varnishstat -n ${workdir})`,
      ].join('\n'),
    );
    break;
  }
  await sleep(200);
}
