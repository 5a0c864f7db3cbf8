// Runs Jest the way the project needs it: on Node 24, with ES-module support for NestJS 12's
// ESM-only packages, and with machine-readable results in test-results/jest.json for CI.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Node ${process.version} is too old: run through npm (npm test), which puts the project's Node 24 first on PATH.`,
  );
  process.exit(1);
}

mkdirSync('test-results', { recursive: true });
const jestBin = createRequire(import.meta.url).resolve('jest/bin/jest');
const result = spawnSync(
  process.execPath,
  [jestBin, '--json', '--outputFile=test-results/jest.json', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() },
  },
);
process.exit(result.status ?? 1);
