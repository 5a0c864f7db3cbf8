// npm run bench [-- --smoke] [-- --only normal,slow,edge,outage,memory,realdata] [-- --results-dir DIR]
//                [-- --token TOKEN] [-- --header 'Name: value' ...]
//
// One benchmark run of the built service (dist/main.js; built first when dist/ is missing) against a
// real FerretDB with the demo data, everything on 127.0.0.1, every load bounded in count and time:
//   1. normal mode: four reads, the service against a bare baseline (bench/baseline-server.mjs), and where the
//      service's answers came from (X-Data-Source: none from backup data while the database is healthy);
//   2. outage: reads of backup data while the database is hung (SIGSTOP) and killed, for the service as
//      configured and with FALLBACK_BREAKER_ENABLED=false (the naive design);
//   3. failover (fault -> first answer without the database, and the longest any request waited from the fault
//      on, for one client polling and for an open loop, over warm reads and the poll path) and recovery
//      (SIGCONT / restart -> first database answer);
//   4. edge: the GraphQL query through Varnish, cache hit against miss; and two instances behind it, one killed
//      under load (bench/lib/edge-instances.mjs): the 5xx that reached clients;
//   5. memory: the service's RSS under mixed load while the database flaps;
//   6. real data: an outage read with real demo ids (warm and never read), from the last-known-good tier in
//      process and, with a redis-server, from an instance started during the outage through Redis;
//   7. healthy but slow: the two slow reads at a concurrency that takes FerretDB hundreds of ms per answer: the
//      answers by source and the breaker (it stays closed: slow is not dead).
// Prints a Markdown report (headline figures are medians of repeated runs), checks the targets and
// writes everything to bench/results/<timestamp>.json. `--smoke` runs the same scenarios with tiny
// durations and only checks that each one produced figures. The exit code is non-zero when a scenario
// produced no figures (or failed), never because a target was missed.
//
// Request headers: every request to the API (the measured reads, the polls of failover and recovery, the readiness
// checks; not /health) carries the `--header` values and an `Authorization: Bearer` header: an admin
// token the bench signs for the service it starts, or the `--token` / BENCH_TOKEN given (then the service verifies
// it with the AUTH_* settings of the environment). An endpoint can leave the token out (`api(endpoint, { token: false })`).
// The baseline gets the same headers.
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { combineRuns, median, openLoad, round, runLoad, slope } from './lib/load.mjs';
import {
  cpuMs,
  ensureBuilt,
  httpRequest,
  waitUntil,
  SERVICE_MAIN,
  openDatabaseProbe,
  ROOT,
  rssMb,
  startBaseline,
  startDatabase,
  startService,
  startVarnish,
} from './lib/processes.mjs';
import { realDataOutage, realDataPaths, startRedis } from './lib/real-data.mjs';
import { edgeInstances, edgeInstancesMarkdown } from './lib/edge-instances.mjs';
import { edgeSignedIn, edgeSignedInMarkdown } from './lib/edge-signed-in.mjs';
import { breakerReport, countersDelta, fallbackCounters } from './lib/breaker.mjs';
import { answeredWithoutDatabase, faultFigures, openClient, sequentialClient } from './lib/failover.mjs';
import { renderReport, checkTargets } from './lib/report.mjs';
import { serviceEnvironment, serviceNodeArgs } from '../scripts/service-node-args.mjs';
import { SignJWT } from 'jose';

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    'results-dir': { type: 'string', default: join(ROOT, 'bench', 'results') },
    // A subset of the scenarios, e.g. --only normal,memory (targets are judged for those run).
    only: { type: 'string', default: 'normal,slow,edge,outage,memory,realdata' },
    // A bearer token for the API (also BENCH_TOKEN), and any other request headers ('Name: value', repeatable).
    token: { type: 'string', default: process.env.BENCH_TOKEN },
    header: { type: 'string', multiple: true, default: [] },
  },
});

/**
 * Access to the service it starts: unless a token is given, the bench signs its own admin token with a secret of
 * this run. All the load comes from that one credential, so the per-credential and per-address rate limits are
 * lifted (the limiter still runs and costs what it costs); they would otherwise refuse a load above 1,000 req/s.
 */
const BENCH_SECRET = randomBytes(32).toString('hex');
const BENCH_TOKEN = args.token ?? (await mintAdminToken(BENCH_SECRET));
const SERVICE_ACCESS = {
  ...(args.token ? {} : { AUTH_JWT_SECRET: BENCH_SECRET }),
  RATE_LIMIT_PER_CREDENTIAL: '1000000',
  RATE_LIMIT_PER_ADDRESS: '1000000',
};

async function mintAdminToken(secret) {
  return new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('bench')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(Buffer.from(secret));
}

