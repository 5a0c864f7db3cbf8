/**
 * Proves that the GraphQL IDE at GET /graphql works in a browser with NO internet access: every
 * asset comes from the service itself.
 *
 * The app under test comes from `startAppUnderTest()` below. Until the real application factory
 * exists it boots a minimal Nest Fastify app with the IDE wired in exactly as the real app must do
 * it; replace its body with the real app factory (keeping the signature) to test the real app.
 */
import 'reflect-metadata';

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Args, Field, GraphQLModule, ID, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { chromium, type Browser, type Request } from 'playwright-core';

import {
  GRAPHQL_IDE_ASSETS_PREFIX,
  graphqlIdeLandingPagePlugin,
  registerGraphqlIdeAssets,
} from '../src/common/graphql-ide/graphql-ide';

// ---------------------------------------------------------------------------------------------
// App under test (to be replaced by the real app factory)
// ---------------------------------------------------------------------------------------------

@ObjectType('School')
class StubSchool {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;
}

@ObjectType('SchoolPage')
class StubSchoolPage {
  @Field(() => Int)
  total!: number;

  @Field(() => [StubSchool])
  items!: StubSchool[];
}

const STUB_SCHOOLS: StubSchool[] = [
  { id: 's1', name: 'Riverside Primary' },
  { id: 's2', name: 'Hilltop Academy' },
];

@Resolver()
class StubResolver {
  @Query(() => String)
  hello(): string {
    return 'world';
  }

  /** Mirrors the real `schools` query so the IDE's default query runs against the stub too. */
  @Query(() => StubSchoolPage)
  schools(@Args('limit', { type: () => Int, nullable: true }) limit?: number): StubSchoolPage {
    return {
      total: STUB_SCHOOLS.length,
      items: STUB_SCHOOLS.slice(0, limit ?? undefined),
    };
  }
}

@Module({
  imports: [
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      autoSchemaFile: true,
      graphiql: false,
      plugins: [graphqlIdeLandingPagePlugin({ endpoint: '/graphql' })],
    }),
  ],
  providers: [StubResolver],
})
class StubAppModule {}

async function startAppUnderTest(): Promise<{
  baseUrl: string;
  close(): Promise<void>;
}> {
  const app = await NestFactory.create<NestFastifyApplication>(StubAppModule, new FastifyAdapter(), {
    logger: false,
  });
  await registerGraphqlIdeAssets(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

// ---------------------------------------------------------------------------------------------

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Set to a file path to keep a screenshot of the rendered IDE (e.g. GRAPHQL_IDE_SCREENSHOT=/tmp/graphiql.png). */
const SCREENSHOT_PATH = process.env.GRAPHQL_IDE_SCREENSHOT;

const EXPECTED_ASSETS: ReadonlyArray<[file: string, contentType: RegExp]> = [
  ['graphiql.min.js', /^text\/javascript\b/],
  ['graphiql.min.css', /^text\/css\b/],
  ['react.production.min.js', /^text\/javascript\b/],
  ['react-dom.production.min.js', /^text\/javascript\b/],
];

const haveChromium = existsSync(CHROMIUM_PATH);
if (!haveChromium) {
  console.warn(`SKIPPED graphql-ide e2e: ${CHROMIUM_PATH} is missing (install it with: apt-get install -y chromium)`);
}
const describeWithChromium = haveChromium ? describe : describe.skip;

/** True for requests that stay on the service under test (or never touch the network). */
function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'data:' || protocol === 'blob:' || protocol === 'about:' || hostname === '127.0.0.1';
}

describeWithChromium(
  haveChromium ? 'GraphQL IDE works offline' : `GraphQL IDE works offline (skipped: ${CHROMIUM_PATH} missing)`,
  () => {
    let appUnderTest: { baseUrl: string; close(): Promise<void> };
    let browser: Browser | undefined;

    beforeAll(async () => {
      appUnderTest = await startAppUnderTest();
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: CHROMIUM_ARGS,
      });
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

    it.each(EXPECTED_ASSETS)('serves asset %s with the right content type', async (file, contentType) => {
      const res = await fetch(`${appUnderTest.baseUrl}${GRAPHQL_IDE_ASSETS_PREFIX}${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(contentType);
      expect(res.headers.get('cache-control')).toMatch(/max-age=\d{6,}/);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);

      const etag = res.headers.get('etag');
      if (etag) {
        const revalidated = await fetch(`${appUnderTest.baseUrl}${GRAPHQL_IDE_ASSETS_PREFIX}${file}`, {
          headers: { 'If-None-Match': etag },
        });
        expect(revalidated.status).toBe(304);
      }
    });

    it('serves nothing else under the assets prefix', async () => {
      for (const file of ['package.json', '../package.json', 'react.development.js', '']) {
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

        await page.locator('button.graphiql-execute-button').click();

        const responsePane = page.locator('.graphiql-response', {
          hasText: '"schools"',
        });
        await responsePane.waitFor({ state: 'visible', timeout: 20_000 });
        const resultText = await page.locator('.graphiql-response').innerText();
        expect(resultText).toContain('"data"');
        expect(resultText).toContain('"total"');
        expect(resultText).toContain('"items"');
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
  },
);
