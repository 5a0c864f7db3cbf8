import { FerretdbServer } from '../../src/database/ferretdb-server';

/** A FerretDB process of the test's own, to kill, hang and restart without disturbing other suites. */
export async function startFaultDatabase(): Promise<FerretdbServer> {
  return FerretdbServer.start();
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns the elapsed milliseconds. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
