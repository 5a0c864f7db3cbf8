// Load generation (autocannon, in this process) and the statistics the report is made of.
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

/**
 * Runs autocannon against 127.0.0.1:`port` for `durationS` seconds with `connections` connections, every
 * request bounded by `timeoutS`, and summarises it:
 * - `rps`: answered 2xx per second; `p50`/`p99`/`max` (ms): latencies of the 2xx answers (autocannon records no other);
 * - `sources`: the 2xx answers by X-Data-Source, `dbRps`: those from the database (or without the header) per second;
 * - `non2xx`, `timeouts` (no answer within `timeoutS`), `socketErrors` (other client errors) and `errors` (all three);
 * - `p50Floor`/`p99Floor`: when more than half (1 %) of the requests timed out, that percentile over every
 *   request is at least the timeout, whatever the answered ones took: the report then shows `>= timeout`.
 * `requests` (autocannon's option) gives a sequence of requests per connection, e.g. with `setupRequest`.
 * The connections send as fast as they are answered (closed loop): with several connections, latencies include
 * the queueing of a saturated server; with one, they are the time of one request alone.
 */
export async function runLoad({
  port,
  path = '/',
  method = 'GET',
  headers,
  body,
  requests,
  connections = 10,
  durationS,
  timeoutS = 10,
}) {
  // Where every 2xx answer came from (the service's X-Data-Source: database | fallback; `none` without it).
  const sources = {};
  const onResponse = (status, _body, _context, answerHeaders) => {
    if (status < 200 || status > 299) return;
    const name = Object.keys(answerHeaders).find((key) => key.toLowerCase() === 'x-data-source');
    const source = name ? String(answerHeaders[name]) : 'none';
    sources[source] = (sources[source] ?? 0) + 1;
  };
  const sequence = (requests ?? [{ method, path, headers, body }]).map((request) => ({ ...request, onResponse }));
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method,
    headers,
    body,
    requests: sequence,
    connections,
    duration: durationS,
    timeout: timeoutS,
  });
  const ok = result['2xx'];
  const timeouts = result.timeouts;
  const socketErrors = result.errors - timeouts;
  const answered = result.requests.total;
  const attempted = answered + timeouts + socketErrors;
  const timeoutShare = attempted > 0 ? timeouts / attempted : 0;
  const latency = (value) => (ok > 0 ? value : null);
  return {
    durationS: result.duration,
    connections,
    timeoutS,
    requests: answered,
    // Requests sent, answered or not (a request still waiting when the run ends is neither answered nor timed out).
    sent: result.requests.sent,
    ok,
    rps: round(ok / result.duration, 1),
    sources,
    // 2xx answered from the database (or from a server that does not say: the baseline, Varnish hits).
    dbRps: round(((sources.database ?? 0) + (sources.none ?? 0)) / result.duration, 1),
    p50: latency(result.latency.p50),
    p99: latency(result.latency.p99),
    max: latency(result.latency.max),
    p50Floor: timeoutShare > 0.5 ? timeoutS * 1000 : undefined,
    p99Floor: timeoutShare > 0.01 ? timeoutS * 1000 : undefined,
    non2xx: result.non2xx,
    timeouts,
    socketErrors,
    errors: result.non2xx + result.errors,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
  };
}

/** The value below which `share` of the sorted values lie (nearest rank). */
function percentile(sorted, share) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];
}

/**
 * Open loop: `rate` requests per second for `durationS` seconds, each sent at its scheduled time whether or not
 * the earlier ones were answered (as independent clients do), on keep-alive connections opened as needed.
 * Latency counts from the scheduled time, so a server that stalls is charged for every request it kept waiting
 * (no coordinated omission). Every request is bounded by `timeoutS`; the run ends when all are answered or timed out.
 * Same figures as runLoad; `slow` counts the 2xx answers over `slowMs`, `slowAt` says when they were sent.
 */