/** The headers every API request of the bench carries (see the top of this file), and the token's. */
const API_HEADERS = {};
const TOKEN_HEADERS = { authorization: `Bearer ${BENCH_TOKEN}` };
for (const header of args.header) {
  const colon = header.indexOf(':');
  if (colon <= 0) {
    console.error(`bench: --header "${header}" is not "Name: value"`);
    process.exit(2);
  }
  API_HEADERS[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
}

/** The headers of an API request: its own (e.g. content-type) over the bench's, with the token's unless `token: false`. */
const apiHeaders = (own = {}, { token = true } = {}) => ({ ...API_HEADERS, ...(token ? TOKEN_HEADERS : {}), ...own });
/** An API endpoint with its headers. */
const api = (endpoint, options) => ({ ...endpoint, headers: apiHeaders(endpoint.headers, options) });

const SCENARIOS = ['normal', 'slow', 'edge', 'outage', 'memory', 'realdata'];
const only = new Set(args.only.split(',').map((name) => name.trim()));
for (const name of only) {
  if (!SCENARIOS.includes(name)) {
    console.error(`bench: unknown scenario "${name}" in --only (${SCENARIOS.join(', ')})`);
    process.exit(2);
  }
}

/**
 * Durations in seconds; `reps` repetitions of every measured run, headline figures are their medians. The two
 * reads that take FerretDB hundreds of milliseconds run longer (`slowDurationS`), so that enough of them finish.
 */
const PLAN = args.smoke
  ? {
      reps: 1,
      connections: 2,
      normal: { warmupS: 0, durationS: 1, slowDurationS: 1 },
      outage: {
        durationS: 1,
        steadyS: 1,
        steadyPauseMs: 0,
        timeoutS: 1,
        rate: 50,
        failoverCapMs: 1000,
        breakerCapMs: 1000,
        recoveryCapMs: 10_000,
        failover: { leadMs: 200, holdMs: 400, rate: 50 },
      },
      slow: { warmupS: 1, durationS: 2, connections: 3 },
      edge: { durationS: 1 },
      memory: { warmupS: 1, durationS: 3, flapS: 1, sampleMs: 250, heapSampleMs: 500, floorWindowS: 1 },
      realdata: { rate: 50, durationS: 1, snapshotCapMs: 30_000 },
    }
  : {
      reps: 3,
      connections: 10,
      // fastReps: repetitions of the two fast reads (the throughput target is judged on one of them).
      normal: { warmupS: 5, durationS: 2, slowDurationS: 4, fastReps: 5 },
      outage: {
        durationS: 2,
        steadyS: 4,
        steadyPauseMs: 500,
        timeoutS: 2,
        rate: 100,
        failoverCapMs: 2000,
        breakerCapMs: 3000,
        recoveryCapMs: 15_000,
        // The failover cycles: a client runs `leadMs` against the healthy database, the fault, `holdMs` more.
        failover: { leadMs: 500, holdMs: 1000, rate: 50 },
      },
      // Both slow reads at once, `connections` each: FerretDB takes hundreds of ms per answer.
      slow: { warmupS: 3, durationS: 4, connections: 8 },
      edge: { durationS: 2 },
      memory: { warmupS: 3, durationS: 60, flapS: 3, sampleMs: 500, heapSampleMs: 1000, floorWindowS: 10 },
      realdata: { rate: 100, durationS: 4, snapshotCapMs: 60_000 },
    };

const DB_NAME = 'bench';
const GRAPHQL_QUERY =
  '{ schools(limit: 20) { total items { id name code headmaster { id firstName lastName } teacherCount } } }';

const benchStarted = performance.now();
const log = (message) =>
  console.error(`[bench ${((performance.now() - benchStarted) / 1000).toFixed(1).padStart(5)} s] ${message}`);

/** Everything started, stopped in reverse order at the end or on Ctrl-C. */
const cleanups = [];
async function cleanUp() {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    try {
      await cleanup();
    } catch (error) {
      log(`clean-up failed: ${error.message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping everything`);
    void cleanUp().finally(() => process.exit(130));
  });
}
function track(stoppable) {
  const stop = () => stoppable.stop();
  cleanups.push(stop);
  return async () => {
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop();
  };
}

/** Jiffies of all CPUs: [idle (idle + iowait), total], from /proc/stat. */
function cpuJiffies() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return [fields[3] + (fields[4] ?? 0), fields.reduce((sum, value) => sum + value, 0)];
}

/** The share of the machine's CPU busy with other work over one second, before the bench starts anything. */
async function busyShare() {
  const [idle0, total0] = cpuJiffies();
  await sleep(1000);
  const [idle1, total1] = cpuJiffies();
  return total1 > total0 ? round(1 - (idle1 - idle0) / (total1 - total0), 2) : null;
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  return {
    cpu: model,
    cores: availableParallelism(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverageAtStart: round(loadavg()[0], 2),
  };
}

function normalEndpoints(ids) {
  return [
    api({ name: 'GET /api/teachers/:id', path: `/api/teachers/${ids.teacher}` }),
    api({ name: 'GET /api/schools?limit=20', path: '/api/schools?limit=20' }),
    api({
      name: 'GET /api/headmasters/:id/dashboard',
      path: `/api/headmasters/${ids.headmaster}/dashboard`,
      slow: true,
    }),
    api({
      name: 'POST /graphql (20 schools, headmaster, teacherCount)',
      slow: true,
      path: '/graphql',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: GRAPHQL_QUERY }),
    }),
  ];
}

/** The reads measured in an outage: a real headmaster's dashboard and a list, both read before it (normal mode). */
function outageEndpoints(ids) {
  return [
    api({ name: 'GET /api/headmasters/:id/dashboard', path: `/api/headmasters/${ids.headmaster}/dashboard` }),
    api({ name: 'GET /api/schools?limit=20', path: '/api/schools?limit=20' }),
  ];
}

/** Checks that an endpoint answers 200 before it is measured: a benchmark of 404s would measure nothing. */
async function assertAnswers(port, endpoint, what) {
  const answer = await httpRequest({ port, ...endpoint, timeoutMs: 10_000 });
  if (answer.status !== 200) {
    throw new Error(
      `${what} ${endpoint.name} answered ${answer.status ?? answer.error}: ${answer.body?.slice(0, 300)}`,
    );
  }
  return answer;
}

// ---------------------------------------------------------------- 1. normal mode

/**
 * Waits until the work a run left behind is done, so that it does not slow down the next run: autocannon
 * drops its connections at the end, but the server finishes their requests, the database works through the
 * operations the service gave up on (its time limit), and a service that fell back returns to the database.
 */
async function settle(run, probe, servicePort) {
  await sleep(100);
  if ((await probe.waitIdle()) === undefined) log('note: the database was still busy 20 s after a run');
  if (servicePort !== undefined) {
    const back = await pollUntil(servicePort, performance.now(), 20_000, fromDatabase);
    if (back.ms === null) log('note: the service did not answer from the database within 20 s after a run');
  }
}

