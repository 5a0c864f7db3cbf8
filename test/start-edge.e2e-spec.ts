import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/service-process';
import { mintTestToken, TEST_JWT_SECRET } from './support/tokens';

const START_EDGE = join(__dirname, '..', 'scripts', 'start-edge.mjs');

describe('npm run start:edge', () => {
  it('serves cached GraphQL through Varnish: X-Cache HIT on the second identical request, and per scope for signed-in callers', async () => {
    const [port, edgePort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [START_EDGE], {
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
    try {
      const deadline = Date.now() + 60_000;
      while (!(output.includes('edge (Varnish) listening') && output.includes('Listening on'))) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`start:edge did not come up:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
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
      child.kill('SIGTERM');
      await exited;
    }
  }, 90_000);
});