/** `paths`: sent in turn instead of the one `path`. */
export async function openLoad({ port, path, paths = [path], headers, rate, durationS, timeoutS = 2, slowMs = 10 }) {
  const total = Math.max(1, Math.round(rate * durationS));
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const intervalMs = 1000 / rate;
  const latencies = [];
  // [ms into the run it was sent, its latency] of each answer over slowMs: when the slow ones came.
  const slowAt = [];
  const statusCodes = {};
  const sources = {};
  let timeouts = 0;
  let socketErrors = 0;
  let non2xx = 0;
  let settled = 0;
  let sent = 0;
  const started = performance.now();
  await new Promise((resolve) => {
    const finish = () => {
      settled++;
      if (settled === total) resolve();
    };
    const send = (scheduledAt, index) => {
      let done = false;
      const end = (outcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        outcome();
        finish();
      };
      const req = request({ host: '127.0.0.1', port, path: paths[index % paths.length], headers, agent }, (res) => {
        res.resume();
        res.on('end', () =>
          end(() => {
            const status = res.statusCode;
            statusCodes[status] = (statusCodes[status] ?? 0) + 1;
            if (status >= 200 && status <= 299) {
              const latency = performance.now() - scheduledAt;
              latencies.push(latency);
              if (latency > slowMs) slowAt.push([round(scheduledAt - started), round(latency, 1)]);
              const source = String(res.headers['x-data-source'] ?? 'none');
              sources[source] = (sources[source] ?? 0) + 1;
            } else non2xx++;
          }),
        );
        res.on('error', () => end(() => socketErrors++));
      });
      const timer = setTimeout(() => {
        end(() => timeouts++);
        req.destroy();
      }, timeoutS * 1000);
      req.on('error', () => end(() => socketErrors++));
      req.end();
    };
    const ticker = setInterval(() => {
      const due = Math.min(total, Math.floor((performance.now() - started) / intervalMs) + 1);
      while (sent < due) {
        send(started + sent * intervalMs, sent);
        sent++;
      }
      if (sent === total) clearInterval(ticker);
    }, 1);
  });
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const ok = latencies.length;
  const attempted = total;
  const timeoutShare = timeouts / attempted;
  return {
    durationS,
    rate,
    timeoutS,
    requests: total - timeouts - socketErrors,
    sent: total,
    ok,
    rps: round(ok / durationS, 1),
    sources,
    dbRps: round(((sources.database ?? 0) + (sources.none ?? 0)) / durationS, 1),
    p50: round(percentile(latencies, 0.5), 2),
    p99: round(percentile(latencies, 0.99), 2),
    max: round(latencies.at(-1) ?? null, 2),
    p50Floor: timeoutShare > 0.5 ? timeoutS * 1000 : undefined,
    p99Floor: timeoutShare > 0.01 ? timeoutS * 1000 : undefined,
    slow: latencies.filter((value) => value > slowMs).length,
    slowAt: slowAt.slice(0, 50),
    slowMs,
    non2xx,
    timeouts,
    socketErrors,
    errors: non2xx + timeouts + socketErrors,
    statusCodes,
  };
}

export function round(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function median(values) {
  const known = values.filter((value) => value !== null && value !== undefined && !Number.isNaN(value));
  if (known.length === 0) return null;
  const sorted = [...known].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Least-squares slope of y over x. */
export function slope(points) {
  if (points.length < 2) return null;
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return variance === 0 ? null : covariance / variance;
}

/**
 * The headline of repeated load runs: the median of each figure over the runs, errors added up
 * (a single error in any run counts), floors kept when any run hit them.
 */
export function combineRuns(runs) {
  const pick = (key) => median(runs.map((run) => run[key]));
  const floor = (key) => {
    const floors = runs.map((run) => run[key]).filter((value) => value !== undefined);
    return floors.length > runs.length / 2 ? Math.max(...floors) : undefined;
  };
  const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
  return {
    runs: runs.length,
    rps: round(pick('rps'), 1),
    dbRps: round(pick('dbRps'), 1),
    ...(runs.some((run) => run.cpuMsPerRequest !== undefined)
      ? { cpuMsPerRequest: round(pick('cpuMsPerRequest'), 3) }
      : {}),
    p50: round(pick('p50'), 2),
    p99: round(pick('p99'), 2),
    max: round(Math.max(...runs.map((run) => run.max ?? 0)), 2),
    p50Floor: floor('p50Floor'),
    p99Floor: floor('p99Floor'),
    requests: sum('requests'),
    sent: sum('sent'),
    ok: sum('ok'),
    non2xx: sum('non2xx'),
    timeouts: sum('timeouts'),
    socketErrors: sum('socketErrors'),
    errors: sum('errors'),
    ...(runs.every((run) => run.slow !== undefined) ? { slow: sum('slow'), slowMs: runs[0]?.slowMs } : {}),
    sources: runs.reduce((total, run) => {
      for (const [source, count] of Object.entries(run.sources ?? {})) total[source] = (total[source] ?? 0) + count;
      return total;
    }, {}),
  };
}
