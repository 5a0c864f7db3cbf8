// npm run edge:stats [-- --minutes N] [-- -n DIR] [-- --json]
//
// Hit rate per operation at the edge, over the last N minutes (5): reads Varnish's shared-memory log with
// `varnishncsa -d` (each answer's X-Operation header, set by the app, and the edge-cache / edge-reason lines that
// infra/varnish/edge-instances.vcl logs with std.log) and its counters with `varnishstat -j`. Prints, per operation,
// the requests, hit rate, hits (STALE ones among them), misses and passes with their reasons (mutation, write,
// error, backup-data, user-scope, cookie, uncacheable, ...) and the purges; then the requests retried on another
// instance, the edge's counters since it started and each instance's health.
//
//   -n, --workdir DIR  varnishd's working directory (-n): .data/varnish/work, the one npm run start:edge runs
//   --minutes N        how far back to look (5; the log itself holds what fits in its shared memory)
//   --json             the same as JSON
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_WORKDIR = join(ROOT, '.data', 'varnish', 'work');

/** One line per client request: when, the operation, how the edge handled it and why it did not store it. */
const FORMAT = [
  '%{%s}t',
  '%{X-Operation}o',
  '%{VCL_Log:edge-cache}x',
  '%{VCL_Log:edge-reason}x',
  '%{Varnish:handling}x',
  '%s',
  '%m',
].join('\t');

/** Counters worth showing (varnishstat's names), with what they mean. */
const COUNTERS = {
  'MAIN.client_req': 'client requests',
  'MAIN.cache_hit': 'hits',
  'MAIN.cache_hit_grace': 'hits in grace (stale)',
  'MAIN.cache_miss': 'misses',
  'MAIN.cache_hitmiss': 'hit-for-miss (uncacheable, fetched)',
  'MAIN.cache_hitpass': 'hit-for-pass',
  'MAIN.s_pass': 'passes',
  'MAIN.s_synth': 'answered by the edge itself (purges, 503s)',
  'MAIN.backend_fail': 'backend connections that failed',
  'MAIN.backend_retry': 'backend connections retried (a reused one was closed)',
  'MAIN.fetch_failed': 'fetches that failed',
  'MAIN.n_object': 'objects in the cache',
};

function fail(message) {
  console.error(`edge-stats: ${message}`);
  process.exit(1);
}

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      workdir: { type: 'string', short: 'n' },
      minutes: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  fail(error.message);
}
const minutes = Number(options.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) fail(`--minutes must be a positive number, not "${options.minutes}"`);
const workdir = options.workdir ?? DEFAULT_WORKDIR;

/** Reads the log's requests since `sinceSeconds`, grouped by operation, and counts the purges. */
async function readOperations(sinceSeconds) {
  const child = spawn('varnishncsa', ['-n', workdir, '-d', '-F', FORMAT], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk) => (errors += chunk.toString()));
  const exited = new Promise((resolve) => {
    child.once('error', (error) => resolve({ error }));
    child.once('close', (code) => resolve({ code }));
  });
  const operations = new Map();
  let purges = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    const [time, header, cache, reason, handling, status, method] = line.split('\t');
    if (!(Number(time) >= sinceSeconds)) continue;
    // The instances' purges after writes: counted apart, they are not answers to clients.
    if (method === 'PURGE') {
      purges++;
      continue;
    }
    // Answers without X-Operation: the edge's own (its 503 when no instance answered), or a path no route of the app
    // matched.
    const operation =
      header && header !== '-' ? header : `(${handling === 'synth' ? 'edge' : 'no operation'}) ${method}`;
    const entry = operations.get(operation) ?? {
      operation,
      requests: 0,
      hits: 0,
      stale: 0,
      misses: 0,
      passes: 0,
      passReasons: {},
      statuses: {},
    };
    operations.set(operation, entry);
    entry.requests++;
    entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
    const kind = cache && cache !== '-' ? cache : handling === 'hit' ? 'hit' : handling === 'miss' ? 'miss' : 'pass';
    if (kind === 'hit') entry.hits++;
    else if (kind === 'stale') {
      entry.hits++;
      entry.stale++;
    } else if (kind === 'miss') entry.misses++;
    else {
      entry.passes++;
      const why = reason && reason !== '-' ? reason : handling === 'synth' ? 'edge' : 'uncacheable';
      entry.passReasons[why] = (entry.passReasons[why] ?? 0) + 1;
    }
  }
  const { code, error } = await exited;
  if (error) fail(`could not run varnishncsa (${error.message}): install varnish`);
  if (code !== 0)
    fail(`varnishncsa -n ${workdir} failed (${code}): ${errors.trim()} (is varnishd running with -n ${workdir}?)`);
  return {
    purges,
    operations: [...operations.values()]
      .map((entry) => ({ ...entry, hitRate: entry.requests ? entry.hits / entry.requests : 0 }))
      .sort((a, b) => b.requests - a.requests || a.operation.localeCompare(b.operation)),
  };
}