async function normalMode(service, baseline, ids, probe) {
  const targets = { service: service.port, baseline: baseline.port };
  const pids = { service: service.pid, baseline: baseline.pid };
  const endpoints = normalEndpoints(ids);
  for (const endpoint of endpoints) {
    const fromService = await assertAnswers(service.port, endpoint, 'service');
    const fromBaseline = await assertAnswers(baseline.port, endpoint, 'baseline');
    if (fromService.body !== fromBaseline.body)
      log(`note: ${endpoint.name}: the baseline's body differs from the service's`);
  }
  const load = async (target, { slow: _slow, ...endpoint }, durationS) => {
    const port = targets[target];
    const cpuBefore = cpuMs(pids[target]);
    const run = await runLoad({ port, ...endpoint, connections: PLAN.connections, durationS, timeoutS: 10 });
    // The server's CPU time per answer (its share of the CPU the load generator and FerretDB also need).
    run.cpuMsPerRequest = run.requests > 0 ? round((cpuMs(pids[target]) - cpuBefore) / run.requests, 3) : null;
    await settle(run, probe, target === 'service' ? port : undefined);
    return run;
  };

  const countersBefore = await fallbackCounters(service.port, TOKEN_HEADERS);
  // The service's answers of the warm-up by X-Data-Source (those of the measured runs are in each run).
  const warmupSources = {};
  if (PLAN.normal.warmupS > 0) {
    log('normal mode: warming up');
    for (const endpoint of endpoints) {
      for (const target of Object.keys(targets)) {
        const run = await load(target, endpoint, PLAN.normal.warmupS);
        if (target === 'service') warmupSources[endpoint.name] = { ...run.sources, errors: run.errors };
      }
    }
  }
  const runs = Object.fromEntries(endpoints.map((endpoint) => [endpoint.name, { service: [], baseline: [] }]));
  const fastReps = Math.max(PLAN.reps, PLAN.normal.fastReps ?? 0);
  for (let rep = 0; rep < fastReps; rep++) {
    // Alternate which one goes first, so drift during the run does not favour either.
    const order = rep % 2 === 0 ? ['service', 'baseline'] : ['baseline', 'service'];
    for (const endpoint of endpoints) {
      const reps = endpoint.slow ? PLAN.reps : fastReps;
      if (rep >= reps) continue;
      for (const target of order) {
        const run = await load(target, endpoint, endpoint.slow ? PLAN.normal.slowDurationS : PLAN.normal.durationS);
        runs[endpoint.name][target].push(run);
        log(
          `normal ${rep + 1}/${reps} ${target.padEnd(8)} ${endpoint.name}: ${run.dbRps} req/s from the database, ` +
            `p50 ${run.p50} ms, p99 ${run.p99} ms, answers ${JSON.stringify(run.sources)}, errors ${run.errors} ${JSON.stringify(run.statusCodes)}`,
        );
      }
    }
  }
  const rows = endpoints.map((endpoint) => {
    const service = combineRuns(runs[endpoint.name].service);
    const baseline = combineRuns(runs[endpoint.name].baseline);
    // Throughput of the same database work: the service's answers from its backup data do not count. The ratio is
    // the median of each repetition's ratio: a service run and the baseline run next to it share the conditions of
    // the moment (other work on the machine comes and goes), which separate repetitions do not.
    const paired = runs[endpoint.name].service.map((run, index) => {
      const other = runs[endpoint.name].baseline[index];
      return other?.dbRps ? run.dbRps / other.dbRps : null;
    });
    return {
      endpoint: endpoint.name,
      service,
      baseline,
      ratio: round(median(paired), 3),
      pairedRatios: paired.map((value) => round(value, 3)),
      ratioOfMedians: baseline.dbRps ? round(service.dbRps / baseline.dbRps, 3) : null,
      runs: runs[endpoint.name],
      warmupSources: warmupSources[endpoint.name] ?? {},
    };
  });
  // While the database is healthy, no answer comes from backup data and the breaker never opens: what the service's
  // counters say happened over the whole normal mode (hedged reads are answered stale, never from backup data).
  const counters = countersDelta(countersBefore, await fallbackCounters(service.port, TOKEN_HEADERS));
  return { rows, answers: answersBySource(rows), counters };
}

/** The service's answers of the normal mode (warm-up and measured runs) by X-Data-Source, per endpoint and in all. */
function answersBySource(rows) {
  const total = { database: 0, stale: 0, fallback: 0, errors: 0 };
  const byEndpoint = rows.map((row) => {
    const counts = { database: 0, stale: 0, fallback: 0, errors: row.service.errors + (row.warmupSources.errors ?? 0) };
    for (const sources of [row.service.sources, row.warmupSources]) {
      for (const [source, count] of Object.entries(sources ?? {})) {
        if (source !== 'errors') counts[source] = (counts[source] ?? 0) + count;
      }
    }
    for (const [source, count] of Object.entries(counts)) total[source] = (total[source] ?? 0) + count;
    return { endpoint: row.endpoint, ...counts };
  });
  return { total, byEndpoint };
}

// ---------------------------------------------------------------- 2 + 3. outage, failover, recovery

const POLL_PATH = '/api/schools?limit=20';

/**
 * Polls the service one request at a time until an answer satisfies `isWanted`; the ms from `since`,
 * or null when none came within `capMs`. Each request is bounded by the time left.
 */
async function pollUntil(port, since, capMs, isWanted) {
  let polls = 0;
  for (;;) {
    const left = capMs - (performance.now() - since);
    if (left <= 0) return { ms: null, polls };
    const answer = await httpRequest({ port, path: POLL_PATH, headers: apiHeaders(), timeoutMs: Math.max(1, left) });
    polls++;
    if (isWanted(answer)) return { ms: round(performance.now() - since, 1), polls };
    await sleep(5);
  }
}

/** The breaker's state as the service's /health reports it (closed, open, isolated). */
async function breakerState(port) {
  const answer = await httpRequest({ port, path: '/health', timeoutMs: 1000 });
  try {
    return JSON.parse(answer.body).breaker?.state;
  } catch {
    return undefined;
  }
}

const fromDatabase = (answer) => answer.status === 200 && answer.headers['x-data-source'] === 'database';

const FAULTS = {
  hung: {
    label: 'hung (SIGSTOP)',
    inject: async (db) => db.pause(),
    end: async (db) => db.resume(),
    endLabel: 'SIGCONT',
  },
  killed: {
    label: 'killed (SIGKILL)',
    inject: async (db) => db.kill(),
    end: async (db) => db.restart(),
    endLabel: 'restart',
  },
};

/** The reads of the failover cycles: the poll path, and teachers by id the service read before the fault (warm). */
function failoverReads(ids, demo) {
  const warm = [...new Set([ids.teacher, ...(demo?.teachers ?? []).slice(0, WARM_TEACHERS)])];
  return {
    poll: { label: `GET ${POLL_PATH}`, operation: 'schools.find', paths: [POLL_PATH] },
    warm: {
      label: `GET /api/teachers/:id (${warm.length} ids read before)`,
      operation: 'teachers.findById',
      paths: warm.map((id) => `/api/teachers/${id}`),
    },
  };
}
const WARM_TEACHERS = 20;

/** The clients of the failover cycles: one polling sequentially, and an open loop started before the fault. */
const FAILOVER_CLIENTS = {
  sequential: (options) => sequentialClient(options),
  open: (options) => openClient({ ...options, rate: PLAN.outage.failover.rate }),
};

/**
 * When the service's breaker opened, in ms from the fault (`faultWall`, Date.now() then), from its /health: the
 * time of the stall or of the failure that opened it; null while it is closed.
 */
function breakerOpenedMs(report, faultWall) {
  if (!report || report.state === 'closed') return null;
  const times = [report.lastStall?.at, report.lastErrorAt]
    .map((at) => (at ? Date.parse(at) : NaN))
    .filter((at) => at >= faultWall - 1);
  return times.length ? Math.max(0, Math.min(...times) - faultWall) : null;
}

/**
 * One fault with a client running across it: the service answers from the database; the client (one polling
 * sequentially, or an open loop) runs `leadMs`; the fault; `holdMs` more (until its first answer without the
 * database, at most `failoverCapMs` from the fault); the client stops and its figures are taken from the fault on. Then `during` (the loads of the outage), the fault ends, and recovery is polled.
 */
