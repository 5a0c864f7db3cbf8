// The "real data in an outage" scenario: how much of an outage is answered with the users' real records (the
// last-known-good tier: remembered reads and snapshots) rather than backup data, and how fast.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { openLoad, round } from './load.mjs';
import { freePort, httpRequest, rssMb, waitUntil } from './processes.mjs';

/** Answers with the users' real data: from the database, or from what it last said (`stale`). */
const REAL_SOURCES = new Set(['database', 'stale']);

/** The paths a headmaster's app reads: the dashboard, the school, the school's teachers. */
function headmasterPaths({ id, schoolId }) {
  return [`/api/headmasters/${id}/dashboard`, `/api/schools/${schoolId}`, `/api/headmasters/${id}/teachers`];
}

/**
 * The demo ids split in two: those read before the outage (warm) and those never read by the measured instance
 * (cold: only a snapshot can answer them with real data).
 */
export function realDataPaths(demo) {
  const half = Math.floor(demo.headmasters.length / 2);
  const teacherCount = Math.min(50, Math.floor(demo.teachers.length / 2));
  const warmTeachers = demo.teachers.slice(0, teacherCount);
  const coldTeachers = demo.teachers.slice(-teacherCount);
  return {
    warm: [
      ...demo.headmasters.slice(0, half).flatMap(headmasterPaths),
      ...warmTeachers.map((id) => `/api/teachers/${id}`),
    ],
    coldHeadmaster: demo.headmasters.slice(half).flatMap(headmasterPaths),
    coldTeachers: coldTeachers.map((id) => `/api/teachers/${id}`),
  };
}

async function adminStatus(port, headers) {
  const answer = await httpRequest({ port, path: '/api/admin/fallback', headers, timeoutMs: 2000 });
  try {
    return answer.status === 200 ? JSON.parse(answer.body) : undefined;
  } catch {
    return undefined;
  }
}

/** Waits until every configured snapshot is complete; the ms waited, or null at the cap. */
export async function snapshotsComplete(port, headers, capMs) {
  const started = performance.now();
  const waited = await waitUntil(
    async () => {
      const snapshots = (await adminStatus(port, headers))?.lastKnownGood?.snapshots;
      return snapshots !== undefined && Object.values(snapshots).every((snapshot) => snapshot.state === 'complete');
    },
    capMs,
    100,
  );
  return waited === undefined ? null : round(performance.now() - started);
}

/** Reads every path once from the database (so that the instance remembers it). */
async function warmUp(port, headers, paths) {
  for (const path of paths) {
    const answer = await httpRequest({ port, path, headers, timeoutMs: 10_000 });
    if (answer.status !== 200) throw new Error(`warming ${path} answered ${answer.status ?? answer.error}`);
  }
}

function share(load) {
  const real = Object.entries(load.sources)
    .filter(([source]) => REAL_SOURCES.has(source))
    .reduce((total, [, count]) => total + count, 0);
  return load.sent === 0 ? null : round(real / load.sent, 4);
}

/** A steady load over each class of paths; per class: the share answered with real data and the latencies. */
async function measure(port, headers, paths, plan) {
  const classes = {};
  for (const [name, list] of Object.entries(paths)) {
    const load = await openLoad({ port, paths: list, headers, rate: plan.rate, durationS: plan.durationS, slowMs: 5 });
    classes[name] = { paths: list.length, realShare: share(load), ...load };
  }
  return classes;
}

/** A redis-server of the bench's own on a free loopback port, keeping nothing on disk; undefined without one. */
export async function startRedis(log) {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const started = await new Promise((resolve) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve(true);
    });
    child.once('error', () => resolve(false));
    child.once('exit', () => resolve(false));
    setTimeout(() => resolve(false), 10_000).unref();
  });
  if (!started) {
    log('note: no redis-server could be started; the Redis part of the real-data scenario is skipped');
    child.kill('SIGKILL');
    return undefined;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/**
 * One measured outage: `reader` answers while the database is hung; the paths of `warm` were read through `warmer`
 * (the same instance, or another one sharing Redis).
 */
export async function realDataOutage({ db, warmer, reader, headers, paths, plan, log, label, breakerOpen }) {
  const snapshotMs = await snapshotsComplete(warmer.port, headers, plan.snapshotCapMs);
  if (snapshotMs === null) log(`note: ${label}: the snapshots were not complete within ${plan.snapshotCapMs} ms`);
  await warmUp(warmer.port, headers, paths.warm);
  await db.pause();
  try {
    const readerInstance = await reader();
    await breakerOpen(readerInstance.port);
    const readerSnapshotsMs =
      readerInstance === warmer
        ? snapshotMs
        : await snapshotsComplete(readerInstance.port, headers, plan.snapshotCapMs);
    const classes = await measure(readerInstance.port, headers, paths, plan);
    for (const [name, load] of Object.entries(classes)) {
      log(
        `real data ${label} ${name}: ${round((load.realShare ?? 0) * 100, 1)}% real (${JSON.stringify(load.sources)}), ` +
          `p50 ${load.p50 ?? '-'} ms, p99 ${load.p99 ?? '-'} ms, max ${load.max ?? '-'} ms, errors ${load.errors}`,
      );
    }
    return { label, snapshotMs, readerSnapshotsMs, rssMb: round(rssMb(readerInstance.pid), 1), classes };
  } finally {
    await db.resume();
  }
}
