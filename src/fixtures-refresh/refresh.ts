import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Schema } from 'mongoose';
import { collectionNameOf, type CollectionRegistration } from '../common/persistence/collection-registration';
import { checkFixtureDrift } from '../fallback/fixtures/fixture-drift';
import type { CollectionReference } from '../common/persistence/schema-references';
import { displayFixturePath } from '../fallback/fixtures/fixture-loader';
import { collectionReferences } from '../common/persistence/schema-references';
import { findUnsafeValues, UnsafeFixtureError } from '../fallback/fixtures/fixture-safety';
import { assignBackupIds, backupIdPrefixes } from './backup-ids';
import { compareFixtureTexts, toFixtureText, type FixtureChanges } from './fixture-text';
import { sampleCollections, type DroppedRecord, type SampleSource } from './sampler';
import { InvalidSettingsError, type RefreshSettings } from './sanitize-config';
import { sanitizeRecords, type SanitizeReport } from './sanitizer';
import { dropUnknownFields, schemaHasField } from './schema-fields';

export interface RefreshedCollection {
  collection: string;
  registration: CollectionRegistration;
  /** Where the fixture file goes. */
  file: string;
  text: string;
  changes: FixtureChanges;
  sanitized: SanitizeReport;
  /** Fields in the database that the schema does not declare, with how many records had them. */
  droppedFields: Map<string, number>;
}

export interface RefreshResult {
  root: string;
  collections: RefreshedCollection[];
  droppedRecords: DroppedRecord[];
}

/** The refreshed backup data would not load, resolve or map: nothing is written. */
export class RefreshVerificationError extends Error {
  override readonly name = 'RefreshVerificationError';
}

/**
 * Builds new backup data for every registered collection from the database behind `source`:
 * sample along the references, drop fields the schemas no longer have, give every record a backup
 * id (references remapped), sanitize, then check the result with the safety check (no real e-mail,
 * phone or id) and the schema-drift check (the same as `npm test`). Writes nothing: the texts and
 * what they change come back, for the caller to write. `fileOf` says where each fixture file goes.
 */
export async function refreshFixtures(
  source: SampleSource,
  registrations: readonly CollectionRegistration[],
  settings: RefreshSettings,
  fileOf: (registration: CollectionRegistration) => string,
): Promise<RefreshResult> {
  const collections = registrations.map((registration) => ({
    registration,
    collection: collectionNameOf(registration),
    modelName: registration.model.name,
    schema: registration.model.schema as Schema,
  }));
  checkSettings(settings, collections);
  const references: CollectionReference[] = collectionReferences(collections);

  const sample = await sampleCollections(source, collections, references, {
    seed: settings.seed,
    root: settings.root,
    perCollection: settings.perCollection,
    perParent: settings.perParent,
    perParentOf: Object.fromEntries(
      Object.entries(settings.collections).flatMap(([collection, { perParent }]) =>
        perParent === undefined ? [] : [[collection, perParent === 'all' ? Infinity : perParent]],
      ),
    ),
  });

  if ((sample.records.get(sample.root) ?? []).length === 0) {
    throw new RefreshVerificationError(`the database has no ${sample.root} to sample: nothing was written`);
  }

  const droppedFields = new Map<string, Map<string, number>>();
  for (const { collection, schema } of collections) {
    const counts = new Map<string, number>();
    for (const record of sample.records.get(collection) ?? []) {
      for (const field of dropUnknownFields(schema, record)) counts.set(field, (counts.get(field) ?? 0) + 1);
    }
    droppedFields.set(collection, counts);
  }

  const prefixes = backupIdPrefixes(
    collections.map(({ collection }) => collection),
    Object.fromEntries(collections.map(({ collection }) => [collection, settings.collections[collection]?.idPrefix])),
  );
  const withBackupIds = assignBackupIds(sample.records, references, prefixes);

  const refreshed: RefreshedCollection[] = collections.map(({ registration, collection }) => {
    const originals = sample.records.get(collection) ?? [];
    const records = withBackupIds.get(collection) ?? [];
    const collectionSettings = settings.collections[collection];
    const sanitized = sanitizeRecords(
      records.map((record, index) => ({ originalId: idText(originals[index]._id), n: index + 1, record })),
      { seed: settings.seed, collection, entity: registration.entity, settings: collectionSettings },
    );
    const file = fileOf(registration);
    const phoneFields = new Set(
      Object.entries(collectionSettings?.fields ?? {})
        .filter(([, rule]) => rule.strategy === 'phone')
        .map(([field]) => field),
    );
    const unsafe = findUnsafeValues(records, { phoneFields });
    if (unsafe.length > 0) throw new UnsafeFixtureError(collection, displayFixturePath(file), unsafe);

    const text = toFixtureText(records);
    const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    return {
      collection,
      registration,
      file,
      text,
      changes: compareFixtureTexts(previous, text),
      sanitized,
      droppedFields: droppedFields.get(collection)!,
    };
  });

  await verify(refreshed);
  return { root: sample.root, collections: refreshed, droppedRecords: sample.dropped };
}

/** The schema-drift check on the new texts, written to a scratch directory first. */
async function verify(refreshed: readonly RefreshedCollection[]): Promise<void> {
  const directory = mkdtempSync(path.join(tmpdir(), 'fixtures-refresh-'));
  try {
    const copies = refreshed.map(({ registration, collection, text }) => {
      const fixtureFile = path.join(directory, `${collection}.json`);
      writeFileSync(fixtureFile, text);
      return { ...registration, fixtureFile };
    });
    const [problem, ...others] = await checkFixtureDrift(copies);
    if (problem === undefined) return;
    const target = refreshed.find(({ collection }) => collection === problem.collection)!;
    const message = problem.message.replace(problem.file, displayFixturePath(target.file));
    const more = others.length > 0 ? ` (and ${others.length} more problem${others.length === 1 ? '' : 's'})` : '';
    throw new RefreshVerificationError(
      `Refusing to write: the new backup data fails the schema-drift check: ${message}${more}`,
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function checkSettings(
  settings: RefreshSettings,
  collections: readonly { collection: string; schema: Schema }[],
): void {
  const names = collections.map(({ collection }) => collection);
  if (settings.root !== undefined && !names.includes(settings.root)) {
    throw new InvalidSettingsError(`root ${settings.root} is not a registered collection (${names.join(', ')})`);
  }
  for (const [collection, collectionSettings] of Object.entries(settings.collections)) {
    const schema = collections.find((candidate) => candidate.collection === collection)?.schema;
    if (schema === undefined) {
      throw new InvalidSettingsError(`collections.${collection} is not a registered collection (${names.join(', ')})`);
    }
    for (const field of Object.keys(collectionSettings.fields)) {
      if (!schemaHasField(schema, field)) {
        throw new InvalidSettingsError(
          `collections.${collection}.fields.${field} is not a field of the ${collection} schema`,
        );
      }
    }
  }
}

function idText(id: unknown): string {
  return id !== null && typeof id === 'object' && 'toHexString' in id
    ? (id as { toHexString(): string }).toHexString()
    : JSON.stringify(id);
}
