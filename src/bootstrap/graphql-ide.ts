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
 *    ({@link registerGraphqlIdeAssets}, with @fastify/static and @fastify/compress).
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
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { ApolloServerPlugin } from '@apollo/server' with {
  'resolution-mode': 'import',
};
import fastifyCompress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

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
  /** Folder of the file inside the package. */
  readonly folder: string;
  readonly contentType: string;
}

/** The allow-list: the only files served under {@link GRAPHQL_IDE_ASSETS_PREFIX}. */
const IDE_ASSETS = {
  react: {
    name: 'react.production.min.js',
    packageName: 'react',
    folder: 'umd',
    contentType: 'text/javascript; charset=utf-8',
  },
  reactDom: {
    name: 'react-dom.production.min.js',
    packageName: 'react-dom',
    folder: 'umd',
    contentType: 'text/javascript; charset=utf-8',
  },
  graphiqlJs: {
    name: 'graphiql.min.js',
    packageName: 'graphiql',
    folder: '.',
    contentType: 'text/javascript; charset=utf-8',
  },
  graphiqlCss: {
    name: 'graphiql.min.css',
    packageName: 'graphiql',
    folder: '.',
    contentType: 'text/css; charset=utf-8',
  },
} as const satisfies Record<string, IdeAsset>;

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

/**
 * Serves the IDE's four browser assets (GraphiQL JS/CSS, React and ReactDOM UMD builds) under
 * {@link GRAPHQL_IDE_ASSETS_PREFIX} with @fastify/static, straight from the installed packages; its
 * allow-list lets nothing else in those folders out. They are cached for a year as immutable (the page
 * references them with the package version as query string), revalidated by ETag, and compressed by
 * @fastify/compress (graphiql.min.js is 3.5 MB, about 0.7 MB compressed) for clients that accept it.
 * Both plugins live in a context of their own, so they touch no other route; `decorateReply: false`
 * keeps @fastify/static from clashing with the instance @nestjs/swagger registers for /docs.
 *
 * Call it on the Fastify-based Nest application after `NestFactory.create()` and before
 * `app.init()` / `app.listen()`. The routes belong to the Fastify instance itself, so a Nest global
 * prefix does not apply to them.
 */
export async function registerGraphqlIdeAssets(app: NestFastifyApplication): Promise<void> {
  const byName = new Map<string, IdeAsset>(Object.values(IDE_ASSETS).map((asset) => [asset.name, asset]));
  const folders = [
    ...new Set(Object.values(IDE_ASSETS).map((asset) => path.join(packageDir(asset.packageName), asset.folder))),
  ];
  await app
    .getHttpAdapter()
    .getInstance()
    .register(async (ide) => {
      await ide.register(fastifyCompress);
      await ide.register(fastifyStatic, {
        root: folders,
        prefix: GRAPHQL_IDE_ASSETS_PREFIX,
        decorateReply: false,
        // Only the four files (the folders hold development builds and the packages' sources too).
        allowedPath: (pathName) => byName.has(pathName.replace(/^\//, '')),
        index: false,
        maxAge: '365d',
        immutable: true,
        // send's type for .js is application/javascript; browsers and the page expect text/javascript.
        setHeaders: (reply, filePath) => {
          const asset = byName.get(path.basename(filePath));
          if (asset) void reply.header('Content-Type', asset.contentType);
        },
      });
    });
}
