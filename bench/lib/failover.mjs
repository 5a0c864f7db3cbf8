// Failover as clients see it: a client runs while a fault is injected, and every request it sent is kept (when it
// was sent, when answered, by which source), so that the figures count from the moment of the fault: the first
// answer without the database, and the longest any request waited from the fault on.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { round } from './load.mjs';

/** Sources of an answer without the database: what it last said (stale), or backup data (fallback). */
const WITHOUT_DATABASE = new Set(['stale', 'fallback']);

/**
 * One request on a keep-alive `agent`, bounded by `timeoutMs`; resolves its record: `sentAt` (when it was due:
 * for an open loop its scheduled time), `endedAt`, `status` and `source` (X-Data-Source), or `error`.
 */
function send({ port, path, headers, agent, timeoutMs, sentAt }) {
  return new Promise((resolve) => {
    let done = false;
    const end = (outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ path, sentAt, endedAt: performance.now(), ...outcome });
    };
    const req = request({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () =>
        end({
          status: res.statusCode,
          source: res.headers['x-data-source'] ? String(res.headers['x-data-source']) : 'none',
        }),
      );
      res.on('error', (error) => end({ error: error.message }));
    });
    const timer = setTimeout(() => {
      end({ error: 'timeout', timedOut: true });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error) => end({ error: error.message }));
    req.end();
  });
}

/**
 * One client polling sequentially: a request, its answer, `pauseMs`, the next (`paths` in turn). `stop()` lets the
 * request in flight end (or time out) and resolves every request's record.
 */
export function sequentialClient({ port, paths, headers, timeoutMs, pauseMs = 5 }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const records = [];
  let stopping = false;
  const running = (async () => {
    for (let index = 0; !stopping; index++) {
      const path = paths[index % paths.length];
      records.push(await send({ port, path, headers, agent, timeoutMs, sentAt: performance.now() }));
      if (!stopping) await sleep(pauseMs);
    }
  })();
  return {
    kind: 'one client, one request at a time',
    records,
    async stop() {
      stopping = true;
      await running;
      agent.destroy();
      return records;
    },
  };
}

/**
 * An open loop: `rate` requests per second, each sent at its scheduled time whether or not the earlier ones were
 * answered (as independent clients do); a request's wait counts from its scheduled time. `stop()` ends the
 * schedule, lets the requests in flight end (or time out) and resolves every request's record.
 */
export function openClient({ port, paths, headers, timeoutMs, rate }) {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const intervalMs = 1000 / rate;
  const pending = [];
  const records = [];
  const started = performance.now();
  let sent = 0;
  const ticker = setInterval(() => {
    const due = Math.floor((performance.now() - started) / intervalMs) + 1;
    while (sent < due) {
      const sentAt = started + sent * intervalMs;
      const answer = send({ port, path: paths[sent % paths.length], headers, agent, timeoutMs, sentAt });
      pending.push(answer.then((record) => (records.push(record), record)));
      sent++;
    }
  }, 1);
  return {
    kind: `open loop, ${rate} requests/s`,
    records,
    async stop() {
      clearInterval(ticker);
      const all = await Promise.all(pending);
      agent.destroy();
      return all;
    },
  };
}

/** Whether one of the requests ended so far was answered without the database after `faultAt`. */
export function answeredWithoutDatabase(records, faultAt) {
  return records.some(
    (record) =>
      record.endedAt >= faultAt && !record.error && record.status <= 299 && WITHOUT_DATABASE.has(record.source),
  );
}

/**
 * The figures of one fault, from the records of a client that ran across it (`faultAt`: performance.now() when the
 * fault was injected):
 * - `firstWithoutDatabaseMs`: fault → the first 2xx answered stale or from backup data (null when none came);
 * - `longestWaitMs`: the longest any request waited from the fault on (a request sent before the fault counts from
 *   the fault); `longestWaitTimedOut` when that request got no answer within the client's timeout;
 * - `afterFault`: the requests that ended after the fault, by source (2xx) and errors (non-2xx, timeouts, others);
 * - `beforeFaultBySource`: the answers before it (all from the database when the service had settled).
 */
export function faultFigures(records, faultAt) {
  const after = records.filter((record) => record.endedAt >= faultAt);
  // Before the fault every answer should be the database's: else the service had not settled (and a read hedged
  // then would pass for a failover).
  const beforeFault = {};
  for (const record of records) {
    if (record.endedAt >= faultAt) continue;
    const source = record.error
      ? 'error'
      : record.status >= 200 && record.status <= 299
        ? record.source
        : `${record.status}`;
    beforeFault[source] = (beforeFault[source] ?? 0) + 1;
  }
  const bySource = {};
  let non2xx = 0;
  let timeouts = 0;
  let socketErrors = 0;
  let firstWithoutDatabase = null;
  let longest = null;
  for (const record of after) {
    const wait = record.endedAt - Math.max(record.sentAt, faultAt);
    if (!longest || wait > longest.wait) longest = { wait, record };
    if (record.error) {
      if (record.timedOut) timeouts++;
      else socketErrors++;
      continue;
    }
    if (record.status < 200 || record.status > 299) {
      non2xx++;
      continue;
    }
    bySource[record.source] = (bySource[record.source] ?? 0) + 1;
    if (
      WITHOUT_DATABASE.has(record.source) &&
      (firstWithoutDatabase === null || record.endedAt < firstWithoutDatabase)
    ) {
      firstWithoutDatabase = record.endedAt;
    }
  }
  return {
    requests: records.length,
    beforeFault: records.length - after.length,
    beforeFaultBySource: beforeFault,
    firstWithoutDatabaseMs: firstWithoutDatabase === null ? null : round(firstWithoutDatabase - faultAt, 1),
    longestWaitMs: longest ? round(longest.wait, 1) : null,
    longestWaitTimedOut: longest?.record.timedOut === true,
    afterFault: { bySource, non2xx, timeouts, socketErrors, errors: non2xx + timeouts + socketErrors },
  };
}
