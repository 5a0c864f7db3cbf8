import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createApp } from './create-app';
import { loadAppConfig } from '../config/app-config';
import { SCHEMA_FILE } from './graphql-options';

/**
 * `npm run schema:write`: rewrites schema.gql from the code, as `npm start` does in development, without a
 * database. The service is built and initialised exactly as it serves (so the file is the served schema),
 * pointed at a database that is never there and with a scratch journal; nothing listens.
 */
async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'schema-write-'));
  try {
    const config = loadAppConfig({
      NODE_ENV: 'development',
      MONGODB_URI: 'mongodb://127.0.0.1:1/schema-write',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '100',
      FALLBACK_JOURNAL_PATH: join(scratch, 'journal.sqlite'),
      LOG_LEVEL: 'fatal',
    });
    const app = await createApp(config);
    await app.init();
    await app.close();
    console.log(`schema:write: ${relative(process.cwd(), SCHEMA_FILE) || SCHEMA_FILE} written`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`schema:write: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
