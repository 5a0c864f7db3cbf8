/**
 * Proves that a production install runs the service: in a copy of what a deployment holds, `npm ci --omit=dev`,
 * then `npm start` (which compiles the service first) against the test database server. Slow (a real install
 * and a real build): a few minutes at most.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { freePort } from './support/service-process';
import { TEST_JWT_SECRET } from './support/tokens';

const PROJECT_ROOT = join(__dirname, '..');

/** What a deployment holds: the manifest and its lock, the sources, and what compiling them at start needs. */
const DEPLOYMENT_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'src',
  'scripts/copy-fixtures.mjs',
];

const INSTALL_TIMEOUT_MS = 180_000;
const START_TIMEOUT_MS = 150_000;

/**
 * The environment of a machine with Node 24 and nothing of this checkout: the Node running the tests first on
 * PATH, no node_modules/.bin of the project, no npm settings or Node options inherited from the test run.
 */
function deploymentEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !/^npm_/i.test(name) && !['NODE_OPTIONS', 'MONGODB_URI', 'TEST_MONGODB_URI', 'INIT_CWD'].includes(name),
  );
  const path = (process.env.PATH ?? '').split(delimiter).filter((entry) => !entry.includes('node_modules'));
  return { ...Object.fromEntries(inherited), PATH: [dirname(process.execPath), ...path].join(delimiter), ...extra };
}

interface Command {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs `npm …` in its own process group, so that stopping it stops what it started. */
function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Command {
  const child = spawn('npm', args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function stop(command: Command | undefined): Promise<void> {
  const pid = command?.child.pid;
  if (!command || pid === undefined || command.child.exitCode !== null || command.child.signalCode !== null) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // The group is gone already.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await command.exited;
  clearTimeout(timer);
}

async function within<T>(promise: Promise<T>, timeoutMs: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what()}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function status(url: string): Promise<number | undefined> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status;
  } catch {
    return undefined;
  }
}

function testDatabase(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run the e2e tests through npm test');
  return uri;
}

describe('a production install (npm ci --omit=dev && npm start)', () => {
  let directory: string;
  let service: Command | undefined;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'production-install-'));
    for (const file of DEPLOYMENT_FILES) {
      mkdirSync(dirname(join(directory, file)), { recursive: true });
      cpSync(join(PROJECT_ROOT, file), join(directory, file), { recursive: true });
    }
  });

  afterAll(async () => {
    await stop(service);
    rmSync(directory, { recursive: true, force: true });
  });

  it('installs without the development packages, builds, starts and answers', async () => {
    const install = npm(['ci', '--omit=dev', '--no-audit', '--no-fund'], directory, deploymentEnvironment());
    const installed = await within(install.exited, INSTALL_TIMEOUT_MS, () => `npm ci:\n${install.output()}`).finally(
      () => stop(install),
    );
    expect({ code: installed, output: installed === 0 ? '' : install.output() }).toEqual({ code: 0, output: '' });
    for (const developmentPackage of ['jest', 'prettier', 'mongodb-memory-server']) {
      expect(existsSync(join(directory, 'node_modules', developmentPackage))).toBe(false);
    }

    const port = await freePort();
    service = npm(
      ['start'],
      directory,
      deploymentEnvironment({
        MONGODB_URI: testDatabase(),
        MONGODB_DB_NAME: `production_install_${randomBytes(6).toString('hex')}`,
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        HOST: '127.0.0.1',
        PORT: String(port),
      }),
    );
    const baseUrl = `http://127.0.0.1:${port}`;
    // The build comes first (prestart); readiness follows once the service listens.
    const deadline = Date.now() + START_TIMEOUT_MS;
    let readiness: number | undefined;
    while (readiness !== 200 && service.child.exitCode === null && Date.now() < deadline) {
      readiness = await status(`${baseUrl}/health/ready`);
      if (readiness !== 200) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect({ readiness, output: readiness === 200 ? '' : service.output() }).toEqual({ readiness: 200, output: '' });
    expect(await status(`${baseUrl}/api/schools`)).toBe(200);
  }, 300_000);
});