/**
 * The backend requests retried on another instance since `sinceSeconds` (edge-instances.vcl logs `edge-retry:<the
 * instance that failed>`), by failed instance.
 */
function readRetries(sinceSeconds) {
  const result = spawnSync('varnishncsa', ['-n', workdir, '-b', '-d', '-F', '%{%s}t\t%{VCL_Log:edge-retry}x'], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  const retries = {};
  for (const line of (result.stdout ?? '').split('\n')) {
    const [time, backend] = line.split('\t');
    if (!(Number(time) >= sinceSeconds) || !backend || backend === '-') continue;
    retries[backend] = (retries[backend] ?? 0) + 1;
  }
  return retries;
}

/** The counters of COUNTERS, and each backend's health (from its probe bitmap), since varnishd started. */
function readCounters() {
  const result = spawnSync('varnishstat', ['-n', workdir, '-1', '-j'], { encoding: 'utf8', timeout: 10_000 });
  if (result.error || result.status !== 0) return { counters: {}, backends: [] };
  let values;
  try {
    const parsed = JSON.parse(result.stdout);
    values = parsed.counters ?? parsed;
  } catch {
    return { counters: {}, backends: [] };
  }
  const counters = Object.fromEntries(
    Object.keys(COUNTERS)
      .filter((name) => values[name] !== undefined)
      .map((name) => [name, values[name].value]),
  );
  // VBE.<vcl>.<backend>.happy: one bit per probe, the latest lowest; read from the text, as a 64-bit number does not
  // survive JSON.parse.
  const backends = [...result.stdout.matchAll(/"VBE\.([^"]+)\.([^".]+)\.happy":\s*\{[^}]*?"value":\s*(\d+)/g)].map(
    ([, vcl, backend, value]) => {
      const bits = BigInt(value);
      return { vcl, backend, healthy: (bits & 1n) === 1n, recentProbes: bits.toString(2).slice(-8).padStart(8, '0') };
    },
  );
  return { counters, backends };
}

const percent = (share) => `${(share * 100).toFixed(1)}%`;

function table(rows, headings) {
  const widths = headings.map((heading, column) => Math.max(heading.length, ...rows.map((row) => row[column].length)));
  const line = (cells) =>
    cells
      .map((cell, column) =>
        column === 0 || column === cells.length - 1 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ')
      .trimEnd();
  return [line(headings), ...rows.map(line)].join('\n');
}

const since = Math.floor(Date.now() / 1000 - minutes * 60);
const { operations, purges } = await readOperations(since);
const { counters, backends } = readCounters();
const retries = readRetries(since);
const totals = operations.reduce(
  (sum, entry) => ({
    requests: sum.requests + entry.requests,
    hits: sum.hits + entry.hits,
    misses: sum.misses + entry.misses,
    passes: sum.passes + entry.passes,
  }),
  { requests: 0, hits: 0, misses: 0, passes: 0 },
);
const report = {
  workdir,
  minutes,
  since: new Date(since * 1000).toISOString(),
  totals: { ...totals, hitRate: totals.requests ? totals.hits / totals.requests : 0 },
  operations,
  purges,
  /** Requests retried on another instance, by the instance that failed them. */
  retries,
  counters,
  backends,
};

if (options.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(
    `Edge (varnishd -n ${workdir}), the last ${minutes} minute(s): ${totals.requests} requests, hit rate ` +
      `${percent(report.totals.hitRate)}; ${purges} purges\n`,
  );
  const rows = operations.map((entry) => [
    entry.operation,
    String(entry.requests),
    percent(entry.hitRate),
    String(entry.hits),
    String(entry.stale),
    String(entry.misses),
    String(entry.passes),
    Object.entries(entry.passReasons)
      .sort((a, b) => b[1] - a[1])
      .map(([why, count]) => `${why} ${count}`)
      .join(', '),
  ]);
  console.log(
    rows.length
      ? table(rows, ['operation', 'requests', 'hit rate', 'hits', 'stale', 'misses', 'passes', 'pass reasons'])
      : '(no requests in this window)',
  );
  const retried = Object.entries(retries);
  if (retried.length > 0) {
    console.log(
      `\nRetried on another instance after one failed: ${retried.map(([backend, count]) => `${count} (${backend})`).join(', ')}`,
    );
  }
  if (Object.keys(counters).length > 0) {
    console.log('\nSince varnishd started:');
    for (const [name, value] of Object.entries(counters))
      console.log(`  ${name.padEnd(20)} ${String(value).padStart(10)}  ${COUNTERS[name]}`);
  }
  if (backends.length > 0) {
    console.log('\nInstances (latest probes, newest last; 1 = answered /health/ready):');
    for (const { vcl, backend, healthy, recentProbes } of backends) {
      console.log(`  ${vcl}.${backend}: ${healthy ? 'healthy' : 'SICK'} ${recentProbes}`);
    }
  }
}
