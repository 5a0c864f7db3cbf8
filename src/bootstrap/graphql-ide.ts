/**
 * Self-hosted GraphiQL IDE for `GET /graphql` that works without internet access.
 *
 * The GraphiQL page built into @nestjs/apollo loads its scripts from a CDN and therefore stays
 * on "Loading..." when the browser is offline. Instead, this module
 *
 *  - renders the IDE page from an Apollo Server landing-page plugin
 *    ({@link graphqlIdeLandingPagePlugin}), and
 *  - serves the four browser assets the page needs (GraphiQL bundle + stylesheet and the React 18
 *    UMD builds) from the service itself under {@link GRAPHQL_IDE_ASSETS_PREFIX}
 *    ({@link registerGraphqlIdeAssets}).
 *
 * Wiring:
 *
 * ```ts
 * // GraphQL module config: disable the built-in IDE and add exactly this landing page plugin
 * GraphQLModule.forRoot<ApolloDriverConfig>({
 *   driver: ApolloDriver,
 *   graphiql: false,
 *   plugins: [graphqlIdeLandingPagePlugin({ endpoint: '/graphql' })],
 *   ...
 * });
 *
 * // bootstrap: after NestFactory.create(), before app.init() / app.listen()
 * await registerGraphqlIdeAssets(app);
 * ```
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

import type { ApolloServerPlugin } from '@apollo/server' with {
  'resolution-mode': 'import',
};
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

const gzip = promisify(gzipCallback);

/** URL prefix (absolute path, with trailing slash) under which the IDE's browser assets are served. */
export const GRAPHQL_IDE_ASSETS_PREFIX = '/graphql-ide/';

/** Page title of the IDE. */
export const GRAPHQL_IDE_TITLE = 'School data — GraphQL IDE';

/** Query shown in the editor of a fresh IDE session. */
export const GRAPHQL_IDE_DEFAULT_QUERY = `# School data GraphQL API — run with Ctrl+Enter
{
  schools(limit: 5) {
    total
    items {
      id
      name
    }
  }
}
`;

interface IdeAsset {
  /** File name under {@link GRAPHQL_IDE_ASSETS_PREFIX}. */
  readonly name: string;
  /** Package that ships the file. */
  readonly packageName: string;
  /** Path of the file inside the package. */
  readonly file: string;
  readonly contentType: string;
}

/** The allow-list: the only files served under {@link GRAPHQL_IDE_ASSETS_PREFIX}. */
const IDE_ASSETS = {
  react: {
    name: 'react.production.min.js',
    packageName: 'react',
    file: 'umd/react.production.min.js',
    contentType: 'text/javascript; charset=utf-8',
  },
  reactDom: {
    name: 'react-dom.production.min.js',
    packageName: 'react-dom',
    file: 'umd/react-dom.production.min.js',
    contentType: 'text/javascript; charset=utf-8',
  },
  graphiqlJs: {
    name: 'graphiql.min.js',
    packageName: 'graphiql',
    file: 'graphiql.min.js',
    contentType: 'text/javascript; charset=utf-8',
  },
  graphiqlCss: {
    name: 'graphiql.min.css',
    packageName: 'graphiql',
    file: 'graphiql.min.css',
    contentType: 'text/css; charset=utf-8',
  },
} as const satisfies Record<string, IdeAsset>;

/** URL paths of the served assets (without the cache-busting query string). */
export const GRAPHQL_IDE_ASSET_PATHS: readonly string[] = Object.values(IDE_ASSETS).map(
  (asset) => GRAPHQL_IDE_ASSETS_PREFIX + asset.name,
);

/**
 * Directory of an installed package. Resolved through its package.json because `react` and
 * `react-dom` restrict deep imports with an `exports` map (their UMD files are not exported).
 */
function packageDir(packageName: string): string {
  return path.dirname(require.resolve(`${packageName}/package.json`));
}

