/**
 * Proves that the GraphQL IDE at GET /graphql works in a browser with NO internet access: every
 * asset comes from the service itself, and the IDE's default query runs against the real schema
 * and the real (demo) data.
 *
 * The app under test is the whole service, booted by `startAppUnderTest()` below through the shared
 * e2e harness (`startTestApp()`): real bootstrap, real GraphQL module, FerretDB seeded with the demo data.
 */
import 'reflect-metadata';

import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import type { Browser, Request } from 'playwright-core';

import { GRAPHQL_IDE_ASSETS_PREFIX, GRAPHQL_IDE_DEFAULT_QUERY } from '../src/bootstrap/graphql-ide';
import { generateDemoData } from '../src/demo-data/demo-data';
import { describeWithChromium, isLocal, launchChromium } from './support/browser';
import { startTestApp } from './support/test-app';

// ---------------------------------------------------------------------------------------------
// App under test: the real service
// ---------------------------------------------------------------------------------------------

async function startAppUnderTest(): Promise<{
  baseUrl: string;
  close(): Promise<void>;
}> {
  const app = await startTestApp();
  return { baseUrl: app.baseUrl, close: () => app.close() };
}

/** What the IDE's default query, `{ schools(limit: 5) { total items { id name } } }`, must answer. */
function expectedDefaultQueryResult() {
  const { schools } = generateDemoData();
  const firstFive = [...schools]
    .sort((a, b) => a._id.toHexString().localeCompare(b._id.toHexString()))
    .slice(0, 5)
    .map((school) => ({ id: school._id.toHexString(), name: school.name }));
  return { data: { schools: { total: schools.length, items: firstFive } } };
}

// ---------------------------------------------------------------------------------------------

/** Set to a file path to keep a screenshot of the rendered IDE (e.g. GRAPHQL_IDE_SCREENSHOT=/tmp/graphiql.png). */
const SCREENSHOT_PATH = process.env.GRAPHQL_IDE_SCREENSHOT;

const EXPECTED_ASSETS: ReadonlyArray<[file: string, contentType: RegExp]> = [
  ['graphiql.min.js', /^text\/javascript\b/],
  ['graphiql.min.css', /^text\/css\b/],
  ['react.production.min.js', /^text\/javascript\b/],
  ['react-dom.production.min.js', /^text\/javascript\b/],
];

