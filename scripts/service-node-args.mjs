// The Node options the service runs with, read from the `start` script of package.json
// (`node <options> dist/main.js`), so that every other way of starting it (npm run start:edge,
// the benchmark) runs it exactly as `npm start` does.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The options between `node` and `dist/main.js` in `npm start`, e.g. ['--max-old-space-size=256']. */
export function serviceNodeArgs() {
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts?.start ?? '';
  const [command, ...rest] = start.trim().split(/\s+/);
  const main = rest.indexOf('dist/main.js');
  if (command !== 'node' || main === -1 || rest.slice(0, main).some((word) => !word.startsWith('--'))) {
    throw new Error(`package.json: the start script is not "node [--options] dist/main.js": ${start}`);
  }
  return rest.slice(0, main);
}
