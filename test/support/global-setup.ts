import { FerretdbServer } from '../../src/database/ferretdb-server';

declare global {
  var ferretdbForTests: FerretdbServer | undefined;
}

/**
 * Starts one real FerretDB process for the e2e suites; each suite uses its own database in it.
 * TEST_MONGODB_URI points the suites at an existing server instead.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_MONGODB_URI) return;
  const server = await FerretdbServer.start({ log: (message) => console.log(`\n${message}`) });
  globalThis.ferretdbForTests = server;
  process.env.TEST_MONGODB_URI = server.uri;
}
