// What the service says about its breaker: /health's `breaker` (state, learned deadlines, last stall, heartbeat) and
// the fallback's counters of /metrics, read before and after a scenario to show what happened in between.
import { httpRequest } from './processes.mjs';
import { round } from './load.mjs';

/** /health's breaker and mode, or null when it did not answer. `operations` keeps those deadlines only. */
export async function breakerReport(port, operations) {
  const answer = await httpRequest({ port, path: '/health', timeoutMs: 2000 });
  let health;
  try {
    health = JSON.parse(answer.body);
  } catch {
    return null;
  }
  const breaker = health.breaker ?? {};
  const deadlines = Object.fromEntries(
    (breaker.deadlines ?? [])
      .filter((deadline) => !operations || operations.includes(deadline.operation))
      .map(({ operation, deadlineMs, p99Ms, samples }) => [operation, { deadlineMs, p99Ms, samples }]),
  );
  return {
    mode: health.mode,
    state: breaker.state,
    lastStall: breaker.lastStall ?? null,
    lastErrorAt: health.database?.lastErrorAt ?? null,
    heartbeat: breaker.heartbeat ?? null,
    deadlines,
  };
}

/** Sums of a Prometheus metric's samples in `body`, by the value of `label` (or the total under `all`). */
function samples(body, name, label) {
  const totals = {};
  const pattern = new RegExp(`^${name}(?:\\{([^}]*)\\})? ([0-9.e+-]+)$`, 'gm');
  for (const [, labels = '', value] of body.matchAll(pattern)) {
    const key = label ? (new RegExp(`${label}="([^"]*)"`).exec(labels)?.[1] ?? '') : 'all';
    totals[key] = (totals[key] ?? 0) + Number(value);
  }
  return totals;
}

/** The fallback's counters from /metrics (an admin's request: `headers` carry the token), or null. */
export async function fallbackCounters(port, headers) {
  const answer = await httpRequest({ port, path: '/metrics', headers, timeoutMs: 2000 });
  if (answer.status !== 200) return null;
  const body = answer.body;
  return {
    transitions: samples(body, 'database_breaker_transitions_total', 'to'),
    stalls: samples(body, 'database_stalls_total').all ?? 0,
    hedged: samples(body, 'hedged_answers_total', 'source'),
    fallbackAnswers: samples(body, 'fallback_answers_total').all ?? 0,
    outageAnswers: samples(body, 'outage_answers_total', 'source'),
    deadlinesMs: Object.fromEntries(
      Object.entries(samples(body, 'database_operation_deadline_seconds', 'operation')).map(([operation, seconds]) => [
        operation,
        round(seconds * 1000),
      ]),
    ),
  };
}

/** What the counters of `after` added to those of `before` (deadlines: those of `after`). */
export function countersDelta(before, after) {
  if (!before || !after) return null;
  const delta = (a = {}, b = {}) =>
    Object.fromEntries(
      Object.keys({ ...a, ...b })
        .map((key) => [key, (b[key] ?? 0) - (a[key] ?? 0)])
        .filter(([, value]) => value !== 0),
    );
  return {
    transitions: delta(before.transitions, after.transitions),
    stalls: after.stalls - before.stalls,
    hedged: delta(before.hedged, after.hedged),
    fallbackAnswers: after.fallbackAnswers - before.fallbackAnswers,
    outageAnswers: delta(before.outageAnswers, after.outageAnswers),
  };
}