async function faultCycle({ design, service, db, probe, fault, client, read, during }) {
  const { outage } = PLAN;
  const { leadMs, holdMs } = outage.failover;
  const healthy = await pollUntil(service.port, performance.now(), 20_000, fromDatabase);
  if (healthy.ms === null)
    throw new Error(`${design}: the service did not answer from the database before the ${fault} fault`);
  // The database has worked through what the last fault left (after SIGCONT, the operations it held).
  if ((await probe.waitIdle(5000)) === undefined) log('note: the database was still busy 5 s after the last fault');
  const runner = FAILOVER_CLIENTS[client]({
    port: service.port,
    paths: read.paths,
    headers: apiHeaders(),
    timeoutMs: outage.failoverCapMs,
  });
  await sleep(leadMs);
  // What the service has learned when the fault comes (its read's deadline, the heartbeat's timeout) and its counters.
  const before =
    design === 'configured'
      ? { health: await breakerReport(service.port), counters: await fallbackCounters(service.port, TOKEN_HEADERS) }
      : null;
  const faultWall = Date.now();
  const faultAt = performance.now();
  await FAULTS[fault].inject(db);
  const cycle = { client, read: read.key };
  try {
    await sleep(holdMs);
    // A client with no answer without the database yet goes on until one comes, or the cap.
    await waitUntil(
      () => answeredWithoutDatabase(runner.records, faultAt),
      outage.failoverCapMs - (performance.now() - faultAt),
      10,
    );
    Object.assign(cycle, faultFigures(await runner.stop(), faultAt));
    if (design === 'configured') {
      const after = await breakerReport(service.port);
      cycle.breakerOpenMs = breakerOpenedMs(after, faultWall);
      cycle.deadlineMs = before.health?.deadlines[read.operation]?.deadlineMs ?? null;
      cycle.heartbeatTimeoutMs = before.health?.heartbeat?.timeoutMs ?? null;
      // The breaker at the end of the hold, and what its counters (transitions, stalls) say of the fault.
      cycle.breakerAfter = {
        state: after?.state ?? null,
        lastStall: after?.lastStall ?? null,
        heartbeat: after?.heartbeat ?? null,
      };
      cycle.counters = countersDelta(before.counters, await fallbackCounters(service.port, TOKEN_HEADERS));
    }
    await during?.();
  } finally {
    const endStarted = performance.now();
    await FAULTS[fault].end(db);
    const backAt = performance.now();
    cycle.databaseBackMs = round(backAt - endStarted, 1);
    cycle.recoveryMs = (await pollUntil(service.port, backAt, outage.recoveryCapMs, fromDatabase)).ms;
  }
  return cycle;
}

async function outageFor(design, service, db, ids, demo) {
  const OUTAGE_ENDPOINTS = outageEndpoints(ids);
  const { outage } = PLAN;
  const reads = failoverReads(ids, demo);
  // The warm reads: read once from the database, so that the service remembers them.
  for (const path of reads.warm.paths) await assertAnswers(service.port, api({ name: path, path }), 'service');
  // As configured: one client polling and an open loop, each over both reads. Naive: the poll only.
  const cases = [
    ['sequential', 'poll'],
    ...(design === 'configured'
      ? [
          ['sequential', 'warm'],
          ['open', 'poll'],
          ['open', 'warm'],
        ]
      : []),
  ];
  const result = {};
  for (const fault of Object.keys(FAULTS)) {
    const loads = Object.fromEntries(OUTAGE_ENDPOINTS.map((endpoint) => [endpoint.name, { load: [], open: [] }]));
    result[fault] = { cycles: [], loads };
  }
  const probe = await openDatabaseProbe(db.uri, DB_NAME, ids.teacher);
  const closeProbe = track({ stop: () => probe.close() });
  try {
    for (let rep = 0; rep < PLAN.reps; rep++) {
      for (const fault of Object.keys(FAULTS)) {
        const entry = result[fault];
        for (const [index, [client, readKey]] of cases.entries()) {
          const read = { key: readKey, ...reads[readKey] };
          // The outage's loads run in the first cycle, once the client has seen the fault (and the breaker opened).
          const during =
            index === 0
              ? () => outageLoads({ design, service, fault, rep, entry, endpoints: OUTAGE_ENDPOINTS })
              : undefined;
          const cycle = await faultCycle({ design, service, db, probe, fault, client, read, during });
          const unsettled = Object.keys(cycle.beforeFaultBySource).filter((source) => source !== 'database');
          if (unsettled.length)
            log(`note: before the fault the service answered ${JSON.stringify(cycle.beforeFaultBySource)}`);
          entry.cycles.push(cycle);
          log(
            `outage ${rep + 1}/${PLAN.reps} ${design} ${fault} ${client} ${readKey}: first answer without the database ` +
              `${cycle.firstWithoutDatabaseMs ?? '-'} ms, longest wait ${cycle.longestWaitMs ?? '-'} ms` +
              `${cycle.longestWaitTimedOut ? ' (timed out)' : ''}, after the fault ${JSON.stringify(cycle.afterFault.bySource)} ` +
              `errors ${cycle.afterFault.errors}` +
              (design === 'configured'
                ? `, breaker open ${cycle.breakerOpenMs ?? '-'} ms, deadline ${cycle.deadlineMs ?? '-'} ms, heartbeat timeout ${cycle.heartbeatTimeoutMs ?? '-'} ms`
                : '') +
              `; recovery after ${FAULTS[fault].endLabel} ${cycle.recoveryMs ?? '-'} ms`,
          );
        }
      }
    }
  } finally {
    await closeProbe();
  }
  return Object.fromEntries(
    Object.entries(result).map(([fault, entry]) => {
      const first = entry.cycles.filter((cycle) => cycle.client === 'sequential' && cycle.read === 'poll');
      return [
        fault,
        {
          fault: FAULTS[fault].label,
          // One client polling the poll path: fault -> first answer without the database.
          failoverMs: failoverCase(first, 'sequential', 'poll', '').firstWithoutDatabaseMs,
          failoverRuns: first.map((cycle) => cycle.firstWithoutDatabaseMs),
          // Fault -> the breaker open, from the service's /health (as configured only).
          breakerOpenMs: median(entry.cycles.map((cycle) => cycle.breakerOpenMs)),
          breakerOpenRuns: entry.cycles.map((cycle) => cycle.breakerOpenMs ?? null),
          failoverCapMs: outage.failoverCapMs,
          // Recovery: every cycle's.
          recoveryMs: median(entry.cycles.map((cycle) => cycle.recoveryMs)),
          recoveryMaxMs: entry.cycles.some((cycle) => cycle.recoveryMs === null)
            ? null
            : Math.max(...entry.cycles.map((cycle) => cycle.recoveryMs)),
          recoveryRuns: entry.cycles.map((cycle) => cycle.recoveryMs),
          recoveryFrom: FAULTS[fault].endLabel,
          databaseBackMs: entry.cycles.map((cycle) => cycle.databaseBackMs),
          cases: cases.map(([client, readKey]) => failoverCase(entry.cycles, client, readKey, reads[readKey].label)),
          endpoints: OUTAGE_ENDPOINTS.map((endpoint) => {
            const { load, open } = entry.loads[endpoint.name];
            return {
              endpoint: endpoint.name,
              ...combineRuns(load),
              open: open.length ? combineRuns(open) : null,
              runsDetail: { load, open },
            };
          }),
        },
      ];
    }),
  );
}

