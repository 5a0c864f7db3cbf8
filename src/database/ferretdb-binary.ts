import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { serviceCacheDirectory } from './cache-directory';

export const FERRETDB_VERSION = 'v1.24.2';

const projectRoot = resolve(__dirname, '..', '..');
const wrapperDir = join(projectRoot, 'tools', 'ferretdb');

function cacheDir(): string {
  return process.env.FERRETDB_CACHE_DIR || serviceCacheDirectory();
}

/** The binary's name carries a hash of the wrapper sources, so a changed wrapper is rebuilt, never reused stale. */
function cachedBinaryPath(): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(join(wrapperDir, file)));
  return join(cacheDir(), `ferretdb-${FERRETDB_VERSION}-${hash.digest('hex').slice(0, 12)}`);
}

function findGo(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'go'))) return join(dir, 'go');
  }
  return existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined;
}

export class FerretdbUnavailableError extends Error {}

/**
 * Returns the path of a FerretDB binary: `FERRETDB_BIN` if set, else the cached build,
 * else builds the wrapper module in tools/ferretdb with Go (once; a few minutes) into the cache.
 */
export async function resolveFerretdbBinary(log: (message: string) => void = () => undefined): Promise<string> {
  if (process.env.FERRETDB_BIN) return process.env.FERRETDB_BIN;
  const target = cachedBinaryPath();
  if (existsSync(target)) return target;

  const go = findGo();
  if (!go) {
    throw new FerretdbUnavailableError(`no FerretDB binary at ${target} and no Go toolchain to build it`);
  }
  log(`Building FerretDB ${FERRETDB_VERSION} into ${target} (first run only, takes a few minutes)`);
  mkdirSync(cacheDir(), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  try {
    await promisify(execFile)(go, ['build', '-trimpath', '-o', partial, '.'], {
      cwd: wrapperDir,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    throw new FerretdbUnavailableError(`building FerretDB failed: ${(error as Error).message}`);
  }
  renameSync(partial, target);
  return target;
}
