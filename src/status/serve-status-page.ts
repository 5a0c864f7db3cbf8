import { readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyCompress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export const STATUS_PAGE_PATH = '/status';
/** URL prefix of the page's assets: its own script and stylesheet, and uPlot's. */
export const STATUS_ASSETS_PREFIX = '/status/assets/';

const PAGE_DIR = path.join(__dirname, 'page');
const UPLOT_DIST = path.join(path.dirname(require.resolve('uplot/package.json')), 'dist');

/** The allow-list: the only files served under STATUS_ASSETS_PREFIX, by name, with their folder and type. */
const ASSETS = new Map<string, { folder: string; contentType: string }>([
  ['status-page.js', { folder: PAGE_DIR, contentType: 'text/javascript; charset=utf-8' }],
  ['status-page.css', { folder: PAGE_DIR, contentType: 'text/css; charset=utf-8' }],
  ['uPlot.iife.min.js', { folder: UPLOT_DIST, contentType: 'text/javascript; charset=utf-8' }],
  ['uPlot.min.css', { folder: UPLOT_DIST, contentType: 'text/css; charset=utf-8' }],
]);

/**
 * Serves the operators' status page at GET /status and its assets, all from the service (no CDN: it works offline).
 * The page holds no data: it asks for an admin's token and reads GET /api/admin/status with it. Assets are
 * revalidated by ETag on every load (they change with the service, and are small). Call before `app.init()`.
 */
export async function registerStatusPage(app: NestFastifyApplication): Promise<void> {
  const html = readFileSync(path.join(PAGE_DIR, 'status.html'), 'utf8');
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get(STATUS_PAGE_PATH, (_request, reply) => {
    void reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(html);
  });
  await fastify.register(async (assets) => {
    await assets.register(fastifyCompress);
    await assets.register(fastifyStatic, {
      root: [...new Set([...ASSETS.values()].map((asset) => asset.folder))],
      prefix: STATUS_ASSETS_PREFIX,
      decorateReply: false,
      allowedPath: (pathName) => ASSETS.has(pathName.replace(/^\//, '')),
      index: false,
      cacheControl: false,
      setHeaders: (reply, filePath) => {
        const asset = ASSETS.get(path.basename(filePath));
        if (asset) void reply.header('Content-Type', asset.contentType);
        void reply.header('Cache-Control', 'no-cache');
      },
    });
  });
}