function packageVersion(packageName: string): string {
  const manifest = JSON.parse(readFileSync(path.join(packageDir(packageName), 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : '0';
}

/** URL of an asset, with the shipping package's version as cache buster (assets are cached for a year). */
function assetUrl(asset: IdeAsset): string {
  return `${GRAPHQL_IDE_ASSETS_PREFIX}${asset.name}?v=${encodeURIComponent(packageVersion(asset.packageName))}`;
}

// The inline bootstrap script is a constant (the per-app settings live in a JSON data block, which
// a Content-Security-Policy does not treat as script), so the policy can allow it by hash.
const BOOTSTRAP_SCRIPT = `(function () {
  var config = JSON.parse(document.getElementById('graphql-ide-config').textContent);
  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();`;

/** CSP source expression allowing the IDE page's inline bootstrap script. */
export const GRAPHQL_IDE_INLINE_SCRIPT_HASH = `'sha256-${createHash('sha256').update(BOOTSTRAP_SCRIPT, 'utf8').digest('base64')}'`;

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON that is safe to embed in a `<script>` element (cannot close the element or open a comment). */
function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** `connect-src` sources: same origin, plus the endpoint's origin when it is an absolute URL. */
function connectSources(endpoint: string): string {
  const sources = ["'self'"];
  if (/^https?:\/\//i.test(endpoint)) {
    sources.push(new URL(endpoint).origin);
  }
  return sources.join(' ');
}

export interface GraphqlIdeOptions {
  /** URL (usually a path such as `/graphql`) the IDE POSTs its GraphQL requests to. */
  endpoint: string;
}

/** HTML of the IDE page. Exported for tests; normally served by {@link graphqlIdeLandingPagePlugin}. */
export function renderGraphqlIdePage(options: GraphqlIdeOptions): string {
  const config = {
    endpoint: options.endpoint,
    defaultQuery: GRAPHQL_IDE_DEFAULT_QUERY,
  };
  const csp = [
    "default-src 'none'",
    `script-src 'self' ${GRAPHQL_IDE_INLINE_SCRIPT_HASH}`,
    // GraphiQL and its editor set inline style attributes / elements.
    "style-src 'self' 'unsafe-inline'",
    // The stylesheet embeds its fonts and icons as data: URLs.
    "font-src 'self' data:",
    "img-src 'self' data:",
    `connect-src ${connectSources(options.endpoint)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}" />
    <title>${escapeHtml(GRAPHQL_IDE_TITLE)}</title>
    <link rel="stylesheet" href="${escapeHtml(assetUrl(IDE_ASSETS.graphiqlCss))}" />
    <style>
      html, body { height: 100%; margin: 0; overflow: hidden; }
      #graphiql { height: 100vh; }
    </style>
  </head>
  <body>
    <div id="graphiql">Loading the GraphQL IDE…</div>
    <script type="application/json" id="graphql-ide-config">${jsonForScriptElement(config)}</script>
    <script src="${escapeHtml(assetUrl(IDE_ASSETS.react))}"></script>
    <script src="${escapeHtml(assetUrl(IDE_ASSETS.reactDom))}"></script>
    <script src="${escapeHtml(assetUrl(IDE_ASSETS.graphiqlJs))}"></script>
    <script>${BOOTSTRAP_SCRIPT}</script>
  </body>
</html>
`;
}

/**
 * Apollo Server plugin rendering the self-hosted GraphiQL page as the landing page of the GraphQL
 * endpoint (a browser's `GET /graphql` with `Accept: text/html`).
 *
 * Use with `graphiql: false` in the GraphQL module config and no other landing-page plugin: Apollo
 * Server allows only one plugin implementing `renderLandingPage`. The browser assets must be
 * served by {@link registerGraphqlIdeAssets}.
 */
export function graphqlIdeLandingPagePlugin(options: GraphqlIdeOptions): ApolloServerPlugin {
  const html = renderGraphqlIdePage(options);
  return {
    serverWillStart() {
      return Promise.resolve({
        renderLandingPage: () => Promise.resolve({ html }),
      });
    },
  };
}

interface LoadedAsset {
  readonly contentType: string;
  readonly body: Buffer;
  readonly etag: string;
  gzipped?: Promise<Buffer>;
}

const CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * Serves the IDE's four browser assets (GraphiQL JS/CSS, React and ReactDOM UMD builds) under
 * {@link GRAPHQL_IDE_ASSETS_PREFIX} as plain Fastify routes; nothing else under the prefix is served.
 *
 * The files are located in the installed packages via `require.resolve`, read once here, and
 * answered with year-long immutable caching (the page references them with a version query
 * string), an ETag, and gzip compression when the client accepts it. Uses no Fastify decorators,
 * so it does not clash with @fastify/static registered by e.g. @nestjs/swagger.
 *
 * Call it on the Fastify-based Nest application after `NestFactory.create()` and before
 * `app.init()` / `app.listen()` (Fastify rejects new routes once it is ready). Routes are added
 * to the Fastify instance directly, so a Nest global prefix does not apply to them.
 */
export async function registerGraphqlIdeAssets(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();

  const loaded = await Promise.all(
    Object.values(IDE_ASSETS).map(async (asset): Promise<[string, LoadedAsset]> => {
      const body = await readFile(path.join(packageDir(asset.packageName), asset.file));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      return [GRAPHQL_IDE_ASSETS_PREFIX + asset.name, { contentType: asset.contentType, body, etag }];
    }),
  );

  for (const [url, asset] of loaded) {
    fastify.get(url, async (request, reply) => {
      void reply
        .header('Cache-Control', CACHE_CONTROL)
        .header('ETag', asset.etag)
        .header('Vary', 'Accept-Encoding')
        .header('X-Content-Type-Options', 'nosniff');

      const ifNoneMatch = request.headers['if-none-match'];
      if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(/\s*,\s*/).includes(asset.etag)) {
        return reply.code(304).send();
      }

      void reply.type(asset.contentType);
      const acceptEncoding = request.headers['accept-encoding'];
      if (typeof acceptEncoding === 'string' && /\bgzip\b/i.test(acceptEncoding)) {
        asset.gzipped ??= gzip(asset.body).catch((error: unknown) => {
          asset.gzipped = undefined; // retry on the next request
          throw error;
        });
        return reply.header('Content-Encoding', 'gzip').send(await asset.gzipped);
      }
      return reply.send(asset.body);
    });
  }
}
