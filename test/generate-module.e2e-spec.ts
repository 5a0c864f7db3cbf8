import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

/**
 * `npm run generate:module` in a copy of the project: two new modules (one belonging to schools, one not) are
 * generated, then the copy builds, type-checks, lints, passes every unit test (the schema-drift check among
 * them), the new modules' e2e tests and the fixtures-refresh test (against the test FerretDB), and serves their
 * GraphQL types. Names in use and bad names are
 * refused with one line.
 */

jest.setTimeout(300_000);

const ROOT = join(__dirname, '..');
/** Not copied: installed, built or written by runs. node_modules is linked instead. */
const LEFT_OUT = new Set(['node_modules', 'dist', '.data', '.git', 'coverage', 'test-results', '.cache']);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('npm run generate:module', () => {
  let project: string;

  /** Runs a command in the copy, with its Node 24 first on PATH. */
  const run = (command: string, args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: project,
        env: { ...process.env, ...env, PATH: `${join(project, 'node_modules', '.bin')}:${process.env.PATH}` },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  const expectSuccess = (result: Run, what: string) => {
    if (result.code !== 0) throw new Error(`${what} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  };
  const generator = (...args: string[]) =>
    run(process.execPath, ['dist/module-generator/generate-module.cli.js', ...args]);

  const GENERATED = [
    'src/lesson-plan',
    'test/lesson-plans.e2e-spec.ts',
    'src/grading-scale',
    'test/grading-scales.e2e-spec.ts',
    'src/bootstrap/app.module.ts',
    'fixtures.config.json',
  ];

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'generate-module-'));
    cpSync(ROOT, project, {
      recursive: true,
      filter: (source) => !LEFT_OUT.has(relative(ROOT, source).split(sep)[0]),
    });
    symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');

    expectSuccess(
      await run('npm', ['run', '--silent', 'generate:module', '--', 'lesson-plan', '--per-school', '--no-schema']),
      'generating lesson-plan',
    );
    const second = await run('npm', ['run', '--silent', 'generate:module', '--', 'gradingScale']);
    expectSuccess(second, 'generating grading-scale');
    expect(second.stdout).toContain('Created the grading scale module:');
    expect(second.stdout).toContain('REST /api/grading-scales');
  });

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('refuses a name in use and a bad name with one line, changing nothing', async () => {
    const appModule = readFileSync(join(project, 'src/bootstrap/app.module.ts'), 'utf8');
    const again = await generator('lesson-plan');
    expect([again.code, again.stderr]).toEqual([
      1,
      'generate:module: src/lesson-plan already exists: the module "lesson-plan" is there, choose another name\n',
    ]);
    const bad = await generator('Lesson_Plan');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^generate:module: "Lesson_Plan" is not a module name: [^\n]+\n$/);
    expect(readFileSync(join(project, 'src/bootstrap/app.module.ts'), 'utf8')).toBe(appModule);
  });

  it('builds, type-checks and lints', async () => {
    expectSuccess(await run('npm', ['run', '--silent', 'build']), 'npm run build');
    expectSuccess(await run('npm', ['run', '--silent', 'typecheck']), 'npm run typecheck');
    expectSuccess(await run('npx', ['eslint', ...GENERATED]), 'eslint');
    expectSuccess(await run('npx', ['prettier', '--check', ...GENERATED]), 'prettier --check');
  });

  it('serves the new modules in the GraphQL schema (schema.gql rewritten)', () => {
    const schema = readFileSync(join(project, 'schema.gql'), 'utf8');
    expect(schema).toContain('type LessonPlan {');
    expect(schema).toContain('type GradingScale {');
    expect(schema).toMatch(/type School \{[^}]*\n {2}lessonPlans\(/);
    expect(schema).toMatch(/type Mutation \{[^}]*createGradingScale\(input: CreateGradingScaleInput!\): GradingScale!/);
  });

  it("passes every unit test (the schema-drift check included), the new modules' e2e tests and the refresh's", async () => {
    const patterns = [
      '/src/',
      'test/lesson-plans.e2e-spec.ts',
      'test/grading-scales.e2e-spec.ts',
      'test/fixtures-refresh.e2e-spec.ts',
    ];
    const tests = await run(process.execPath, ['scripts/test.mjs', ...patterns], {
      TEST_MONGODB_URI: process.env.TEST_MONGODB_URI!,
    });
    const results = JSON.parse(readFileSync(join(project, 'test-results', 'jest.json'), 'utf8'));
    const suites = new Map<string, string>(
      results.testResults.map((suite: { name: string; status: string }) => [
        relative(project, suite.name),
        suite.status,
      ]),
    );
    for (const suite of [
      'src/fallback/fixtures/fixture-drift.spec.ts',
      'src/lesson-plan/lesson-plan.service.spec.ts',
      'src/grading-scale/grading-scale.service.spec.ts',
      'test/lesson-plans.e2e-spec.ts',
      'test/grading-scales.e2e-spec.ts',
      'test/fixtures-refresh.e2e-spec.ts',
    ]) {
      expect([suite, suites.get(suite)]).toEqual([suite, 'passed']);
    }
    expect([...suites].filter(([, status]) => status !== 'passed')).toEqual([]);
    expect(results.numFailedTests).toBe(0);
    expectSuccess(tests, 'the tests');
  });
});
