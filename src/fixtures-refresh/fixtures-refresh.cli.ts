import 'reflect-metadata';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import mongoose from 'mongoose';
import { registeredCollections } from '../bootstrap/app.module';
import type { CollectionRegistration } from '../common/persistence/collection-registration';
import { displayFixturePath } from '../fallback/fixtures/fixture-loader';
import { UnsafeFixtureError } from '../fallback/fixtures/fixture-safety';
import {
  databaseOfUri,
  parseRefreshArguments,
  redactUri,
  USAGE,
  UsageError,
  type RefreshArguments,
} from './refresh-arguments';
import { refreshFixtures, RefreshVerificationError, type RefreshResult } from './refresh';
import type { SampleSource, SourceRecord } from './sampler';
import { DEFAULT_SETTINGS, InvalidSettingsError, readRefreshSettings, type RefreshSettings } from './sanitize-config';

/** `npm run fixtures:refresh`: new backup data from a database; see CONTRIBUTING.md. */

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_SETTINGS_FILE = path.join(PROJECT_ROOT, 'fixtures.config.json');
const CONNECT_TIMEOUT_MS = 5000;

const HELP = `${USAGE}

Samples --per-collection records of the root collection (schools), the records that refer to them
(at most --per-parent per record and reference) and the records they refer to; sanitizes them,
gives them backup ids and writes src/<module>/persistence/fixtures/<collection>.json.

  --uri             the MongoDB to sample (required)
  --db              its database (default: the URI's, else MONGODB_DB_NAME, else schools)
  --per-collection  records of the root collection (default: perCollection in the settings, 5)
  --per-parent      most records referring to one sampled record (default: perParent, 8)
  --seed            another seed gives another sample and other invented values
  --root            the collection to sample first (default: the one most referred to)
  --config          the settings file (default: fixtures.config.json)
  --out-dir         write the files under this directory instead of the project
  --dry-run         write nothing, only say what would change`;

class MongoSampleSource implements SampleSource {
  constructor(private readonly db: mongoose.mongo.Db) {}

  async find(collection: string, filter: Record<string, unknown>, projection?: Record<string, 1>) {
    return this.db
      .collection(collection)
      .find(filter, { projection, sort: { _id: 1 } })
      .toArray() as Promise<SourceRecord[]>;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let args: RefreshArguments | 'help';
  try {
    args = parseRefreshArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`fixtures:refresh: ${error.message} (--help shows the options)`);
    return 2;
  }
  if (args === 'help') {
    console.log(HELP);
    return 0;
  }

  const settings = withArguments(loadSettings(args.config), args);
  const database = args.db ?? databaseOfUri(args.uri) ?? process.env.MONGODB_DB_NAME ?? 'schools';
  const client = new mongoose.mongo.MongoClient(args.uri, { serverSelectionTimeoutMS: CONNECT_TIMEOUT_MS });
  try {
    try {
      await client.connect();
    } catch (error) {
      throw new CommandError(`cannot reach ${redactUri(args.uri)}: ${messageOf(error)}`);
    }
    const result = await refreshFixtures(
      new MongoSampleSource(client.db(database)),
      registeredCollections(),
      settings,
      sourceFixtureFile,
    );
    if (!args.dryRun) write(result, args.outDir);
    printSummary(result, { database, settings, dryRun: args.dryRun, outDir: args.outDir });
    return 0;
  } finally {
    await client.close();
  }
}

function loadSettings(file: string | undefined): RefreshSettings {
  if (file === undefined && !existsSync(DEFAULT_SETTINGS_FILE)) return DEFAULT_SETTINGS;
  const settingsFile = file ?? DEFAULT_SETTINGS_FILE;
  if (!existsSync(settingsFile)) throw new CommandError(`the settings file ${settingsFile} does not exist`);
  return readRefreshSettings(settingsFile);
}

function withArguments(settings: RefreshSettings, args: RefreshArguments): RefreshSettings {
  return {
    ...settings,
    seed: args.seed ?? settings.seed,
    perCollection: args.perCollection ?? settings.perCollection,
    perParent: args.perParent ?? settings.perParent,
    root: args.root ?? settings.root,
  };
}

/** The fixture file in src/, also when the registration (compiled) names its copy in dist/. */
function sourceFixtureFile(registration: CollectionRegistration): string {
  const relative = path.relative(PROJECT_ROOT, registration.fixtureFile).split(path.sep);
  if (relative[0] === 'dist') relative[0] = 'src';
  return path.join(PROJECT_ROOT, ...relative);
}

function targetFile(file: string, outDir: string | undefined): string {
  return outDir === undefined ? file : path.resolve(outDir, path.relative(PROJECT_ROOT, file));
}

function write(result: RefreshResult, outDir: string | undefined): void {
  for (const { file, text, changes } of result.collections) {
    if (changes.identical && outDir === undefined) continue;
    const target = targetFile(file, outDir);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
}

function printSummary(
  result: RefreshResult,
  run: { database: string; settings: RefreshSettings; dryRun: boolean; outDir?: string },
): void {
  const { settings } = run;
  const ownPerParent = Object.entries(settings.collections).flatMap(([collection, { perParent }]) =>
    perParent === undefined ? [] : [`; ${collection}: ${perParent}`],
  );
  console.log(
    `Sampled ${settings.perCollection} ${result.root} from database ${run.database}, the records referring to them ` +
      `(at most ${settings.perParent} per record${ownPerParent.join('')}) and those they refer to; ` +
      `seed "${settings.seed}".`,
  );
  const shownFile = (file: string) =>
    run.outDir === undefined || run.dryRun ? displayFixturePath(file) : targetFile(file, run.outDir);
  const width = Math.max(...result.collections.map(({ collection }) => collection.length));
  const fileWidth = Math.max(...result.collections.map(({ file }) => shownFile(file).length));
  for (const { collection, file, text, changes } of result.collections) {
    const { before, after, added, removed, changed } = changes;
    const what = changes.identical
      ? 'unchanged'
      : `${run.dryRun ? 'would change' : 'changed'}: ${after} records (was ${before}), ` +
        `${added} added, ${removed} removed, ${changed} changed`;
    console.log(`  ${collection.padEnd(width)}  ${shownFile(file).padEnd(fileWidth)}  ${text === '' ? 'empty' : what}`);
  }
  for (const { collection, sanitized, droppedFields } of result.collections) {
    const fields = [...sanitized].filter(([, { rewritten }]) => rewritten > 0);
    if (fields.length > 0) {
      const list = fields.map(([field, { strategy, rewritten }]) => `${field} (${strategy}, ${rewritten})`);
      console.log(`Sanitized ${collection}: ${list.join(', ')}`);
    }
    for (const [field, count] of droppedFields) {
      console.log(`Left out ${collection}.${field} from ${count} record(s): the schema does not declare it`);
    }
  }
  for (const { collection, id, field, missingFrom } of result.droppedRecords) {
    console.log(`Left out ${collection} ${id}: its ${field} refers to no record in ${missingFrom}`);
  }
  if (run.dryRun) console.log('Dry run: nothing was written.');
}

class CommandError extends Error {}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const expected =
      error instanceof CommandError ||
      error instanceof InvalidSettingsError ||
      error instanceof UnsafeFixtureError ||
      error instanceof RefreshVerificationError;
    console.error(expected ? `fixtures:refresh: ${messageOf(error)}` : error);
    process.exitCode = 1;
  },
);
