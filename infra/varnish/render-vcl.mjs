// Renders the per-run settings of the edge cache (the app instances with their health probe, PURGE allow-list,
// grace) into edge-settings.vcl, which infra/varnish/default.vcl includes next to the shared logic in
// edge-instances.vcl and school-cache.vcl. Used by scripts/start-edge.mjs, test/support/varnish.ts and the bench.
import { mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** infra/varnish: default.vcl and school-cache.vcl. */
export const VARNISH_DIR = dirname(fileURLToPath(import.meta.url));

/** The static entry point; its includes are found through `vcl_path`. */
export const DEFAULT_VCL = join(VARNISH_DIR, 'default.vcl');

export const SETTINGS_FILE_NAME = 'edge-settings.vcl';

export const DEFAULT_PURGE_ALLOW = ['127.0.0.1', '::1'];
export const DEFAULT_GRACE_SECONDS = 3600;
/** How often each instance's /health/ready is probed; an instance failing one probe leaves the rotation. */
export const DEFAULT_PROBE_INTERVAL_MS = 1000;

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function checkHost(value, what) {
  const host = String(value).replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) === 0 && !HOST_NAME.test(host))
    throw new Error(`${what}: "${value}" is not an IP address or host name`);
  return host;
}

function checkInteger(value, what, min, max) {
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new Error(`${what}: "${value}" is not a whole number from ${min} to ${max}`);
  }
  return number;
}

/** One ACL entry: an address, an address/prefix (CIDR) or a host name (resolved when the VCL loads). */
function aclEntry(entry) {
  const text = String(entry).trim();
  const match = /^(.+?)(?:\/(\d{1,3}))?$/.exec(text);
  const host = match ? checkHost(match[1], 'EDGE_PURGE_ALLOW') : '';
  if (match?.[2] === undefined) return `    "${host}";`;
  const family = isIP(host);
  if (family === 0) throw new Error(`EDGE_PURGE_ALLOW: "${text}": a prefix length needs an IP address`);
  const prefix = checkInteger(match[2], 'EDGE_PURGE_ALLOW prefix', 0, family === 4 ? 32 : 128);
  return `    "${host}"/${prefix};`;
}

/**
 * Parses `host:port` entries (EDGE_BACKENDS): `127.0.0.1:3000`, `app-2:3000`, `[::1]:3000`.
 * @returns {{ host: string; port: number }[]}
 */
export function parseBackends(value) {
  return parseList(value).map((entry) => {
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (!match) throw new Error(`EDGE_BACKENDS: "${entry}" is not host:port`);
    return { host: checkHost(match[1], 'EDGE_BACKENDS'), port: checkInteger(match[2], 'EDGE_BACKENDS port', 1, 65535) };
  });
}