/** The figures of one client and read over the repetitions: medians, the worst wait, the answers after the fault. */
function failoverCase(cycles, client, read, readLabel) {
  const runs = cycles.filter((cycle) => cycle.client === client && cycle.read === read);
  // A fault with no answer without the database (null) counts as the worst, not as a run left out.
  const medianOrNone = (values) => {
    const value = median(values.map((ms) => ms ?? Infinity));
    return value === Infinity ? null : value;
  };
  const sum = (pick) => runs.reduce((total, cycle) => total + pick(cycle), 0);
  const bySource = {};
  for (const cycle of runs) {
    for (const [source, count] of Object.entries(cycle.afterFault.bySource))
      bySource[source] = (bySource[source] ?? 0) + count;
  }
  return {
    client,
    clientLabel:
      client === 'sequential'
        ? 'one client, one request at a time'
        : `open loop, ${PLAN.outage.failover.rate} requests/s`,
    read,
    readLabel,
    firstWithoutDatabaseMs: medianOrNone(runs.map((cycle) => cycle.firstWithoutDatabaseMs)),
    firstWithoutDatabaseRuns: runs.map((cycle) => cycle.firstWithoutDatabaseMs),
    longestWaitMs: median(runs.map((cycle) => cycle.longestWaitMs)),
    longestWaitRuns: runs.map((cycle) => cycle.longestWaitMs),
    worstWaitMs: runs.length ? Math.max(...runs.map((cycle) => cycle.longestWaitMs ?? 0)) : null,
    timedOut: runs.some((cycle) => cycle.longestWaitTimedOut),
    deadlineMs: median(runs.map((cycle) => cycle.deadlineMs)),
    heartbeatTimeoutMs: median(runs.map((cycle) => cycle.heartbeatTimeoutMs)),
    breakerOpenMs: median(runs.map((cycle) => cycle.breakerOpenMs)),
    // Faults after which the breaker was still closed at the end of the hold (the service never found the fault).
    breakerClosedAfter: runs.filter((cycle) => cycle.breakerAfter?.state === 'closed').length,
    afterFault: { bySource, errors: sum((cycle) => cycle.afterFault.errors) },
    runs,
  };
}

/** The loads of an outage (saturation, and as configured a steady rate), once the breaker is open. */
async function outageLoads({ design, service, fault, rep, entry, endpoints }) {
  const { outage } = PLAN;
  for (const endpoint of endpoints) {
    // Closed loop (10 connections, as fast as answered): throughput and latency under saturation. For the
    // service as configured also an open loop at a steady rate: the latency independent clients see.
    const closed = await runLoad({
      port: service.port,
      ...endpoint,
      connections: PLAN.connections,
      // Long enough for a request that hangs to time out within the run, so that it is counted.
      durationS: design === 'naive' ? Math.max(outage.durationS, outage.timeoutS + 1) : outage.durationS,
      timeoutS: outage.timeoutS,
    });
    entry.loads[endpoint.name].load.push(closed);
    log(
      `outage ${rep + 1}/${PLAN.reps} ${design} ${fault} ${endpoint.name}: ${closed.rps} req/s, p50 ${closed.p50 ?? '-'} ms, ` +
        `p99 ${closed.p99 ?? '-'} ms, max ${closed.max ?? '-'} ms, errors ${closed.errors} (timeouts ${closed.timeouts}, non-2xx ${closed.non2xx})`,
    );
    if (design === 'naive') continue;
    // The steady load is measured on its own: after a pause, so that its first requests do not pay for the
    // saturation run just before (its garbage, its connections closing), and longer, as a p99 of few requests
    // is one slow answer away from the worst.
    await sleep(outage.steadyPauseMs);
    const open = await openLoad({
      port: service.port,
      path: endpoint.path,
      headers: endpoint.headers,
      rate: outage.rate,
      durationS: outage.steadyS,
      timeoutS: outage.timeoutS,
    });
    entry.loads[endpoint.name].open.push(open);
    log(
      `outage ${rep + 1}/${PLAN.reps} ${design} ${fault} ${endpoint.name} at ${outage.rate}/s: p50 ${open.p50 ?? '-'} ms, ` +
        `p99 ${open.p99 ?? '-'} ms, max ${open.max ?? '-'} ms, over ${open.slowMs} ms ${open.slow}/${open.ok}, errors ${open.errors}`,
    );
  }
}

// ---------------------------------------------------------------- 7. healthy but slow

/**
 * The database is healthy but slow: the headmaster dashboard and the GraphQL schools query at once, `connections`
 * each, after a warm-up at an easy pace (2 connections each) from which the service learns its deadlines. On
 * FerretDB every answer then takes hundreds of ms. Where the answers came from (X-Data-Source), and what the
 * service's /health and /metrics say of its breaker before and after: it stays closed, nothing from backup data.
 */
