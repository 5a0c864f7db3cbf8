/**
 * Stopping the built service (`dist/main.js`, as `npm start` runs it) with SIGTERM: a request in flight
 * is still answered, then the process exits promptly; with nothing open it exits at once, its embedded
 * database with it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from './support/fault-database';
import { freePort, MAIN, spawnService, type ServiceProcess } from './support/service-process';
import { TcpProxy } from './support/tcp-proxy';
import { ADMIN, authorizationFor } from './support/tokens';

jest.setTimeout(60_000);

/** "Promptly": well below the 10 s a stop used to take, with room for a busy test machine. */
const PROMPT_EXIT_MS = 2000;
const START_TIMEOUT_MS = 60_000;

/** Sends SIGTERM; resolves with how long the process took to exit, and how it ended. */
async function terminate(service: ServiceProcess): Promise<{ exitMs: number; signal: NodeJS.Signals | null }> {
  const sentAt = Date.now();
  service.child.kill('SIGTERM');
  await service.exited;
  return { exitMs: Date.now() - sentAt, signal: service.child.signalCode };
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm test builds it first (npm run build)`);
});

describe('SIGTERM with a request in flight', () => {
  let proxy: TcpProxy;
  let service: ServiceProcess;

  beforeAll(async () => {
    proxy = await TcpProxy.forMongodbUri(process.env.TEST_MONGODB_URI!);
    service = spawnService({
      PORT: String(await freePort()),
      MONGODB_URI: proxy.uri,
      MONGODB_DB_NAME: `e2e_shutdown_${process.pid}`,
      FALLBACK_JOURNAL_PATH: ':memory:',
      FALLBACK_OPERATION_TIMEOUT_MS: '10000',
    });
    await service.waitFor('Listening on', START_TIMEOUT_MS);
    await waitUntil(
      async () => (await service.request('GET', '/api/schools?limit=1')).headers.get('x-data-source') === 'database',
      10_000,
      'answers from the database',
    );
  });

  afterAll(async () => {
    await service?.kill9();
    await proxy?.close();
  });

  it('answers the request, then exits within about 2 s', async () => {
    // Every chunk to and from the database now takes 100 ms: the request is still waiting for its
    // answer when the signal comes (150 ms later). Slower, and the heartbeat would rightly take the database for
    // stalled (a ping unanswered 300 ms while nothing else is answered).
    proxy.delay(100);
    const headers = await authorizationFor(ADMIN);
    let answeredAt = 0;
    const inFlight = fetch(`${service.baseUrl}/api/schools?limit=5`, { headers }).then(async (response) => {
      const body = (await response.json()) as { total?: number };
      answeredAt = Date.now();
      return { status: response.status, source: response.headers.get('x-data-source'), body };
    });
    await new Promise((resolve) => setTimeout(resolve, 150));

    const signalledAt = Date.now();
    const { exitMs, signal } = await terminate(service);
    const answer = await inFlight;

    expect(answer).toEqual({ status: 200, source: 'database', body: expect.objectContaining({ total: 0 }) });
    expect(answeredAt).toBeGreaterThan(signalledAt);
    expect(exitMs).toBeLessThan(PROMPT_EXIT_MS);
    // Nest's shutdown hooks ran to their end and ended the process with the signal it received.
    expect(signal).toBe('SIGTERM');
    console.log(`answered ${answeredAt - signalledAt} ms after SIGTERM, exited after ${exitMs} ms`);
  });
});

describe('SIGTERM with no open request, on the embedded database', () => {
  let dataDir: string;
  let service: ServiceProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'shutdown-embedded-'));
    service = spawnService({
      PORT: String(await freePort()),
      EMBEDDED_MONGO: 'ferretdb',
      EMBEDDED_MONGO_DATA_DIR: dataDir,
      FALLBACK_JOURNAL_PATH: ':memory:',
    });
    await service.waitFor('Listening on', START_TIMEOUT_MS);
    // A request answered beforehand leaves an idle keep-alive connection open.
    expect((await service.request('GET', '/api/schools?limit=1')).status).toBe(200);
  });

  afterAll(async () => {
    await service?.kill9();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits within about 2 s, its embedded database stopped', async () => {
    const ferretdbPort = /FerretDB listening on mongodb:\/\/127\.0\.0\.1:(\d+)/.exec(service.output())?.[1];
    expect(ferretdbPort).toBeDefined();

    const { exitMs, signal } = await terminate(service);

    expect(exitMs).toBeLessThan(PROMPT_EXIT_MS);
    expect(signal).toBe('SIGTERM');
    const refused = await fetch(`http://127.0.0.1:${ferretdbPort}/`).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);
    console.log(`exited after ${exitMs} ms`);
  });
});
