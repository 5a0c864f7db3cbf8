// How the service runs, read from the `start` script of package.json (`[VAR=value ...] node <options>
// dist/main.js`), so that every other way of starting it (npm run start:edge, the benchmark) runs it exactly as
// `npm start` does.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function startCommand() {
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts?.start ?? '';
  const words = start.trim().split(/\s+/);
  const node = words.indexOf('node');
  const main = words.indexOf('dist/main.js');
  const variables = words.slice(0, Math.max(node, 0));
  const options = words.slice(node + 1, main);
  if (
    node === -1 ||
    main === -1 ||
    !variables.every((word) => /^[A-Z_][A-Z0-9_]*=\S*$/.test(word)) ||
    !options.every((word) => word.startsWith('--'))
  ) {
    throw new Error(`package.json: the start script is not "[VAR=value ...] node [--options] dist/main.js": ${start}`);
  }
  return { variables, options };
}

/** The options between `node` and `dist/main.js` in `npm start`, e.g. ['--max-old-space-size=256']. */
export function serviceNodeArgs() {
  return startCommand().options;
}

/** The environment variables `npm start` sets for the process, e.g. { MALLOC_ARENA_MAX: '2' }. */
export function serviceEnvironment() {
  return Object.fromEntries(
    startCommand().variables.map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]),
  );
}
