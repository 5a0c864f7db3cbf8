import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnService, type ServiceProcess } from './support/service-process';
import { ADMIN, authorizationFor } from './support/tokens';

async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const service = spawnService({
    PORT: String(await freePort()),
    MONGODB_URI: process.env.TEST_MONGODB_URI!,
    MONGODB_DB_NAME: `logging_${randomBytes(6).toString('hex')}`,
    FALLBACK_JOURNAL_PATH: join(mkdtempSync(join(tmpdir(), 'journal-')), 'journal.sqlite'),
    LOG_LEVEL: 'log',
    ...env,
  });
  await service.waitFor('Listening on', 30_000);
  return service;
}

interface LogLine {
  msg?: string;
  context?: string;
  req?: { id: string; method: string; url: string };
  statusCode?: number;
}

function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('Logs', () => {
  describe('in production (JSON lines)', () => {
    let service: ServiceProcess;
    let token: string;

    beforeAll(async () => {
      service = await startService({ NODE_ENV: 'production' });
      token = (await authorizationFor(ADMIN)).authorization;
    }, 60_000);

    afterAll(async () => {
      await service.stop();
    });

    it('writes one line per answered request, none for probes and scrapes, and never the credentials', async () => {
      for (let probe = 0; probe < 3; probe++) {
        expect((await service.request('GET', '/health')).status).toBe(200);
        expect((await service.request('GET', '/health/ready')).status).toBe(200);
      }
      expect((await service.request('GET', '/metrics')).status).toBe(200);
      const list = await service.request('GET', '/api/schools?limit=1');
      const unknown = await service.request('GET', '/api/schools/0123456789abcdef01234567');
      expect([list.status, unknown.status]).toEqual([200, 404]);
      await new Promise((resolve) => setTimeout(resolve, 300));

      const requests = jsonLines(service.output()).filter((line) => line.context === 'HTTP');
      expect(requests.map((line) => `${line.req?.method} ${line.req?.url} ${line.statusCode}`)).toEqual([
        'GET /api/schools?limit=1 200',
        'GET /api/schools/0123456789abcdef01234567 404',
      ]);
      expect(new Set(requests.map((line) => line.req?.id)).size).toBe(2);
      expect(service.output()).not.toContain(token.replace(/^Bearer /, ''));
    });
  });

  describe('in development', () => {
    let service: ServiceProcess;

    beforeAll(async () => {
      service = await startService({ NODE_ENV: 'development' });
    }, 60_000);

    afterAll(async () => {
      await service.stop();
    });

    it('writes readable lines, not JSON, even when its output is not a terminal', async () => {
      await service.request('GET', '/api/schools?limit=1');
      await service.waitFor('GET /api/schools?limit=1 200', 5000);
      const lines = service.output().split('\n').filter(Boolean);
      expect(lines.some((line) => /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Listening on /.test(line))).toBe(true);
      expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    });
  });
});
