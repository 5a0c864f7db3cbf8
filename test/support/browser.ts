import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`; `.ci/run` installs it). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

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

/**
 * `describe` when Chromium is installed, else `describe.skip` with a warning saying what is missing: browser suites
 * run wherever the machine has it.
 */
export function describeWithChromium(suite: string): jest.Describe {
  if (existsSync(CHROMIUM_PATH)) return describe;
  console.warn(`SKIPPED ${suite} e2e: ${CHROMIUM_PATH} is missing (install it with: apt-get install -y chromium)`);
  return describe.skip;
}

/** Headless Chromium, offline-minded (no background networking, no updates, no QUIC). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** True for requests that stay on the service under test (or never touch the network). */
export function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'data:' || protocol === 'blob:' || protocol === 'about:' || hostname === '127.0.0.1';
}