async function healthyButSlow(db, ids) {
  const { warmupS, durationS, connections } = PLAN.slow;
  const service = await startService({
    mongoUri: db.uri,
    dbName: DB_NAME,
    env: SERVICE_ACCESS,
    headers: apiHeaders(),
    label: 'service (slow)',
  });
  const stopService = track(service);
  const probe = await openDatabaseProbe(db.uri, DB_NAME, ids.teacher);
  const closeProbe = track({ stop: () => probe.close() });
  try {
    const endpoints = normalEndpoints(ids)
      .filter((endpoint) => endpoint.slow)
      .map(({ slow: _slow, ...endpoint }) => endpoint);
    for (const endpoint of endpoints) await assertAnswers(service.port, endpoint, 'service');
    const together = (perEndpoint, seconds) =>
      Promise.all(
        endpoints.map((endpoint) =>
          runLoad({ port: service.port, ...endpoint, connections: perEndpoint, durationS: seconds, timeoutS: 10 }),
        ),
      );
    const describe = (run) =>
      `p50 ${run.p50 ?? '-'} ms, p99 ${run.p99 ?? '-'} ms, answers ${JSON.stringify(run.sources)}, errors ${run.errors}`;
    const warmup = {};
    if (warmupS > 0) {
      const runs = await together(2, warmupS);
      endpoints.forEach((endpoint, index) => {
        warmup[endpoint.name] = { ...runs[index].sources, errors: runs[index].errors };
        log(`slow: warm-up ${endpoint.name} (2 connections): ${describe(runs[index])}`);
      });
      await settle(null, probe, service.port);
    }
    const before = {
      health: await breakerReport(service.port),
      counters: await fallbackCounters(service.port, TOKEN_HEADERS),
    };
    const runs = Object.fromEntries(endpoints.map((endpoint) => [endpoint.name, []]));
    for (let rep = 0; rep < PLAN.reps; rep++) {
      const loads = await together(connections, durationS);
      endpoints.forEach((endpoint, index) => {
        runs[endpoint.name].push(loads[index]);
        log(`slow ${rep + 1}/${PLAN.reps} ${endpoint.name} (${connections} connections): ${describe(loads[index])}`);
      });
      await settle(null, probe, service.port);
    }
    const after = {
      health: await breakerReport(service.port),
      counters: await fallbackCounters(service.port, TOKEN_HEADERS),
    };
    const rows = endpoints.map((endpoint) => ({
      endpoint: endpoint.name,
      ...combineRuns(runs[endpoint.name]),
      runsDetail: runs[endpoint.name],
    }));
    const sources = { database: 0, stale: 0, fallback: 0 };
    for (const row of rows) {
      for (const [source, count] of Object.entries(row.sources)) sources[source] = (sources[source] ?? 0) + count;
    }
    // The learned deadlines of the operations these reads ran, before and after the load.
    const deadlines = Object.fromEntries(
      Object.keys(after.health?.deadlines ?? {}).map((operation) => [
        operation,
        { before: before.health?.deadlines[operation] ?? null, after: after.health.deadlines[operation] },
      ]),
    );
    return {
      connectionsPerEndpoint: connections,
      durationS,
      endpoints: rows,
      sources,
      errors: rows.reduce((total, row) => total + row.errors, 0),
      warmup,
      breaker: {
        before: before.health?.state ?? null,
        after: after.health?.state ?? null,
        modeAfter: after.health?.mode ?? null,
        lastStallAfter: after.health?.lastStall ?? null,
        heartbeatAfter: after.health?.heartbeat ?? null,
      },
      counters: countersDelta(before.counters, after.counters),
      deadlines,
    };
  } finally {
    await closeProbe();
    await stopService();
  }
}

// ---------------------------------------------------------------- 6. real data in an outage

/** Reads until the service's breaker opens (its failures open it), so that the figures are those of the outage. */
async function untilBreakerOpen(port) {
  const capMs = PLAN.outage.failoverCapMs + PLAN.outage.breakerCapMs;
  await waitUntil(
    async () => {
      await httpRequest({ port, path: POLL_PATH, headers: apiHeaders(), timeoutMs: capMs });
      return (await breakerState(port)) !== 'closed';
    },
    capMs,
    5,
  );
}

/**
 * In process: one instance reads half the headmasters' endpoints and some teachers, the database hangs, the same
 * instance answers the warm paths and the never-read ones. Through Redis: a first instance (REDIS_URL) reads them;
 * during the outage a second instance starts with nothing in process and answers from the shared tier.
 */
async function realData(db, demo) {
  const paths = realDataPaths(demo);
  const plan = PLAN.realdata;
  const headers = apiHeaders();
  const common = { db, headers, paths, plan, log, breakerOpen: untilBreakerOpen };
  const start = (env, label, readyWhen) =>
    startService({ mongoUri: db.uri, dbName: DB_NAME, env: { ...SERVICE_ACCESS, ...env }, headers, label, readyWhen });

  const result = {};
  const alone = await start({}, 'service (real data)');
  const stopAlone = track(alone);
  try {
    result.inProcess = await realDataOutage({
      ...common,
      label: 'in process',
      warmer: alone,
      reader: async () => alone,
    });
  } finally {
    await stopAlone();
  }

  const redis = await startRedis(log);
  if (!redis) return result;
  const stopRedis = track(redis);
  const first = await start({ REDIS_URL: redis.url }, 'service (real data, Redis)');
  const stopFirst = track(first);
  let second;
  try {
    result.redis = await realDataOutage({
      ...common,
      label: 'through Redis',
      warmer: first,
      reader: async () => {
        second = await start({ REDIS_URL: redis.url }, 'service started in the outage', 'any');
        track(second);
        return second;
      },
    });
  } finally {
    await second?.stop();
    await stopFirst();
    await stopRedis();
  }
  return result;
}

// ---------------------------------------------------------------- 4. edge

async function edge(service, probe) {
  const varnish = await startVarnish({ backendPort: service.port });
  const stopVarnish = track(varnish);
  try {
    const hitPath = `/graphql?query=${encodeURIComponent(GRAPHQL_QUERY)}`;
    // With the token: Varnish keeps one copy per credential (the query asks for headmasters, which only signed-in
    // callers may see).
    const hitRequest = api({ name: 'edge GET /graphql', path: hitPath });
    await assertAnswers(varnish.port, hitRequest, 'edge');
    const second = await assertAnswers(varnish.port, hitRequest, 'edge');
    if (second.headers['x-cache'] !== 'HIT')
      throw new Error(`edge: a repeated GET is not a cache hit (X-Cache ${second.headers['x-cache']})`);
    let buster = Date.now();
    const missRequests = [
      {
        method: 'GET',
        headers: hitRequest.headers,
        setupRequest: (request) => ({
          ...request,
          path: `${hitPath}&variables=${encodeURIComponent(JSON.stringify({ cacheBuster: buster++ }))}`,
        }),
      },
    ];
    const firstMiss = await assertAnswers(
      varnish.port,
      api({ name: 'edge miss', path: `${hitPath}&variables=${encodeURIComponent('{"cacheBuster":-1}')}` }),
      'edge',
    );
    if (firstMiss.headers['x-cache'] !== 'MISS')
      throw new Error(`edge: a unique URL is not a miss (X-Cache ${firstMiss.headers['x-cache']})`);

    const runs = { hit: [], miss: [] };
    for (let rep = 0; rep < PLAN.reps; rep++) {
      for (const kind of ['hit', 'miss']) {
        await sleep(500);
        const before = varnish.counters();
        const run = await runLoad({
          port: varnish.port,
          ...(kind === 'hit'
            ? { path: hitPath, headers: hitRequest.headers }
            : { path: hitPath, requests: missRequests }),
          connections: PLAN.connections,
          durationS: PLAN.edge.durationS,
          timeoutS: 10,
        });
        // Varnish's workers publish their counters when idle: let them.
        await sleep(500);
        const after = varnish.counters();
        await settle(run, probe, service.port);
        const delta = (name) =>
          after[name] !== undefined && before[name] !== undefined ? after[name] - before[name] : null;
        run.varnish = { hits: delta('MAIN.cache_hit'), misses: delta('MAIN.cache_miss') };
        runs[kind].push(run);
        log(
          `edge ${rep + 1}/${PLAN.reps} ${kind}: ${run.rps} req/s, p99 ${run.p99} ms, varnish ${JSON.stringify(run.varnish)}`,
        );
      }
    }
    const hit = combineRuns(runs.hit);
    const miss = combineRuns(runs.miss);
    const sumOf = (kind, key) => runs[kind].reduce((total, run) => total + (run.varnish[key] ?? 0), 0);
    return {
      hit: { ...hit, varnishHits: sumOf('hit', 'hits'), varnishMisses: sumOf('hit', 'misses') },
      miss: { ...miss, varnishHits: sumOf('miss', 'hits'), varnishMisses: sumOf('miss', 'misses') },
      ratio: miss.rps ? round(hit.rps / miss.rps, 1) : null,
      runs,
    };
  } finally {
    await stopVarnish();
  }
}

