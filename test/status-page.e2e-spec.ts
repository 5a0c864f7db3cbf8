import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ConnectionStates, type Types } from 'mongoose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { FerretdbServer } from '../src/database/ferretdb-server';
import { seedDemoData } from '../src/demo-data/demo-data';
import { describeWithChromium, isLocal, launchChromium } from './support/browser';
import { startFaultDatabase, waitUntil } from './support/fault-database';
import { backupWorld, demoWorld, readFixture } from './support/school-world';
import { startTestApp, type TestApp } from './support/test-app';
import { mintTestToken } from './support/tokens';

// Jest does not apply a project's testTimeout to its tests; these wait for outages, recoveries and a replay.
jest.setTimeout(60_000);

/**
 * The operators' status page (GET /status) in headless Chromium, offline, against the whole service and a FerretDB of
 * the suite's own: it asks for an admin's token, follows a real outage (SIGSTOP, SIGCONT) and a drill, charts the
 * answers by source, and lists the journal entry the replay refused.
 */

/** Where CI keeps the screenshot of the degraded page. */
const DEGRADED_SCREENSHOT = path.join('test-results', 'status-page-degraded.png');
/** Set to a file path to keep a screenshot of the page during a drill (the README's: docs/status-page.png). */
const DRILL_SCREENSHOT = process.env.STATUS_PAGE_SCREENSHOT;

const world = demoWorld();
const { own } = world;
/** A school only the backup data knows, and a subject of it: a teacher hired into it in an outage fails at replay. */
const backupOnlySchool = backupWorld().own.school;
const backupSubject = readFixture('subject/persistence/fixtures/subjects.json').find(
  (subject: { _id: Types.ObjectId }) => subject._id.toHexString() === backupWorld().own.subject,
).code as string;

const SETTINGS = {
  FALLBACK_OPERATION_TIMEOUT_MS: '1000',
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
};

