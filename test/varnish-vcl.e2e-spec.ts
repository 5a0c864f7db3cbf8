import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { hasCommand, VARNISH_DIR } from './support/varnish';

/**
 * The edge cache's VCL (infra/varnish/school-cache.vcl) against mock backends: one test per
 * infra/varnish/tests/*.vtc, run by `varnishtest -q` (exit 0 = every expectation held). The
 * cases run in parallel, started together; each test waits for its own.
 */
const TESTS_DIR = join(VARNISH_DIR, 'tests');
const CASES = readdirSync(TESTS_DIR)
  .filter((name) => name.endsWith('.vtc'))
  .sort();
/** varnishtest's own limit per case (its -t), seconds; the Jest timeout is above it. */
const CASE_TIMEOUT_S = 90;

interface VarnishtestRun {
  code: number | null;
  output: string;
}

function varnishtest(file: string, quiet: boolean): Promise<VarnishtestRun> {
  return new Promise((resolve) => {
    // -q prints the result lines only; without it a failing case prints its log.
    const options = quiet ? ['-q'] : [];
    const child = spawn('varnishtest', [...options, '-t', String(CASE_TIMEOUT_S), file], {
      cwd: TESTS_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => resolve({ code: null, output: `could not run varnishtest: ${error.message}` }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Runs at most `limit` cases at a time; the map gives each case's run. */
function runAll(files: string[], limit: number): Map<string, Promise<VarnishtestRun>> {
  const runs = new Map<string, Promise<VarnishtestRun>>();
  let active = 0;
  const queue: (() => void)[] = [];
  for (const file of files) {
    runs.set(
      file,
      new Promise<void>((start) => {
        if (active < limit) {
          active++;
          start();
        } else queue.push(start);
      }).then(async () => {
        try {
          return await varnishtest(file, true);
        } finally {
          active--;
          const next = queue.shift();
          if (next) {
            active++;
            next();
          }
        }
      }),
    );
  }
  return runs;
}

const available = hasCommand('varnishtest');
if (!available) {
  console.warn(
    'Skipping the Varnish VCL tests: varnishtest is not installed (Debian/Ubuntu: apt-get install varnish varnish-modules).',
  );
}

(available ? describe : describe.skip)('Varnish edge VCL (varnishtest)', () => {
  let runs: Map<string, Promise<VarnishtestRun>>;

  beforeAll(() => {
    runs = runAll(CASES, Math.max(2, Math.min(6, cpus().length)));
  });

  it('has test cases', () => {
    expect(CASES.length).toBeGreaterThan(0);
  });

  it.each(CASES)(
    '%s',
    async (file) => {
      const run = await runs.get(file)!;
      if (run.code !== 0) {
        // -q said only that it failed: run it again for the log, without the VSL and byte dumps.
        const again = await varnishtest(file, false);
        const log = again.output
          .split('\n')
          .filter((line) => !line.startsWith('**** '))
          .slice(-300)
          .join('\n');
        throw new Error(
          `varnishtest -q ${file} exited with ${run.code}:\n${run.output}\n` +
            `Run again (exit ${again.code}${again.code === 0 ? ': passed, so it is flaky' : ''}), the end of its log:\n${log}`,
        );
      }
      expect(run.code).toBe(0);
    },
    // Queued behind other cases, its own limit, and a second run for the log on failure.
    (CASE_TIMEOUT_S * 3 + 30) * 1000,
  );
});
