import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/service-process';
import { mintTestToken, TEST_JWT_SECRET } from './support/tokens';

const START_EDGE = join(__dirname, '..', 'scripts', 'start-edge.mjs');
const EDGE_STATS = join(__dirname, '..', 'scripts', 'edge-stats.mjs');

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose next one is free too (start:edge runs its instances on PORT, PORT+1, ...). */
async function twoFreePorts(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    if (port < 65535 && (await portIsFree(port + 1))) return port;
  }
  throw new Error('no two consecutive free ports');
}

/** Runs scripts/start-edge.mjs with `args`; resolves once the edge and `instances` apps are up. */
async function startEdge(port: number, edgePort: number, args: string[] = [], instances = 1) {
  const child = spawn(process.execPath, [START_EDGE, ...args], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      PORT: String(port),
      EDGE_PORT: String(edgePort),
      MONGODB_URI: process.env.TEST_MONGODB_URI,
      MONGODB_DB_NAME: `start_edge_${port}`,
      FALLBACK_JOURNAL_PATH: join(mkdtempSync(join(tmpdir(), 'journal-')), 'journal.sqlite'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (!(output.includes('edge (Varnish) listening') && output.split('Listening on').length > instances)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM');
      await exited;
      throw new Error(`start:edge did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('npm run start:edge', () => {
  it('serves cached GraphQL through Varnish: X-Cache HIT on the second identical request, and per scope for signed-in callers', async () => {
    const [port, edgePort] = [await freePort(), await freePort()];
    const edge = await startEdge(port, edgePort);
    try {
      const url = `http://127.0.0.1:${edgePort}/graphql?query=${encodeURIComponent('{ schools(limit: 1) { total } }')}`;
      const first = await fetch(url);
      const second = await fetch(url);
      expect(first.headers.get('x-cache')).toBe('MISS');
      expect(second.headers.get('x-cache')).toBe('HIT');
      expect(await second.json()).toMatchObject({ data: { schools: { total: 0 } } });

      // Signed in: two teachers of one school share the entry of their scope; a teacher of another does not.
      const schoolA = 'a'.repeat(24);
      const asTeacher = async (schoolId: string, sub: string) =>
        (
          await fetch(url, {
            headers: { authorization: `Bearer ${await mintTestToken({ role: 'teacher', schoolId, sub })}` },
          })
        ).headers.get('x-cache');
      expect(await asTeacher(schoolA, 'teacher-1')).toBe('MISS');
      expect(await asTeacher(schoolA, 'teacher-2')).toBe('HIT');
      expect(await asTeacher('b'.repeat(24), 'teacher-3')).toBe('MISS');
    } finally {
      await edge.stop();
    }
  }, 90_000);

  it('runs several instances behind the edge, and edge:stats reads its log', async () => {
    const [port, edgePort] = [await twoFreePorts(), await freePort()];
    const edge = await startEdge(port, edgePort, ['--instances', '2'], 2);
    try {
      for (const instancePort of [port, port + 1]) {
        const ready = await fetch(`http://127.0.0.1:${instancePort}/health/ready`);
        expect(ready.status).toBe(200);
      }
      const url = `http://127.0.0.1:${edgePort}/api/schools?limit=2`;
      const caches = [];
      for (let index = 0; index < 3; index++) caches.push((await fetch(url)).headers.get('x-cache'));
      expect(caches).toEqual(['MISS', 'HIT', 'HIT']);

      await new Promise((resolve) => setTimeout(resolve, 1000)); // Varnish publishes its log in batches
      // No -n: the working directory start:edge gives varnishd.
      const stats = spawnSync(process.execPath, [EDGE_STATS, '--minutes', '5'], { encoding: 'utf8' });
      expect(stats.stderr).toBe('');
      expect(stats.stdout).toMatch(/^GET \/api\/schools\s+3\s+66\.7%\s+2\s+0\s+1\s+0\s*$/m);
      expect(stats.stdout).toMatch(/app1: healthy/);
      expect(stats.stdout).toMatch(/app2: healthy/);
    } finally {
      await edge.stop();
    }
  }, 90_000);
});