describeWithChromium('status page')('The status page', () => {
  let database: FerretdbServer;
  let sut: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const offHost: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    database = await startFaultDatabase();
    sut = await startTestApp({ env: { MONGODB_URI: database.uri, ...SETTINGS }, seed: false });
    // On a busy machine the service may listen before it has connected to the fresh server (it retries).
    await waitUntil(
      () => Promise.resolve(sut.connection.readyState === ConnectionStates.connected && !!sut.connection.db),
      20_000,
      'a connection',
    );
    await seedDemoData(sut.connection.db!);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // No internet: anything but the service is refused (and noted).
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (isLocal(url)) return route.continue();
      offHost.push(url);
      return route.abort('internetdisconnected');
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // The browser logs refused requests (the non-admin's 403) as errors; those are expected.
      if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    database?.resume();
    await context?.close();
    await browser?.close();
    await sut?.close().catch(() => undefined);
    await database?.stop();
  });

  afterEach(() => {
    expect(offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  const mode = () => page.locator('#mode');

  it('holds no data: its data are for admins only', async () => {
    const html = await fetch(`${sut.baseUrl}/status`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('content-security-policy')).toContain("script-src 'self'");
    const anonymous = await sut.as({ role: 'anonymous' });
    const headmaster = await sut.as(world.callers.headmaster);
    expect((await anonymous.request('GET', '/api/admin/status')).status).toBe(401);
    expect((await headmaster.request('GET', '/api/admin/status')).status).toBe(403);
    const report = await sut.request('GET', '/api/admin/status');
    expect(report.status).toBe(200);
    expect(report.body.health.mode).toBe('normal');
    expect(report.body.answers.counts.database).toHaveLength(900);
    // Nothing else of the folders the page's assets come from.
    for (const file of ['status.html', 'package.json', 'uPlot.esm.js', '../status.html']) {
      expect((await fetch(`${sut.baseUrl}/status/assets/${file}`)).status).toBe(404);
    }
  });

  it("asks for a token, refuses a non-admin's, and opens with an admin's for the rest of the tab", async () => {
    await page.goto(`${sut.baseUrl}/status`);
    await page.locator('#token-form').waitFor({ state: 'visible' });
    expect(await page.locator('#dashboard').isHidden()).toBe(true);

    await page.fill('#token', await mintTestToken({ role: 'headmaster', schoolId: own.school }));
    await page.click('#token-form button[type=submit]');
    await page.locator('#token-error', { hasText: "not an admin's" }).waitFor();
    expect(await page.locator('#dashboard').isHidden()).toBe(true);

    await page.fill('#token', await mintTestToken({ role: 'admin', sub: 'status-page-admin' }));
    await page.click('#token-form button[type=submit]');
    await page.locator('#mode', { hasText: 'normal' }).waitFor();
    expect(await page.locator('#token-form').isHidden()).toBe(true);
    expect(await page.locator('#breaker').textContent()).toBe('closed');

    // Kept for the tab: a reload does not ask again.
    await page.reload();
    await page.locator('#mode', { hasText: 'normal' }).waitFor();
    expect(await page.locator('#token-form').isHidden()).toBe(true);
  });

  it('shows the service degraded within seconds of the database hanging (SIGSTOP), and normal once it answers', async () => {
    // Answered by the database, and remembered for the outage.
    for (let i = 0; i < 5; i++) {
      expect((await sut.request('GET', `/api/schools/${own.school}`)).headers.get('x-data-source')).toBe('database');
    }

    database.pause();
    const stopped = Date.now();
    await mode().filter({ hasText: 'degraded' }).waitFor({ timeout: 10_000 });
    expect(Date.now() - stopped).toBeLessThan(8_000);

    // Users get what the database last said, and backup data where it said nothing; a write is journalled.
    const stale = await sut.request('GET', `/api/schools/${own.school}`);
    expect(stale.headers.get('x-data-source')).toBe('stale');
    const fallback = await sut.request('GET', `/api/schools/${backupOnlySchool}`);
    expect(fallback.headers.get('x-data-source')).toBe('fallback');
    const hired = await sut.request('POST', '/api/teachers', {
      firstName: 'Statushire',
      lastName: 'Page',
      email: 'statushire.page@example.org',
      phone: '+1 555 0160',
      schoolId: backupOnlySchool,
      subjects: [backupSubject],
    });
    expect(hired.status).toBe(202);

    await page.locator('#journal-counts li[data-key=pending]', { hasText: 'pending: 1' }).waitFor();
    expect(await page.locator('#reason').textContent()).not.toBe('—');
    expect(await page.locator('#since').textContent()).toMatch(/ago\)$/);
    await mkdir(path.dirname(DEGRADED_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: DEGRADED_SCREENSHOT, fullPage: true });

    database.resume();
    await mode().filter({ hasText: 'normal' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#breaker').textContent()).toBe('closed');

    // The replay refused the hire: the page lists it with the rule and the field.
    const refusedHire = page.locator('#journal-entries tbody tr', { hasText: hired.body.id as string });
    await refusedHire.waitFor({ timeout: 15_000 });
    const cells = await refusedHire.locator('td').allTextContents();
    expect(cells.slice(1, 5)).toEqual(['failed', 'teachers', 'insert', hired.body.id]);
    expect(cells[5]).toBe(`BAD_USER_INPUT (schoolId): schoolId ${backupOnlySchool} is not a known school`);
    await page.locator('#journal-counts li[data-key=failed]', { hasText: 'failed: 1' }).waitFor();
  });

  it('charts the answers of each source that answered, per second, with their latency', async () => {
    // The outage's seconds are complete by now; the chart shows up to the last complete second.
    await page.waitForTimeout(1_500);
    const charted = await page.evaluate(() => {
      const chart = (globalThis as any).statusPage.answersChart;
      const latency = (globalThis as any).statusPage.latencyChart;
      const sum = (values: (number | null)[]) => values.reduce<number>((total, value) => total + (value ?? 0), 0);
      return {
        labels: chart.series.slice(1).map((series: { label: string }) => series.label.split(' ')[0]),
        totals: chart.data.slice(1).map(sum),
        points: chart.data[0].length,
        p99Points: latency.data[2].filter((value: number | null) => value !== null).length,
      };
    });
    expect(charted.points).toBe(900);
    const bySource = Object.fromEntries(
      charted.labels.map((label: string, index: number) => [label, charted.totals[index]]),
    );
    expect(bySource.database).toBeGreaterThanOrEqual(5);
    expect(bySource.stale).toBeGreaterThanOrEqual(1);
    expect(bySource.fallback).toBeGreaterThanOrEqual(2);
    expect(charted.p99Points).toBeGreaterThan(0);
    for (const source of ['database', 'stale', 'fallback']) {
      const total = await page.locator(`#answer-totals li[data-key=${source}]`).textContent();
      expect(Number(total!.split(': ')[1])).toBe(bySource[source]);
    }
    // The page's own reads (/api/admin/status) are not answers to users: the chart does not count them.
    const report = await sut.request('GET', '/api/admin/status');
    const counted = Object.values(report.body.answers.counts as Record<string, number[]>)
      .flat()
      .reduce((total, count) => total + count, 0);
    expect(counted).toBeLessThan(30);
  });

  it('starts and stops a drill from its switch, after a confirmation', async () => {
    await mode().filter({ hasText: 'normal' }).waitFor();

    // Dismissed: nothing happens.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.click('#drill-toggle');
    await page.waitForTimeout(1_500);
    expect(await mode().textContent()).toBe('normal');
    expect((await sut.request('GET', '/api/admin/fallback')).body.drill).toBe(false);

    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await page.click('#drill-toggle');
    await mode().filter({ hasText: 'degraded' }).waitFor({ timeout: 5_000 });
    expect(question).toMatch(/^Start a drill\?/);
    expect(await page.locator('#drill-badge').isVisible()).toBe(true);
    expect(await page.locator('#breaker').textContent()).toBe('isolated');
    expect(await page.locator('#drill-toggle').textContent()).toBe('Stop drill');
    expect((await sut.request('GET', `/api/schools/${own.school}`)).headers.get('x-data-source')).toBe('stale');

    if (DRILL_SCREENSHOT) {
      // Some seconds of users' reads in the drill: remembered (stale) and backup data (fallback).
      await page.selectOption('#window', '60');
      for (let i = 0; i < 60; i++) {
        await sut.request('GET', `/api/schools/${i % 3 ? own.school : backupOnlySchool}`);
        await page.waitForTimeout(100);
      }
      await page.waitForTimeout(1_500);
      await mkdir(path.dirname(DRILL_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: DRILL_SCREENSHOT, fullPage: true });
    }

    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await page.click('#drill-toggle');
    await mode().filter({ hasText: 'normal' }).waitFor({ timeout: 5_000 });
    expect(question).toMatch(/^Stop the drill\?/);
    expect(await page.locator('#drill-badge').isHidden()).toBe(true);
    await waitUntil(
      async () => (await sut.request('GET', `/api/schools/${own.school}`)).headers.get('x-data-source') === 'database',
      5_000,
      'answers from the database again',
    );
  });
});
