import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const SMOKE_TIMEOUT_MS = 240_000;

/**
 * `npm run bench -- --smoke` as a child process (the same command line as the npm script), its results
 * written to `resultsDir`. Resolves with its exit code and output.
 */
function runSmoke(resultsDir: string): Promise<{ code: number | null; output: string }> {
  const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { bench: string } };
  const [, ...nodeArgs] = packageJson.scripts.bench.split(/\s+/);
  // Jest's --experimental-vm-modules is not for the bench.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS'));
  const child = spawn(process.execPath, [...nodeArgs, '--smoke', '--results-dir', resultsDir], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  // The bench stops everything it started on SIGTERM.
  const timer = setTimeout(() => child.kill('SIGTERM'), SMOKE_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('npm run bench -- --smoke', () => {
  let resultsDir: string;

  beforeAll(() => {
    resultsDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  });

  afterAll(() => {
    rmSync(resultsDir, { recursive: true, force: true });
  });

  it('runs every scenario, exits 0 and writes figures for each one', async () => {
    const { code, output } = await runSmoke(resultsDir);
    // The output only matters when it failed: then it says why.
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });

    const files = readdirSync(resultsDir).filter((file) => file.endsWith('-smoke.json'));
    expect(files).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(resultsDir, files[0]), 'utf8'));
    expect(report.mode).toBe('smoke');
    expect(report.missing).toEqual([]);
    expect(report.machine).toEqual(
      expect.objectContaining({
        cpu: expect.any(String),
        cores: expect.any(Number),
        node: process.version,
        platform: expect.any(String),
      }),
    );
    const { normal, normalAnswers, slow, outage, edge, memory } = report.results;

    // 1. normal mode: four reads, the service and the baseline; the service's answers by source
    expect(normal).toHaveLength(4);
    for (const row of normal) {
      expect(row.service.sent).toBeGreaterThan(0);
      expect(row.baseline.sent).toBeGreaterThan(0);
      expect(row.service.rps).toEqual(expect.any(Number));
      expect(row.baseline.rps).toEqual(expect.any(Number));
    }
    expect(normalAnswers.byEndpoint).toHaveLength(4);
    expect(normalAnswers.total.database).toBeGreaterThan(0);
    expect(normalAnswers.total.fallback).toEqual(expect.any(Number));

    // 7. healthy but slow: both slow reads at once, their answers by source, the breaker before and after
    expect(slow.endpoints).toHaveLength(2);
    for (const row of slow.endpoints) expect(row.sent).toBeGreaterThan(0);
    expect(slow.sources).toEqual(
      expect.objectContaining({ database: expect.any(Number), fallback: expect.any(Number) }),
    );
    expect(slow.breaker.before).toEqual(expect.any(String));
    expect(slow.breaker.after).toEqual(expect.any(String));
    expect(slow.counters.stalls).toEqual(expect.any(Number));

    // 2 + 3. outage, failover and recovery: both designs, both faults, both backup-data reads
    for (const design of ['configured', 'naive']) {
      for (const fault of ['hung', 'killed']) {
        const entry = outage[design][fault];
        expect(entry.endpoints).toHaveLength(2);
        for (const row of entry.endpoints) {
          expect(row.sent).toBeGreaterThan(0);
          expect(row.rps).toEqual(expect.any(Number));
          if (design === 'configured') expect(row.open.sent).toBeGreaterThan(0);
        }
        // A fault per client and read (as configured: one client and an open loop, over the poll path and warm
        // reads; naive: the poll path), each with its recovery.
        const cases = design === 'configured' ? 4 : 1;
        expect(entry.cases).toHaveLength(cases);
        expect(entry.recoveryRuns).toHaveLength(cases);
        for (const failover of entry.cases) {
          expect(failover.runs).toHaveLength(1);
          expect(failover.runs[0].requests).toBeGreaterThan(failover.runs[0].beforeFault);
          expect(failover.longestWaitMs).toEqual(expect.any(Number));
        }
      }
    }
    for (const fault of ['hung', 'killed']) {
      // null when no answer came without the database within the cap: a target missed, still a figure
      expect(outage.configured[fault]).toHaveProperty('failoverMs');
      expect(outage.configured[fault].recoveryMs).toEqual(expect.any(Number));
    }

    // 4. edge: hit and miss through Varnish
    expect(edge.hit.sent).toBeGreaterThan(0);
    expect(edge.miss.sent).toBeGreaterThan(0);
    expect(edge.hit.rps).toEqual(expect.any(Number));
    expect(edge.ratio).toEqual(expect.any(Number));
    // 4b. two instances behind the edge, one killed under load: the 5xx that reached clients
    expect(report.results.edgeInstances.load.sent).toBeGreaterThan(0);
    expect(report.results.edgeInstances.serverErrors).toEqual(expect.any(Number));
    expect(report.markdown).toContain('### Edge: two instances, one killed under load');
    // 4c. signed-in teachers through the edge: the hit rate beside what a cache keyed by token could give
    expect(report.results.edgeSignedIn.answers).toBeGreaterThan(0);
    expect(report.results.edgeSignedIn.hitRate).toEqual(expect.any(Number));
    expect(report.results.edgeSignedIn.perTokenHitRate).toEqual(expect.any(Number));
    expect(report.markdown).toContain('### Edge: signed-in teachers');

    // 5. memory: RSS samples while the database flaps
    expect(memory.samples.length).toBeGreaterThanOrEqual(2);
    expect(memory.maxMb).toBeGreaterThan(0);
    expect(memory.flaps.length).toBeGreaterThan(0);

    // 6. real data in an outage, in process and (with a redis-server) through Redis
    const realData = report.results.realData;
    for (const run of [realData.inProcess, realData.redis]) {
      for (const load of Object.values<any>(run.classes)) expect(load.sent).toBeGreaterThan(0);
    }

    // every target judged, and the report printed
    expect(report.targets).toHaveLength(16);
    for (const target of report.targets) expect(typeof target.met).toBe('boolean');
    expect(report.targets.map((target: { target: string }) => target.target)).toEqual(
      expect.arrayContaining([
        'Edge, two instances, one killed under load: 0 5xx',
        'Edge, signed-in teachers: hit rate ≥ 80%',
      ]),
    );
    for (const heading of [
      '### 1. Normal mode',
      '### 2. Outage',
      '### 3. Failover',
      '### 4. Edge',
      '### 5. Memory',
      '### 6. Real data in an outage',
      '### 7. Healthy but slow',
    ]) {
      expect(report.markdown).toContain(heading);
      expect(output).toContain(heading);
    }
  }, 360_000);
});