// ---------------------------------------------------------------- 5. memory

/** The service's V8 heap (used, total) and external memory in MB, from its Prometheus metrics (for admins). */
async function heapMb(port) {
  const answer = await httpRequest({ port, path: '/metrics', headers: TOKEN_HEADERS, timeoutMs: 2000 });
  if (answer.status !== 200) return null;
  const metric = (name) => {
    const match = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(answer.body);
    return match ? round(Number(match[1]) / 2 ** 20, 1) : null;
  };
  return {
    used: metric('nodejs_heap_size_used_bytes'),
    total: metric('nodejs_heap_size_total_bytes'),
    external: metric('nodejs_external_memory_bytes'),
  };
}

/** The lowest value of each `windowS` window: with a garbage-collected heap, a rising floor is what a leak looks like. */
function floors(samples, windowS) {
  const byWindow = new Map();
  for (const [t, value] of samples) {
    if (value === null) continue;
    const window = Math.floor(t / windowS);
    byWindow.set(window, Math.min(byWindow.get(window) ?? Infinity, value));
  }
  return [...byWindow].map(([window, value]) => [window * windowS, value]);
}

async function memory(service, db, ids) {
  const { warmupS, durationS, flapS, sampleMs, heapSampleMs, floorWindowS } = PLAN.memory;
  const requests = normalEndpoints(ids).map(({ path, method = 'GET', headers, body }) =>
    method === 'POST' ? { path, method, headers, body } : { path, method, headers },
  );
  const mixed = (seconds) =>
    runLoad({ port: service.port, requests, connections: PLAN.connections, durationS: seconds, timeoutS: 5 });
  const idleRssMb = round(rssMb(service.pid), 1);
  if (warmupS > 0) await mixed(warmupS);

  const samples = [];
  const heap = [];
  const flaps = [];
  const started = performance.now();
  const seconds = () => round((performance.now() - started) / 1000, 2);
  const sample = () => samples.push([seconds(), round(rssMb(service.pid), 1)]);
  let heapBusy = false;
  const sampleHeap = async () => {
    if (heapBusy) return;
    heapBusy = true;
    const t = seconds();
    const value = await heapMb(service.port);
    if (value) heap.push([t, value.used, value.total, value.external]);
    heapBusy = false;
  };
  sample();
  await sampleHeap();
  const sampler = setInterval(sample, sampleMs);
  const heapSampler = setInterval(() => void sampleHeap(), heapSampleMs);
  let paused = false;
  const flapper = setInterval(() => {
    paused = !paused;
    if (paused) db.pause();
    else db.resume();
    flaps.push([seconds(), paused ? 'SIGSTOP' : 'SIGCONT']);
  }, flapS * 1000);
  let load;
  try {
    load = await mixed(durationS);
  } finally {
    clearInterval(flapper);
    clearInterval(sampler);
    clearInterval(heapSampler);
    if (paused) db.resume();
  }
  sample();
  await sampleHeap();
  const rss = samples.map(([, mb]) => mb).filter((mb) => mb !== null);
  const secondHalf = samples.filter(([t]) => t >= samples.at(-1)[0] / 2);
  const used = heap.map(([t, value]) => [t, value]);
  const usedFloors = floors(used, floorWindowS);
  return {
    durationS,
    flapEveryS: flapS,
    idleRssMb,
    startMb: rss[0] ?? null,
    maxMb: rss.length ? Math.max(...rss) : null,
    endMb: rss.at(-1) ?? null,
    slopeMbPerMin: round((slope(samples) ?? NaN) * 60, 2),
    secondHalfSlopeMbPerMin: round((slope(secondHalf) ?? NaN) * 60, 2),
    heap: {
      usedStartMb: used[0]?.[1] ?? null,
      usedMaxMb: used.length ? Math.max(...used.map(([, value]) => value)) : null,
      usedEndMb: used.at(-1)?.[1] ?? null,
      totalMaxMb: heap.length ? Math.max(...heap.map(([, , total]) => total)) : null,
      floorWindowS,
      usedFloors,
      usedFloorSlopeMbPerMin: round((slope(usedFloors) ?? NaN) * 60, 2),
    },
    samples,
    heapSamples: heap,
    heapSampleColumns: ['s', 'usedMb', 'totalMb', 'externalMb'],
    flaps,
    load: { ...load, note: 'mixed: the four reads of the normal mode, in turn on every connection' },
  };
}

// ---------------------------------------------------------------- main

/**
 * The scenarios (of those run) that produced no figures: empty when every one did. A load run has figures once it
 * sent requests, even if none was answered (then its throughput is 0 and its errors say why); nothing about speed.
 */