/** Splits a comma- or space-separated list (EDGE_PURGE_ALLOW). */
export function parseList(value) {
  return String(value ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

/** The backend declarations, the director over them and `sub edge_other_backend` (see edge-instances.vcl). */
function renderBackends(backends, probeIntervalMs) {
  const interval = checkInteger(probeIntervalMs, 'probe interval (ms)', 100, 60_000);
  // A probe answer must come within the interval (at most 2 s), so a hung instance leaves as fast as a dead one.
  const timeout = Math.min(interval, 2000);
  const names = backends.map((_, index) => `app${index + 1}`);
  const lines = [
    "# Each instance's readiness: one failed probe takes it out of the rotation (window = threshold), three good",
    '# ones in a row bring it back; it starts healthy (a dead instance fails its first probe within the interval,',
    '# and requests that meet it meanwhile are retried on another one: edge-instances.vcl).',
    'probe edge_ready {',
    '    .url = "/health/ready";',
    `    .interval = ${interval}ms;`,
    `    .timeout = ${timeout}ms;`,
    '    .window = 3;',
    '    .threshold = 3;',
    '    .initial = 3;',
    '}',
    '',
  ];
  backends.forEach(({ host, port }, index) => {
    lines.push(
      `backend ${names[index]} {`,
      `    .host = "${checkHost(host, 'backend host')}";`,
      `    .port = "${checkInteger(port, 'backend port', 1, 65535)}";`,
      '    .probe = edge_ready;',
      '    .connect_timeout = 2s;',
      '    .first_byte_timeout = 60s;',
      '    .between_bytes_timeout = 30s;',
      '}',
      '',
    );
  });
  lines.push(
    '# edge_backends: every instance in turn (the healthy ones). edge_after_<name>: the healthy instances after',
    '# <name>, in order, <name> last: where a request that <name> failed is retried.',
    'sub vcl_init {',
    '    new edge_backends = directors.round_robin();',
    ...names.map((name) => `    edge_backends.add_backend(${name});`),
  );
  names.forEach((name, index) => {
    const order = [...names.slice(index + 1), ...names.slice(0, index + 1)];
    lines.push(
      `    new edge_after_${name} = directors.fallback();`,
      ...order.map((other) => `    edge_after_${name}.add_backend(${other});`),
    );
  });
  lines.push('}', '', 'sub edge_other_backend {');
  names.forEach((name, index) => {
    lines.push(
      `    ${index === 0 ? 'if' : '} elsif'} (beresp.backend == ${name}) {`,
      `        set bereq.backend = edge_after_${name}.backend();`,
    );
  });
  lines.push('    }', '}', '');
  return lines;
}

/**
 * The text of edge-settings.vcl: the instances (`backends`, or the one `backendHost`:`backendPort`), the PURGE
 * allow-list and the grace window.
 * @param {{ backends?: { host: string; port: number | string }[]; backendHost?: string; backendPort?: number | string; purgeAllow?: string[]; graceSeconds?: number | string; probeIntervalMs?: number | string }} settings
 */
export function renderEdgeSettings({
  backends,
  backendHost,
  backendPort,
  purgeAllow = DEFAULT_PURGE_ALLOW,
  graceSeconds = DEFAULT_GRACE_SECONDS,
  probeIntervalMs = DEFAULT_PROBE_INTERVAL_MS,
}) {
  const instances = backends?.length ? backends : [{ host: backendHost, port: backendPort }];
  const grace = checkInteger(graceSeconds, 'grace seconds', 0, 31_536_000);
  if (purgeAllow.length === 0)
    throw new Error('EDGE_PURGE_ALLOW: at least one address is needed (the app purges the edge)');
  return [
    '# Generated by infra/varnish/render-vcl.mjs: do not edit, it is rewritten at every start.',
    '',
    'import directors;',
    '',
    ...renderBackends(instances, probeIntervalMs),
    '# Clients allowed to send PURGE (the app instances).',
    'acl edge_purge_allow {',
    ...purgeAllow.map(aclEntry),
    '}',
    '',
    '# How long an expired object is still served while refreshed, or while the app is down.',
    'sub edge_set_grace {',
    `    set beresp.grace = ${grace}s;`,
    '}',
    '',
  ].join('\n');
}

/**
 * Writes edge-settings.vcl into `outDir` and returns what varnishd needs to load the configuration:
 * `-f vclFile -p vcl_path=vclPath`.
 * @returns {{ vclFile: string; vclPath: string; settingsFile: string }}
 */
export function writeEdgeVcl(outDir, settings) {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const settingsFile = join(dir, SETTINGS_FILE_NAME);
  writeFileSync(settingsFile, renderEdgeSettings(settings));
  // The generated file first, then infra/varnish, then Varnish's own directories.
  const vclPath = [dir, VARNISH_DIR, '/etc/varnish', '/usr/share/varnish/vcl'].join(':');
  return { vclFile: DEFAULT_VCL, vclPath, settingsFile };
}

/**
 * The varnishd command line (foreground, loopback) for a rendered configuration.
 * @param {{ listen: string; workdir: string; vclFile: string; vclPath: string; storage?: string; params?: Record<string, string> }} options
 */
export function varnishdArguments({ listen, workdir, vclFile, vclPath, storage = 'malloc,256m', params = {} }) {
  const args = ['-F', '-a', listen, '-f', vclFile, '-n', workdir, '-s', storage, '-p', `vcl_path=${vclPath}`];
  // Only WebSockets (GraphQL subscriptions) are piped: an idle subscription must not be cut after
  // Varnish's default 60 s.
  const all = { pipe_timeout: '3600', ...params };
  for (const [name, value] of Object.entries(all)) args.push('-p', `${name}=${value}`);
  return args;
}
