import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/bootstrap/create-app';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { seedDemoData } from '../../src/demo-data/demo-data';
import { ADMIN, authorizationFor, TEST_JWT_SECRET, type TestCaller } from './tokens';

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestClient {
  /** Sends a real HTTP request to the running service; JSON bodies are encoded and decoded. */
  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpResult<T>>;
  /** POSTs a GraphQL operation to /graphql. */
  graphql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<
    HttpResult<{
      data?: T;
      errors?: { message: string; extensions?: Record<string, any> }[];
      extensions?: Record<string, unknown>;
    }>
  >;
}

/** The service under test; its own `request` and `graphql` act as an admin. */
export interface TestApp extends TestClient {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  connection: Connection;
  /** A client that sends `caller`'s bearer token (none for anonymous). */
  as(caller: TestCaller): Promise<TestClient>;
  close(): Promise<void>;
}

/**
 * Starts the whole service on a free loopback port against the test database server
 * (TEST_MONGODB_URI, set by global-setup), in a database of its own.
 */
export async function startTestApp(
  options: { seed?: boolean; env?: Record<string, string>; overrides?: Partial<AppConfig> } = {},
): Promise<TestApp> {
  const uri = options.env?.MONGODB_URI ?? process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run the e2e tests through npm test');
  const config: AppConfig = {
    ...loadAppConfig({
      NODE_ENV: 'test',
      MONGODB_URI: uri,
      MONGODB_DB_NAME: `e2e_${randomBytes(6).toString('hex')}`,
      LOG_LEVEL: 'fatal',
      // Generous: a busy test machine must not turn a slow query into a fallback answer.
      // Fault tests set their own, short limit.
      FALLBACK_OPERATION_TIMEOUT_MS: '5000',
      FALLBACK_JOURNAL_PATH: join(mkdtempSync(join(tmpdir(), 'journal-')), 'journal.sqlite'),
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      // Tests send many requests from one address; the rate limit suite sets its own limits.
      RATE_LIMIT_PER_ADDRESS: '100000',
      RATE_LIMIT_PER_CREDENTIAL: '100000',
      // The outage suites expect backup data where nothing was read; test/snapshots.e2e-spec.ts turns snapshots on.
      FALLBACK_SNAPSHOT_COLLECTIONS: 'none',
      ...options.env,
    }),
    ...options.overrides,
  };
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (!address || typeof address !== 'object') throw new Error('the test app is not listening');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const connection = app.get<Connection>(getConnectionToken());
  if (options.seed ?? true) {
    // The service serves without a database after a short wait at start; on a busy machine a fresh database server
    // may take longer than that to accept the first connection, which the service then makes by itself.
    const connectedBy = Date.now() + 20_000;
    while (!connection.db && Date.now() < connectedBy) await new Promise((resolve) => setTimeout(resolve, 50));
    await seedDemoData(connection.db!);
  }

  const send = async <T>(
    credentials: Record<string, string>,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const ownAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
    const init: RequestInit = { method, headers: { ...(ownAuthorization ? {} : credentials), ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const response = await fetch(baseUrl + path, { ...init, signal: AbortSignal.timeout(20_000) });
    const text = await response.text();
    let parsed: unknown = text;
    if (response.headers.get('content-type')?.includes('json') && text) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  };

  const clientFor = (credentials: Record<string, string>): TestClient => ({
    request: (method, path, body, headers) => send(credentials, method, path, body, headers),
    graphql: (query, variables) => send(credentials, 'POST', '/graphql', { query, variables }),
  });

  return {
    app,
    config,
    baseUrl,
    connection,
    ...clientFor(await authorizationFor(ADMIN)),
    as: async (caller) => clientFor(await authorizationFor(caller)),
    close: async () => {
      await connection.dropDatabase().catch(() => undefined);
      await app.close();
    },
  };
}