function missingFigures(results, only) {
  const missing = [];
  if (only.has('normal')) {
    if (!results.normal?.length) missing.push('normal');
    for (const row of results.normal ?? []) {
      if (!(row.service.sent > 0) || !(row.baseline.sent > 0)) missing.push(`normal ${row.endpoint}`);
    }
  }
  for (const design of only.has('outage') ? ['configured', 'naive'] : []) {
    const outage = results.outage?.[design];
    if (!outage) {
      missing.push(`outage ${design}`);
      continue;
    }
    for (const fault of Object.keys(FAULTS)) {
      const entry = outage[fault];
      if (!entry) {
        missing.push(`outage ${design} ${fault}`);
        continue;
      }
      for (const row of entry.endpoints) {
        // Figures even when nothing was answered: the requests sent, and how many timed out.
        const counted = (run) => run.sent > 0;
        if (!counted(row) || (design === 'configured' && !(row.open && counted(row.open)))) {
          missing.push(`outage ${design} ${fault} ${row.endpoint}`);
        }
      }
      // No failover within the cap is a figure (the target is missed), not a missing one; no recovery is neither.
      if (design === 'configured' && entry.recoveryMs === null) missing.push(`recovery ${design} ${fault}`);
      for (const failover of entry.cases ?? []) {
        if (!failover.runs.some((cycle) => cycle.requests > cycle.beforeFault)) {
          missing.push(`failover ${design} ${fault} ${failover.client} ${failover.read}`);
        }
      }
    }
  }
  if (only.has('slow')) {
    if (!results.slow?.endpoints?.length) missing.push('slow');
    for (const row of results.slow?.endpoints ?? []) if (!(row.sent > 0)) missing.push(`slow ${row.endpoint}`);
  }
  if (only.has('edge') && (!(results.edge?.hit?.sent > 0) || !(results.edge?.miss?.sent > 0))) missing.push('edge');
  if (only.has('realdata') && !(results.realData?.inProcess?.classes?.warm?.sent > 0)) missing.push('realdata');
  if (only.has('memory') && (!(results.memory?.samples?.length >= 2) || results.memory.maxMb === null)) {
    missing.push('memory');
  }
  return missing;
}

async function main() {
  const startedAt = new Date();
  ensureBuilt(log);
  const results = {
    normal: null,
    normalAnswers: null,
    slow: null,
    outage: {},
    edge: null,
    memory: null,
    realData: null,
  };
  const report = {
    startedAt: startedAt.toISOString(),
    mode: args.smoke ? 'smoke' : 'full',
    scenarios: [...only],
    // The names of the headers sent with API requests (their values, a token among them, are not recorded).
    requestHeaders: Object.keys(apiHeaders()),
    service: SERVICE_MAIN,
    // As npm start runs it.
    serviceCommand: [
      ...Object.entries(serviceEnvironment()).map(([name, value]) => `${name}=${value}`),
      'node',
      ...serviceNodeArgs(),
      relative(ROOT, SERVICE_MAIN),
    ].join(' '),
    // Other work on the machine skews every figure: how busy it was just before the run.
    machine: { ...machine(), busyAtStart: await busyShare() },
    plan: PLAN,
    results,
  };
  let failure;
  try {
    log('starting FerretDB with the demo data');
    const { server: db, stop: stopDatabase, ids, demo } = await startDatabase(DB_NAME, log);
    track({ stop: stopDatabase });
    report.database = { kind: 'FerretDB (SQLite backend)', uri: db.uri, dbName: DB_NAME, ids };
    Object.defineProperty(report.database, 'demo', { value: demo, enumerable: false });

    if (only.has('normal') || only.has('edge') || only.has('outage')) {
      log('starting the service');
      const service = await startService({
        mongoUri: db.uri,
        dbName: DB_NAME,
        env: SERVICE_ACCESS,
        headers: apiHeaders(),
      });
      const stopService = track(service);
      report.serviceSettings = service.settings;
      const probe = await openDatabaseProbe(db.uri, DB_NAME, ids.teacher);
      const closeProbe = track({ stop: () => probe.close() });

      if (only.has('normal')) {
        log('1. normal mode: the service and the baseline');
        const baseline = await startBaseline({ mongoUri: db.uri, dbName: DB_NAME, headers: apiHeaders() });
        const stopBaseline = track(baseline);
        const normal = await normalMode(service, baseline, ids, probe);
        results.normal = normal.rows;
        results.normalAnswers = { ...normal.answers, counters: normal.counters };
        await stopBaseline();
      }
      if (only.has('edge')) {
        log('4. edge');
        results.edge = await edge(service, probe);
      }
      await closeProbe();
      if (only.has('outage')) {
        log('2/3. outage, failover and recovery: the service as configured');
        results.outage.configured = await outageFor('configured', service, db, ids, demo);
      }
      await stopService();
    }

    if (only.has('slow')) {
      log('7. healthy but slow: a fresh service, the two slow reads at once');
      results.slow = await healthyButSlow(db, ids);
    }

    if (only.has('outage')) {
      log('2/3. outage, failover and recovery: naive (FALLBACK_BREAKER_ENABLED=false)');
      const naive = await startService({
        mongoUri: db.uri,
        dbName: DB_NAME,
        env: { ...SERVICE_ACCESS, FALLBACK_BREAKER_ENABLED: 'false' },
        headers: apiHeaders(),
        label: 'naive service',
      });
      const stopNaive = track(naive);
      results.outage.naive = await outageFor('naive', naive, db, ids, demo);
      await stopNaive();
    }

    if (only.has('memory')) {
      log('5. memory: a fresh service under mixed load while the database flaps');
      const fresh = await startService({
        mongoUri: db.uri,
        dbName: DB_NAME,
        env: SERVICE_ACCESS,
        headers: apiHeaders(),
        label: 'service (memory)',
      });
      const stopFresh = track(fresh);
      results.memory = await memory(fresh, db, ids);
      await stopFresh();
    }
    if (only.has('realdata')) {
      log('6. real data in an outage: the last-known-good tier');
      results.realData = await realData(db, report.database.demo);
    }
    if (only.has('edge')) {
      const { demo } = report.database;
      const options = { db, dbName: DB_NAME, demo, env: SERVICE_ACCESS, headers: apiHeaders(), smoke: args.smoke };
      results.edgeInstances = await edgeInstances({ ...options, log, track });
      const secret = args.token ? undefined : BENCH_SECRET;
      results.edgeSignedIn = await edgeSignedIn({ ...options, secret, log, track });
    }
  } catch (error) {
    failure = error;
    log(`failed: ${error.stack ?? error}`);
  } finally {
    await cleanUp();
  }

  report.finishedAt = new Date().toISOString();
  report.loadAverageAtEnd = round(loadavg()[0], 2);
  report.durationS = round((Date.now() - startedAt.getTime()) / 1000, 1);
  report.missing = missingFigures(results, only);
  report.targets = report.missing.length === 0 ? checkTargets(results) : [];
  report.markdown =
    renderReport(report) + edgeInstancesMarkdown(results.edgeInstances) + edgeSignedInMarkdown(results.edgeSignedIn);
  mkdirSync(args['results-dir'], { recursive: true });
  const file = join(
    args['results-dir'],
    `${startedAt
      .toISOString()
      .replace(/:/g, '-')
      .replace(/\.\d+Z$/, 'Z')}${args.smoke ? '-smoke' : ''}.json`,
  );
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

  console.log(report.markdown);
  console.log(`\nResults: ${file}`);
  if (failure || report.missing.length > 0) {
    console.error(
      `bench: ${failure ? `failed (${failure.message.split('\n')[0]})` : ''}${report.missing.length ? ` no figures for: ${report.missing.join(', ')}` : ''}`,
    );
    process.exitCode = 1;
  }
}

await main();
