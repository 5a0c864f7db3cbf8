// The "two instances, one killed" edge scenario: two instances of the service behind Varnish (round robin, health
// probes on /health/ready, idempotent requests retried on the other instance), a steady load of reads the edge has
// not cached, and one instance killed (SIGKILL) a third of the way through. The figure that matters: how many 5xx
// (and failed requests) reached the clients; the target is 0.
import { setTimeout as sleep } from 'node:timers/promises';
import { openLoad } from './load.mjs';
import { startService, startVarnish } from './processes.mjs';

/** Reads by id over REST and over GraphQL GET, none cached yet: every one goes to an instance. */
function uncachedPaths(demo) {
  const query = 'query ($id: ID!) { teacher(id: $id) { id lastName } }';
  return demo.teachers.flatMap((id) => [
    `/api/teachers/${id}`,
    `/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ id }))}`,
  ]);
}

/**
 * @param {{ db: { uri: string }; dbName: string; demo: { teachers: string[] }; env: Record<string, string>;
 *   headers: Record<string, string>; smoke: boolean; log: (message: string) => void; track: (stoppable) => () => Promise<void> }} options
 */
export async function edgeInstances({ db, dbName, demo, env, headers, smoke, log, track }) {
  const plan = smoke ? { rate: 30, durationS: 2 } : { rate: 100, durationS: 9 };
  const start = (label) => startService({ mongoUri: db.uri, dbName, env, headers, label });
  const [first, second] = await Promise.all([start('instance 1 (edge)'), start('instance 2 (edge)')]);
  const stops = [track(first), track(second)];
  const varnish = await startVarnish({ backendPorts: [first.port, second.port] });
  stops.push(track(varnish));
  try {
    const killAfterMs = Math.round((plan.durationS * 1000) / 3);
    const killed = sleep(killAfterMs).then(() => process.kill(second.pid, 'SIGKILL'));
    const load = await openLoad({
      port: varnish.port,
      paths: uncachedPaths(demo),
      headers,
      rate: plan.rate,
      durationS: plan.durationS,
      timeoutS: 10,
    });
    await killed;
    const serverErrors = Object.entries(load.statusCodes)
      .filter(([status]) => Number(status) >= 500)
      .reduce((sum, [, count]) => sum + count, 0);
    const result = { ...plan, killAfterMs, serverErrors, failed: load.timeouts + load.socketErrors, load };
    log(
      `edge, two instances, one killed after ${killAfterMs} ms: ${load.sent} requests, ${serverErrors} 5xx, ` +
        `${result.failed} failed, p99 ${load.p99} ms, statuses ${JSON.stringify(load.statusCodes)}`,
    );
    return result;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

/** The scenario's lines of the Markdown report. */
export function edgeInstancesMarkdown(result) {
  if (!result) return '';
  return [
    '',
    '### Edge: two instances, one killed under load',
    '',
    `${result.load.sent} uncached reads at ${result.rate}/s through Varnish over two instances; one killed (SIGKILL) ` +
      `after ${result.killAfterMs} ms: **${result.serverErrors} 5xx** (target 0), ${result.failed} requests failed ` +
      `or timed out, p99 ${result.load.p99} ms.`,
    '',
  ].join('\n');
}

/** The target's row of the report: no 5xx reaches a client while an instance dies. */
export function edgeInstancesTarget(result) {
  return {
    target: 'Edge, two instances, one killed under load: 0 5xx',
    figure: `${result.serverErrors} 5xx of ${result.load.sent} requests; ${result.failed} failed; p99 ${result.load.p99} ms`,
    met: result.serverErrors === 0,
    value: result.serverErrors,
  };
}
