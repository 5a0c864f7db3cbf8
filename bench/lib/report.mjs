// The Markdown report of a run and the check of its targets.
import { edgeInstancesTarget } from './edge-instances.mjs';
import { edgeSignedInTarget } from './edge-signed-in.mjs';

/** RSS growth over the second half of the memory window, as a share of the start RSS, still counted as flat. */
export const FLAT_SHARE = 0.05;

export const TARGETS = {
  normalRatio: 0.8,
  // Answers from backup data while the database is healthy (normal mode, and slow but healthy).
  healthyFallbackAnswers: 0,
  outageP99Ms: 10,
  // A hung database: fault -> first answer without it, and the longest any request waited from the fault on.
  hungFirstAnswerMs: 100,
  hungLongestWaitMs: 200,
  // A killed one: fault -> first answer without it.
  killedFirstAnswerMs: 50,
  recoveryMs: 1000,
  edgeRatio: 10,
  rssMb: 230,
  realShare: 1,
  realDataP99Ms: 5,
  realDataRedisP99Ms: 10,
};

const REAL_DATA_CLASSES = {
  warm: 'warm reads (read before the outage)',
  coldHeadmaster: 'headmaster endpoints never read (dashboard, school, teachers)',
  coldTeachers: 'teachers by id never read',
};

const TEACHER_ENDPOINT = 'GET /api/teachers/:id';