describeWithChromium('graphql-ide')('GraphQL IDE works offline', () => {
  let appUnderTest: { baseUrl: string; close(): Promise<void> };
  let browser: Browser | undefined;

  beforeAll(async () => {
    appUnderTest = await startAppUnderTest();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await appUnderTest?.close();
  });

  it('serves the IDE page as the landing page of /graphql', async () => {
    const res = await fetch(`${appUnderTest.baseUrl}/graphql`, {
      headers: { Accept: 'text/html' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html\b/);
    const html = await res.text();
    expect(html).toContain('GraphQL IDE');
    // Every script and stylesheet is self-hosted under the assets prefix.
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs).toHaveLength(4);
    for (const ref of refs) {
      expect(ref.startsWith(GRAPHQL_IDE_ASSETS_PREFIX)).toBe(true);
    }
  });

  it('the default query of the IDE runs against the real schema', async () => {
    const res = await fetch(`${appUnderTest.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: GRAPHQL_IDE_DEFAULT_QUERY }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data?: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual(expectedDefaultQueryResult().data);
  });

  it.each(EXPECTED_ASSETS)('serves asset %s with the right content type', async (file, contentType) => {
    const res = await fetch(`${appUnderTest.baseUrl}${GRAPHQL_IDE_ASSETS_PREFIX}${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(contentType);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d{6,}/);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);

    const etag = res.headers.get('etag');
    if (etag) {
      // As a browser revalidates on reload; without a Cache-Control of its own, fetch adds `no-cache` to a
      // conditional request, which asks for the whole file again.
      const revalidated = await fetch(`${appUnderTest.baseUrl}${GRAPHQL_IDE_ASSETS_PREFIX}${file}`, {
        headers: { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' },
      });
      expect(revalidated.status).toBe(304);
    }
  });

  it('serves the versioned asset URLs of the page as immutable for a year, compressed when the client accepts it', async () => {
    const page = await (await fetch(`${appUnderTest.baseUrl}/graphql`, { headers: { Accept: 'text/html' } })).text();
    const refs = [...page.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    for (const ref of refs) {
      expect(ref).toMatch(/\?v=\d+\.\d+\.\d+$/);
      const res = await fetch(`${appUnderTest.baseUrl}${ref}`, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it('serves nothing else under the assets prefix', async () => {
    for (const file of [
      'package.json',
      '../package.json',
      'react.development.js',
      'README.md',
      'umd/react.production.min.js',
      '',
    ]) {
      const res = await fetch(`${appUnderTest.baseUrl}${GRAPHQL_IDE_ASSETS_PREFIX}${file}`);
      expect(res.status).toBe(404);
    }
  });

  it('renders GraphiQL in a browser without internet access and runs the default query', async () => {
    const context = await browser!.newContext({
      viewport: { width: 1400, height: 900 },
    });
    const page = await context.newPage();

    const allRequests: string[] = [];
    const blockedRequests: string[] = [];
    const failedRequests: string[] = [];
    const consoleErrors: string[] = [];

    // Simulate having no internet: everything except the service under test is aborted.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (isLocal(url)) {
        await route.continue();
      } else {
        blockedRequests.push(url);
        await route.abort('internetdisconnected');
      }
    });
    page.on('request', (request: Request) => allRequests.push(request.url()));
    page.on('requestfailed', (request: Request) =>
      failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`),
    );
    page.on('console', (message) => {
      if (message.type() === 'error') {
        consoleErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));

    try {
      // A browser navigation sends `Accept: text/html,...`, which makes Apollo render the landing page.
      const response = await page.goto(`${appUnderTest.baseUrl}/graphql`, {
        waitUntil: 'load',
      });
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-type']).toMatch(/^text\/html\b/);

      await page.locator('.graphiql-container').waitFor({ state: 'visible', timeout: 20_000 });
      const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
      await queryEditor.waitFor({ state: 'visible' });
      await page.locator('.graphiql-query-editor', { hasText: 'schools' }).waitFor();

      const expected = expectedDefaultQueryResult();
      const executed = page.waitForResponse(
        (candidate) =>
          candidate.url() === `${appUnderTest.baseUrl}/graphql` &&
          candidate.request().method() === 'POST' &&
          (candidate.request().postData() ?? '').includes('schools(limit: 5)'),
      );
      await page.locator('button.graphiql-execute-button').click();

      // The query the IDE sent is the default query, answered from the real schema and the demo data.
      const executedResponse = await executed;
      expect(executedResponse.status()).toBe(200);
      expect((executedResponse.request().postDataJSON() as { query: string }).query).toBe(GRAPHQL_IDE_DEFAULT_QUERY);
      const executedBody = (await executedResponse.json()) as { data?: unknown; errors?: unknown };
      expect(executedBody.errors).toBeUndefined();
      expect(executedBody.data).toEqual(expected.data);

      // And the IDE shows that answer.
      const responsePane = page.locator('.graphiql-response', {
        hasText: '"schools"',
      });
      await responsePane.waitFor({ state: 'visible', timeout: 20_000 });
      const resultText = await page.locator('.graphiql-response').innerText();
      expect(resultText).toContain('"data"');
      expect(resultText).toContain(`"total": ${expected.data.schools.total}`);
      expect(resultText).toContain('"items"');
      for (const school of expected.data.schools.items) {
        expect(resultText).toContain(`"id": "${school.id}"`);
        expect(resultText).toContain(`"name": ${JSON.stringify(school.name)}`);
      }
      expect(resultText).not.toContain('"errors"');

      if (SCREENSHOT_PATH) {
        await mkdir(path.dirname(SCREENSHOT_PATH), { recursive: true });
        await page.screenshot({ path: SCREENSHOT_PATH });
      }

      expect(blockedRequests).toEqual([]);
      expect(allRequests.filter((url) => !isLocal(url))).toEqual([]);
      expect(allRequests.some((url) => url.includes(GRAPHQL_IDE_ASSETS_PREFIX))).toBe(true);
      expect(failedRequests).toEqual([]);
      expect(consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