function num(value, digits = 0) {
  if (value === null || value === undefined) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A latency: `≥ floor` when too many requests timed out for the percentile to be known. */
function ms(value, floor) {
  if (floor !== undefined) return `≥ ${num(floor)}`;
  if (value === null || value === undefined) return '–';
  // autocannon records whole milliseconds: 0 is an answer in less than one.
  return value === 0 ? '< 1' : num(value, value < 10 ? 1 : 0);
}

function latencies(row) {
  return `${ms(row.p50, row.p50Floor)} / ${ms(row.p99, row.p99Floor)}`;
}

function errors(row) {
  if (row.errors === 0) return '0';
  const parts = [];
  if (row.timeouts) parts.push(`${num(row.timeouts)} timeouts`);
  if (row.non2xx) parts.push(`${num(row.non2xx)} non-2xx`);
  if (row.socketErrors) parts.push(`${num(row.socketErrors)} socket errors`);
  return `${num(row.errors)} (${parts.join(', ')})`;
}

function statuses(run) {
  const codes = Object.entries(run.statusCodes ?? {}).map(([code, count]) => `${num(count)}× ${code}`);
  if (run.timeouts) codes.push(`${num(run.timeouts)} timeouts`);
  if (run.socketErrors) codes.push(`${num(run.socketErrors)} socket errors`);
  return codes.join(', ') || '–';
}

/** What a service answered other than 2xx from the database: backup data, errors. */
function otherAnswers(row) {
  const parts = [];
  if (row.sources?.fallback) parts.push(`${num(row.sources.fallback)} from backup data`);
  if (row.errors) parts.push(errors(row));
  return parts.length ? parts.join('; ') : 'none';
}

function duration(msValue, capMs) {
  if (msValue === null || msValue === undefined) return capMs ? `> ${num(capMs)} ms (none within the cap)` : '–';
  return `${num(msValue)} ms`;
}

function table(header, rows) {
  const align = header.map((cell) => (cell.startsWith('<') ? ':--' : '--:'));
  const names = header.map((cell) => cell.replace(/^</, ''));
  return [`| ${names.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join(
    '\n',
  );
}

/** Whether the RSS is flat: the regression line over the second half rises by at most FLAT_SHARE of the start. */
export function memoryIsFlat(memory) {
  const halfMinutes = memory.durationS / 2 / 60;
  const rise = (memory.secondHalfSlopeMbPerMin ?? 0) * halfMinutes;
  return { flat: rise <= FLAT_SHARE * memory.startMb, riseMb: rise };
}

/** Each target with its figure and whether it is met. */
export function checkTargets(results) {
  const targets = [];
  if (results.normal) targets.push(normalTarget(results));
  if (results.normalAnswers) targets.push(normalAnswersTarget(results.normalAnswers));
  if (results.slow) targets.push(slowTarget(results.slow));
  if (results.outage?.configured) targets.push(...outageTargets(results));
  if (results.edge) targets.push(edgeTarget(results));
  if (results.memory) targets.push(memoryTarget(results));
  if (results.realData) targets.push(...realDataTargets(results.realData));
  if (results.edgeInstances) targets.push(edgeInstancesTarget(results.edgeInstances));
  if (results.edgeSignedIn) targets.push(edgeSignedInTarget(results.edgeSignedIn));
  return targets;
}

function normalTarget(results) {
  const teachers = results.normal.find((row) => row.endpoint === TEACHER_ENDPOINT);
  return {
    target: `Normal throughput ≥ ${TARGETS.normalRatio * 100}% of the baseline on ${TEACHER_ENDPOINT}`,
    figure:
      `${num(teachers.ratio * 100)}% (median of the paired runs' ratios ` +
      `${(teachers.pairedRatios ?? []).map((value) => `${num(value * 100)}%`).join(', ')}; ` +
      `medians ${num(teachers.service.dbRps)} vs ${num(teachers.baseline.dbRps)} req/s; CPU ms per answer ` +
      `${num(teachers.service.cpuMsPerRequest, 2)} vs ${num(teachers.baseline.cpuMsPerRequest, 2)})`,
    met: teachers.ratio >= TARGETS.normalRatio,
    value: teachers.ratio,
  };
}

/** `database 1,234, stale 5, fallback 0`: answers by X-Data-Source, the three of them always, others when there. */
function bySource(sources) {
  const counts = { database: 0, stale: 0, fallback: 0, ...sources };
  return Object.entries(counts)
    .filter(
      ([source, count]) => source !== 'errors' && (count > 0 || ['database', 'stale', 'fallback'].includes(source)),
    )
    .map(([source, count]) => `${source} ${num(count)}`)
    .join(', ');
}

/** Breaker transitions (`to open 2, to closed 2`), or `none`. */
function transitions(counters) {
  const entries = Object.entries(counters?.transitions ?? {});
  return entries.length ? entries.map(([to, count]) => `to ${to} ${num(count)}`).join(', ') : 'none';
}

function normalAnswersTarget(answers) {
  const { total, counters } = answers;
  const all = Object.entries(total)
    .filter(([source]) => source !== 'errors')
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    target: `Normal mode: ${TARGETS.healthyFallbackAnswers} answers from backup data (every endpoint, warm-up included)`,
    figure:
      `${num(total.fallback)} of ${num(all)} answers (${bySource(total)}; errors ${num(total.errors)}); ` +
      `breaker transitions ${transitions(counters)}`,
    met: total.fallback <= TARGETS.healthyFallbackAnswers,
    value: { fallback: total.fallback, answers: all },
  };
}

function slowTarget(slow) {
  const all = Object.values(slow.sources).reduce((sum, count) => sum + count, 0);
  const opened = slow.counters?.transitions?.open ?? 0;
  const stayedClosed = slow.breaker.before === 'closed' && slow.breaker.after === 'closed' && opened === 0;
  const latencies = slow.endpoints.map(
    (row) => `${row.endpoint.split(' (')[0]} p50 / p99 ${ms(row.p50)} / ${ms(row.p99)} ms`,
  );
  return {
    target: `Healthy but slow: ${TARGETS.healthyFallbackAnswers} answers from backup data, the breaker closed throughout`,
    figure:
      `${num(slow.sources.fallback ?? 0)} of ${num(all)} answers (${bySource(slow.sources)}); ${latencies.join(', ')}; ` +
      `breaker ${slow.breaker.before ?? '?'} → ${slow.breaker.after ?? '?'}, transitions ${transitions(slow.counters)}, ` +
      `stalls ${num(slow.counters?.stalls ?? null)}`,
    met: (slow.sources.fallback ?? 0) <= TARGETS.healthyFallbackAnswers && stayedClosed,
    value: { fallback: slow.sources.fallback ?? 0, answers: all, breakerOpened: opened },
  };
}

/** Each failover case of a fault (client and read) with one of its figures: `one client, GET …: 62 ms (58, 62, 70)`. */
function failoverFigures(entry, pick, runsOf) {
  return entry.cases
    .map((failover) => {
      const runs = runsOf(failover);
      const value = pick(failover);
      const shown =
        value === null ? 'none' : `${pick === longestWaitOf && failover.timedOut ? '≥ ' : ''}${num(value)} ms`;
      return `${failover.clientLabel}, ${failover.readLabel}: ${shown}${runs.length > 1 ? ` (${runs.map((run) => (run === null ? '–' : num(run))).join(', ')})` : ''}`;
    })
    .join('; ');
}

const longestWaitOf = (failover) => failover.longestWaitMs;

/** The worst of each case's median (null, none within the hold, counts as the worst). */
function worstCase(entry, pick) {
  return Math.max(...entry.cases.map((failover) => pick(failover) ?? Infinity));
}

function outageTargets(results) {
  const targets = [];
  const configured = results.outage.configured;
  const outageRows = Object.values(configured).flatMap((entry) =>
    entry.endpoints.map((row) => ({ ...row, fault: entry.fault })),
  );
  const p99Of = (row) => row?.p99Floor ?? row?.p99 ?? Infinity;
  const worstOf = (rows) => rows.reduce((a, b) => (p99Of(b) > p99Of(a) ? b : a));
  const worstOpen = worstOf(outageRows.map((row) => ({ ...row.open, fault: row.fault, endpoint: row.endpoint })));
  const worstClosed = worstOf(outageRows);
  const outageErrors = outageRows.reduce((total, row) => total + row.errors + (row.open?.errors ?? 0), 0);
  const outageRequests = outageRows.reduce(
    (total, row) =>
      total +
      row.requests +
      row.timeouts +
      row.socketErrors +
      (row.open ? row.open.requests + row.open.timeouts + row.open.socketErrors : 0),
    0,
  );
  targets.push({
    target: `Outage p99 ≤ ${TARGETS.outageP99Ms} ms at a steady load with zero read errors (as configured, hung and killed)`,
    figure:
      `worst p99 at a steady load ${ms(worstOpen.p99, worstOpen.p99Floor)} ms (${worstOpen.fault}, ${worstOpen.endpoint}); ` +
      `at saturation ${ms(worstClosed.p99, worstClosed.p99Floor)} ms; ${num(outageErrors)} errors in ${num(outageRequests)} requests`,
    met: p99Of(worstOpen) <= TARGETS.outageP99Ms && outageErrors === 0,
    value: { p99: p99Of(worstOpen), p99Saturated: p99Of(worstClosed), errors: outageErrors },
  });

  const firstAnswer = (failover) => failover.firstWithoutDatabaseMs;
  const longestWait = longestWaitOf;
  for (const [fault, pick, runsOf, limit, what] of [
    [
      'hung',
      firstAnswer,
      (f) => f.firstWithoutDatabaseRuns,
      TARGETS.hungFirstAnswerMs,
      'fault → first answer without the database',
    ],
    [
      'hung',
      longestWait,
      (f) => f.longestWaitRuns,
      TARGETS.hungLongestWaitMs,
      'the longest any request waited from the fault on',
    ],
    [
      'killed',
      firstAnswer,
      (f) => f.firstWithoutDatabaseRuns,
      TARGETS.killedFirstAnswerMs,
      'fault → first answer without the database',
    ],
  ]) {
    const entry = configured[fault];
    if (!entry?.cases) continue;
    const worst = worstCase(entry, pick);
    targets.push({
      target: `${entry.fault}: ${what} ≤ ${num(limit)} ms (each client and read; medians of the runs)`,
      figure: failoverFigures(entry, pick, runsOf),
      met: worst <= limit,
      value: worst,
    });
  }

  const recoveries = Object.values(configured).map((entry) => [
    entry.recoveryFrom,
    entry.recoveryMs,
    entry.recoveryMaxMs,
  ]);
  const worstRecovery = Math.max(...recoveries.map(([, value]) => value ?? Infinity));
  targets.push({
    target: `Recovery ≤ ${num(TARGETS.recoveryMs)} ms: the database back (SIGCONT, restart) → first database answer (medians of every fault)`,
    figure: recoveries
      .map(([from, value, max]) => `after ${from} ${duration(value)} (worst ${duration(max)})`)
      .join(', '),
    met: worstRecovery <= TARGETS.recoveryMs,
    value: worstRecovery,
  });
  return targets;
}

function edgeTarget(results) {
  return {
    target: `Edge hit ≥ ${TARGETS.edgeRatio}× miss throughput`,
    figure: `${num(results.edge.ratio, 1)}× (${num(results.edge.hit.rps)} vs ${num(results.edge.miss.rps)} req/s)`,
    met: results.edge.ratio >= TARGETS.edgeRatio,
    value: results.edge.ratio,
  };
}

function memoryTarget(results) {
  const memory = results.memory;
  const { flat, riseMb } = memoryIsFlat(memory);
  return {
    target: `RSS ≤ ${TARGETS.rssMb} MB and flat (second-half trend rises ≤ ${FLAT_SHARE * 100}% of the start)`,
    figure: `max ${num(memory.maxMb)} MB; second half ${riseMb >= 0 ? '+' : ''}${num(riseMb, 1)} MB (${num(
      memory.secondHalfSlopeMbPerMin,
      1,
    )} MB/min)`,
    met: memory.maxMb <= TARGETS.rssMb && flat,
    value: { maxMb: memory.maxMb, secondHalfRiseMb: riseMb },
  };
}

function pct(share) {
  return share === null || share === undefined ? '–' : `${num(share * 100, share === 1 ? 0 : 1)}%`;
}

function realDataTargets(realData) {
  const targets = [];
  for (const [key, run, p99Target] of [
    ['inProcess', realData.inProcess, TARGETS.realDataP99Ms],
    ['redis', realData.redis, TARGETS.realDataRedisP99Ms],
  ]) {
    if (!run) continue;
    const { warm, coldHeadmaster } = run.classes;
    targets.push({
      target: `Outage, ${run.label}: ${TARGETS.realShare * 100}% of warm reads and of never-read headmaster endpoints answered with real data`,
      figure: `warm ${pct(warm.realShare)}, headmaster endpoints never read ${pct(coldHeadmaster.realShare)}`,
      met: warm.realShare >= TARGETS.realShare && coldHeadmaster.realShare >= TARGETS.realShare,
      value: { warm: warm.realShare, coldHeadmaster: coldHeadmaster.realShare },
    });
    const worst = Math.max(...Object.values(run.classes).map((load) => load.p99 ?? Infinity));
    targets.push({
      target: `Outage, ${run.label}: p99 ≤ ${p99Target} ms over real demo ids`,
      figure: `worst class p99 ${ms(worst)} ms`,
      met: worst <= p99Target,
      value: { [key]: worst },
    });
  }
  return targets;
}

/** `stale 12, database 3`: answers by source, or `none`. */
function bySourceOnly(sources) {
  const entries = Object.entries(sources ?? {}).filter(([, count]) => count > 0);
  return entries.length ? entries.map(([source, count]) => `${source} ${num(count)}`).join(', ') : 'none';
}

function renderSlow(slow, plan, lines) {
  lines.push(
    '',
    `### 7. Healthy but slow: the dashboard and the GraphQL schools query at once, ${slow.connectionsPerEndpoint} ` +
      `connections each (${slow.durationS} s per run, a fresh service)`,
    '',
  );
  lines.push(
    table(
      ['<Endpoint', 'req/s', 'p50 / p99', 'max', '<Answers by X-Data-Source', 'Errors'],
      slow.endpoints.map((row) => [
        row.endpoint,
        num(row.rps),
        latencies(row),
        ms(row.max),
        bySource(row.sources),
        errors(row),
      ]),
    ),
  );
  const deadlines = Object.entries(slow.deadlines ?? {})
    .filter(([, { after }]) => after)
    .sort(([, a], [, b]) => b.after.deadlineMs - a.after.deadlineMs)
    .slice(0, 4)
    // Fewer than 20 samples: the service has not learned the deadline yet (it is the ceiling).
    .map(
      ([operation, { before, after }]) =>
        `${operation} ${!before || before.samples < 20 ? 'not learned' : `${num(before.deadlineMs)} ms`} → ${num(after.deadlineMs)} ms`,
    );
  const heartbeat = slow.breaker.heartbeatAfter;
  lines.push(
    '',
    `The breaker (the service's /health before and after the runs): ${slow.breaker.before ?? '?'} → ` +
      `${slow.breaker.after ?? '?'}, mode ${slow.breaker.modeAfter ?? '?'}, last stall ${slow.breaker.lastStallAfter?.message ?? 'none'}; ` +
      `its /metrics over the runs: transitions ${transitions(slow.counters)}, stalls ${num(slow.counters?.stalls ?? null)}, ` +
      `reads hedged at their deadline ${bySourceOnly(slow.counters?.hedged)}, answers from backup data ` +
      `${num(slow.counters?.fallbackAnswers ?? null)}. Heartbeat: ${num(heartbeat?.sent ?? null)} pings, ` +
      `${num(heartbeat?.missed ?? null)} missed, timeout now ${num(heartbeat?.timeoutMs ?? null)} ms. ` +
      `Learned deadlines (after a warm-up of ${plan.slow.warmupS} s at 2 connections each → after the runs): ` +
      `${deadlines.join(', ') || '–'}.`,
  );
}

function renderRealData(realData, plan, lines) {
  lines.push(
    '',
    `### 6. Real data in an outage (database hung; ${plan.realdata.rate} req/s for ${plan.realdata.durationS} s per class)`,
    '',
  );
  const rows = [];
  for (const run of [realData.inProcess, realData.redis]) {
    if (!run) continue;
    for (const [name, load] of Object.entries(run.classes)) {
      rows.push([
        run.label,
        `${REAL_DATA_CLASSES[name] ?? name} (${load.paths} paths)`,
        pct(load.realShare),
        `${ms(load.p50)} / ${ms(load.p99)} / ${ms(load.max)}`,
        Object.entries(load.sources)
          .map(([source, count]) => `${source} ${num(count)}`)
          .join(', ') + (load.errors ? `; errors ${num(load.errors)}` : ''),
        num(run.rssMb, 1),
      ]);
    }
  }
  lines.push(
    table(['<Instance', '<Reads', 'Real data', 'p50 / p99 / max', '<Answers by X-Data-Source', 'RSS MB'], rows),
  );
  lines.push(
    '',
    '"In process": the instance that read the warm paths answers everything. "Through Redis": another instance, ' +
      'started during the outage with nothing in process, answers from the shared tier (REDIS_URL). Real data: ' +
      'answers from the database or marked stale (remembered reads and snapshots), against backup data (fallback) ' +
      'and errors.',
  );
}

export function renderReport(report) {
  const { results, plan, machine } = report;
  const lines = [];
  const reps =
    plan.reps === 1
      ? 'one run each'
      : `medians of ${plan.reps} runs${plan.normal.fastReps > plan.reps ? ` (${plan.normal.fastReps} for the fast reads)` : ''}`;
  lines.push(`## Benchmark (${report.mode}, ${reps}), ${report.startedAt}`);
  lines.push('');
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (${machine.platform}). ` +
      `Database: FerretDB (SQLite backend) with the demo data, loopback. Load: autocannon, ${plan.connections} connections, ` +
      `in the same machine (it shares the CPU with the service and the database). Latencies in ms (2xx answers).`,
  );
  lines.push(
    '',
    `Service: \`${report.serviceCommand}\` (as \`npm start\` runs it), NODE_ENV=production, LOG_LEVEL=warn` +
      (report.requestHeaders?.length ? `; API requests carry ${report.requestHeaders.join(', ')}.` : '.'),
  );
  if (machine.busyAtStart > 0.25) {
    lines.push(
      '',
      `**Note:** other work kept ${num(machine.busyAtStart * 100)}% of the CPU busy just before the run: ` +
        'it skews every figure.',
    );
  }

  if (results.normal) {
    lines.push('', `### 1. Normal mode (${plan.normal.durationS} s per run)`, '');
    lines.push(
      table(
        [
          '<Endpoint',
          'Service req/s',
          'Service p50 / p99',
          'Service: other answers',
          'Baseline req/s',
          'Baseline p50 / p99',
          'CPU ms per answer: service / baseline',
          'Service / baseline',
        ],
        results.normal.map((row) => [
          row.endpoint,
          num(row.service.dbRps),
          latencies(row.service),
          otherAnswers(row.service),
          num(row.baseline.dbRps),
          latencies(row.baseline),
          `${num(row.service.cpuMsPerRequest, 2)} / ${num(row.baseline.cpuMsPerRequest, 2)}`,
          row.ratio === null ? '–' : `${num(row.ratio * 100)}%`,
        ]),
      ),
    );
    lines.push(
      '',
      'req/s: 2xx answers from the database per second (medians). Service / baseline: the median of the ratios of each ' +
        'service run and the baseline run next to it. ' +
        "CPU ms per answer: the server process's CPU time over its answers " +
        '(the service, FerretDB and the load generator share the cores, so this is what throughput trades against). ' +
        '"Other answers" (all runs): answers from backup data and errors; its latencies then include those answers.',
    );
  }
  if (results.normalAnswers) {
    const { total, byEndpoint, counters } = results.normalAnswers;
    const row = (name, counts) => [
      name,
      num(counts.database),
      num(counts.stale),
      num(counts.fallback),
      num(counts.errors),
    ];
    lines.push(
      '',
      table(
        ['<Service answers by X-Data-Source (warm-up and measured runs)', 'database', 'stale', 'fallback', 'errors'],
        [...byEndpoint.map((counts) => row(counts.endpoint, counts)), row('all', total)],
      ),
      '',
      `The breaker over the normal mode (the service's /metrics): transitions ${transitions(counters)}, ` +
        `stalls ${num(counters?.stalls ?? null)}, reads hedged at their deadline ${bySourceOnly(counters?.hedged)}, ` +
        `answers from backup data ${num(counters?.fallbackAnswers ?? null)}. stale: a read past its learned deadline ` +
        'answered from the last-known-good tier while the database went on; fallback: backup data.',
    );
  }

  const { configured, naive } = results.outage ?? {};
  if (configured || naive) {
    const { durationS, timeoutS } = plan.outage;
    lines.push(
      '',
      `### 2. Outage: reads of backup data (${durationS} s per run, client timeout ${timeoutS} s; naive: FALLBACK_BREAKER_ENABLED=false)`,
      '',
    );
    const rows = [];
    for (const fault of Object.keys(configured ?? naive)) {
      const endpoints = (configured ?? naive)[fault].endpoints.map((row) => row.endpoint);
      for (const endpoint of endpoints) {
        const a = configured?.[fault]?.endpoints.find((row) => row.endpoint === endpoint);
        const b = naive?.[fault]?.endpoints.find((row) => row.endpoint === endpoint);
        const p99 = (row) => row?.p99Floor ?? row?.p99;
        const ratio = a && b && p99(a) ? p99(b) / Math.max(p99(a), 1) : null;
        rows.push([
          (configured ?? naive)[fault].fault,
          endpoint,
          a ? num(a.rps) : '–',
          a ? latencies(a) : '–',
          a ? errors(a) : '–',
          a?.open ? `${latencies(a.open)} / ${ms(a.open.max)}` : '–',
          a?.open ? `${num((100 * a.open.slow) / Math.max(1, a.open.ok), 1)}%` : '–',
          b ? num(b.rps) : '–',
          b ? latencies(b) : '–',
          b ? errors(b) : '–',
          ratio === null ? '–' : `${b.p99Floor !== undefined ? '≥ ' : ''}${num(ratio, ratio < 10 ? 1 : 0)}×`,
        ]);
      }
    }
    const rate = plan.outage.rate;
    lines.push(
      table(
        [
          '<Database',
          '<Endpoint',
          'Configured req/s',
          'Configured p50 / p99',
          'Configured errors',
          `Configured at ${rate} req/s: p50 / p99 / max`,
          `Configured at ${rate} req/s: over 10 ms`,
          'Naive req/s',
          'Naive p50 / p99',
          'Naive errors',
          'Naive / configured p99',
        ],
        rows,
      ),
    );
    lines.push(
      '',
      `req/s, p50 / p99, errors: ${plan.connections} connections, each sending as soon as answered (saturation). ` +
        `"At ${rate} req/s": a steady ${rate} requests per second for ${plan.outage.steadyS ?? durationS} s, sent on schedule, ` +
        `answered or not (independent clients), ${plan.outage.steadyPauseMs ?? 0} ms after the saturation run; ` +
        'latency from the scheduled time. "≥ N": more than half (p50) or 1 % (p99) of the requests timed out.',
    );

    const { leadMs, holdMs, rate: failoverRate } = plan.outage.failover;
    lines.push('', '### 3. Failover and recovery: clients running across the fault', '');
    const failRows = [];
    for (const [design, outage] of [
      ['configured', configured],
      ['naive', naive],
    ]) {
      if (!outage) continue;
      for (const entry of Object.values(outage)) {
        for (const failover of entry.cases ?? []) {
          const waits = failover.longestWaitRuns ?? [];
          failRows.push([
            design,
            entry.fault,
            failover.clientLabel,
            failover.readLabel,
            duration(failover.firstWithoutDatabaseMs, plan.outage.failoverCapMs),
            `${failover.timedOut ? '≥ ' : ''}${duration(failover.longestWaitMs)}${waits.length > 1 ? ` (worst ${duration(failover.worstWaitMs)})` : ''}`,
            design === 'configured'
              ? `${duration(failover.deadlineMs)} / ${duration(failover.heartbeatTimeoutMs)}`
              : '–',
            design === 'configured'
              ? `${duration(failover.breakerOpenMs)}${failover.breakerClosedAfter ? ` (closed after ${failover.breakerClosedAfter} of ${failover.runs.length})` : ''}`
              : '–',
            `${bySourceOnly(failover.afterFault.bySource)}${failover.afterFault.errors ? `; errors ${num(failover.afterFault.errors)}` : ''}`,
          ]);
        }
      }
    }
    lines.push(
      table(
        [
          '<Design',
          '<Database',
          '<Client',
          '<Reads',
          'Fault → first answer without the database',
          'Longest wait from the fault on',
          'At the fault: learned deadline / heartbeat timeout',
          'Fault → breaker open',
          '<Answers after the fault',
        ],
        failRows,
      ),
    );
    lines.push(
      '',
      `Each row: medians of ${plan.reps} fault${plan.reps > 1 ? 's' : ''} (a fault each). The client runs ${num(leadMs)} ms ` +
        `against the healthy database, then the fault, then ${num(holdMs)} ms more, or until its first answer without ` +
        `the database (at most ${num(plan.outage.failoverCapMs)} ms, also each request's timeout; one client: a request, its answer, ` +
        `5 ms, the next; open loop: ${failoverRate} requests per second on schedule, answered or not). The longest wait ` +
        'counts a request sent before the fault from the fault on; an open-loop request from its scheduled time. ' +
        'The warm reads are teachers the service read just before; the poll path was read too, with a deadline learned ' +
        'under the load before. A read still waiting at its deadline is answered from the last-known-good tier ' +
        "(stale); the heartbeat's stall (a ping unanswered for its timeout) opens the breaker and answers every read " +
        "in flight. Fault → breaker open: the stall's or the refusal's time in the service's /health (\"closed after\": " +
        'faults at whose end the breaker was still closed). Naive: no breaker.',
    );
    const recoveryRows = [];
    for (const [design, outage] of [
      ['configured', configured],
      ['naive', naive],
    ]) {
      if (!outage) continue;
      for (const entry of Object.values(outage)) {
        recoveryRows.push([
          design,
          entry.fault,
          `${duration(entry.recoveryMs)} (after ${entry.recoveryFrom})`,
          duration(entry.recoveryMaxMs),
          num(entry.recoveryRuns.length),
        ]);
      }
    }
    lines.push(
      '',
      table(['<Design', '<Database', 'Recovery: back → first database answer', 'Worst', 'Faults'], recoveryRows),
      '',
      'Recovery: one request at a time on GET /api/schools?limit=20 after every fault above; after a restart it counts ' +
        'from the moment FerretDB listens again. The outage loads (section 2) run in the first cycle of each fault, ' +
        'after the client, once the breaker is open (as configured).',
    );
  }

  if (results.edge) {
    const { hit, miss, ratio } = results.edge;
    lines.push('', `### 4. Edge: the GraphQL query by GET through Varnish (${plan.edge.durationS} s per run)`, '');
    lines.push(
      table(
        ['<Case', 'req/s', 'p50 / p99', 'Varnish hits / misses'],
        [
          ['hit (the same URL)', num(hit.rps), latencies(hit), `${num(hit.varnishHits)} / ${num(hit.varnishMisses)}`],
          [
            'miss (a new variables value per request)',
            num(miss.rps),
            latencies(miss),
            `${num(miss.varnishHits)} / ${num(miss.varnishMisses)}`,
          ],
          ['hit / miss', `${num(ratio, 1)}×`, '', ''],
        ],
      ),
    );
  }

  if (results.memory) {
    const memory = results.memory;
    lines.push(
      '',
      `### 5. Memory: RSS of a fresh service, ${memory.durationS} s of mixed load, database SIGSTOP/SIGCONT every ${memory.flapEveryS} s`,
      '',
    );
    lines.push(
      'The mixed load reads demo records: while the database is stopped, those absent from the backup data answer 503 by design.',
      '',
    );
    lines.push(
      table(
        [
          'Idle MB',
          'Start MB',
          'Max MB',
          'End MB',
          'Trend MB/min (whole / second half)',
          'V8 heap used MB: start / max / end',
          `Heap-used floor trend MB/min (lowest per ${memory.heap.floorWindowS} s)`,
          'V8 heap total MB: max',
          'Mixed load req/s',
          'Answers',
        ],
        [
          [
            num(memory.idleRssMb, 1),
            num(memory.startMb, 1),
            num(memory.maxMb, 1),
            num(memory.endMb, 1),
            `${num(memory.slopeMbPerMin, 1)} / ${num(memory.secondHalfSlopeMbPerMin, 1)}`,
            `${num(memory.heap.usedStartMb, 1)} / ${num(memory.heap.usedMaxMb, 1)} / ${num(memory.heap.usedEndMb, 1)}`,
            num(memory.heap.usedFloorSlopeMbPerMin, 1),
            num(memory.heap.totalMaxMb, 1),
            num(memory.load.rps),
            statuses(memory.load),
          ],
        ],
      ),
    );
    lines.push('', "Idle: right after start; start: after the warm-up. Heap figures from the service's /metrics.");
  }

  if (results.realData) renderRealData(results.realData, plan, lines);
  if (results.slow) renderSlow(results.slow, plan, lines);

  if (report.targets?.length) {
    lines.push('', '### Targets', '');
    lines.push(
      table(
        ['<Target', '<Figure', '<Met'],
        report.targets.map((target) => [target.target, target.figure, target.met ? 'met' : '**not met**']),
      ),
    );
  }
  if (report.missing?.length) lines.push('', `**No figures for:** ${report.missing.join(', ')}`);
  lines.push('', `Run took ${num(report.durationS)} s.`);
  return lines.join('\n');
}
