import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { find } from 'mingo';
import mongoose, { type Schema } from 'mongoose';
import { registeredCollections } from '../bootstrap/app.module';
import { collectionNameOf, type CollectionRegistration } from '../common/persistence/collection-registration';
import { DEMO_EMAIL_DOMAIN, generateDemoData, type DemoData } from '../demo-data/demo-data';
import { loadFixtureText } from '../fallback/fixtures/fixture-loader';
import { UnsafeFixtureError } from '../fallback/fixtures/fixture-safety';
import { refreshFixtures, RefreshVerificationError } from './refresh';
import type { SampleSource, SourceRecord } from './sampler';
import { InvalidSettingsError, readRefreshSettings, type RefreshSettings } from './sanitize-config';

const PROJECT_SETTINGS = readRefreshSettings(path.resolve(__dirname, '..', '..', 'fixtures.config.json'));
const registeredNames = registeredCollections().map(collectionNameOf).join(', ');

/** The demo data in memory, answered by a MongoDB query engine; see sampler.spec.ts. */
function memorySource(data: Record<string, readonly object[]>): SampleSource {
  return {
    find: async (collection, filter, projection) =>
      Promise.resolve(
        (find([...(data[collection] ?? [])], filter, projection).all() as SourceRecord[]).sort((a, b) =>
          String(a._id).localeCompare(String(b._id)),
        ),
      ),
  };
}

describe(refreshFixtures.name, () => {
  const registrations = registeredCollections();
  const demo = generateDemoData();
  let directory: string;
  const fileOf = (registration: CollectionRegistration) =>
    path.join(directory, `${collectionNameOf(registration)}.json`);
  const refresh = (settings: RefreshSettings = PROJECT_SETTINGS, data: DemoData = demo) =>
    refreshFixtures(memorySource(data), registrations, settings, fileOf);
  const withFields = (
    collection: string,
    fields: RefreshSettings['collections'][string]['fields'],
  ): RefreshSettings => ({
    ...PROJECT_SETTINGS,
    collections: {
      ...PROJECT_SETTINGS.collections,
      [collection]: { ...PROJECT_SETTINGS.collections[collection], fields },
    },
  });

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'refresh-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('builds backup data for every registered collection that loads, with backup ids and nothing real in it', async () => {
    const result = await refresh();

    expect(result.root).toBe('schools');
    expect(result.collections.map(({ collection }) => collection)).toEqual(registrations.map(collectionNameOf));
    const demoIds = Object.values(demo).flatMap((records: { _id: mongoose.Types.ObjectId }[]) =>
      records.map((record) => record._id.toHexString()),
    );
    for (const { collection, registration, text, changes } of result.collections) {
      expect(changes).toMatchObject({ before: 0, added: changes.after, identical: false });
      const records = await loadFixtureText(text, `${collection}.json`, registration.model.schema as Schema);
      // A collection the demo data does not fill (a module just generated) gets an empty file.
      expect(records.length > 0).toBe(collection in demo);
      for (const record of records) expect(record._id.toHexString()).toMatch(/^fb/);
      expect(text).not.toContain(DEMO_EMAIL_DOMAIN);
      expect(text).not.toContain('+44');
      for (const id of demoIds) expect(text).not.toContain(id);
    }
  });

  it('gives the same texts for the same data and seed', async () => {
    const first = await refresh();
    const again = await refresh();
    expect(again.collections.map(({ text }) => text)).toEqual(first.collections.map(({ text }) => text));
  });

  it('compares with the current files', async () => {
    const first = await refresh();
    for (const { file, text } of first.collections) writeFileSync(file, text);
    const again = await refresh();
    for (const { changes } of again.collections) {
      expect(changes).toMatchObject({ identical: true, added: 0, removed: 0, changed: 0 });
    }
  });

  it('refuses to go on when a rule keeps a real e-mail, naming collection, record and field', async () => {
    const keepEmails = withFields('teachers', {
      ...PROJECT_SETTINGS.collections.teachers.fields,
      email: { strategy: 'keep' },
    });
    const error = await refresh(keepEmails).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(UnsafeFixtureError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Refusing to write .*teachers\\.json: collection teachers record 1 \\(_id fb2000000000000000000001\\): ` +
          `field email: "[a-z.-]+\\.\\d{3}@demo\\.school\\.test" is at demo\\.school\\.test, not at an example domain`,
      ),
    );
  });

  it('refuses backup data that would fail the schema-drift check', async () => {
    const brokenEmails = withFields('headmasters', {
      ...PROJECT_SETTINGS.collections.headmasters.fields,
      email: { strategy: 'email', template: '{nickname}' },
    });
    await expect(refresh(brokenEmails)).rejects.toThrow(
      new RegExp(
        '^Refusing to write: the new backup data fails the schema-drift check: headmasters: .*headmasters\\.json ' +
          'record 1 \\(_id fb1000000000000000000001\\): field email: email must be an e-mail address',
      ),
    );
    await expect(refresh(brokenEmails)).rejects.toBeInstanceOf(RefreshVerificationError);
  });

  it('refuses a database without records to sample', async () => {
    await expect(
      refresh(PROJECT_SETTINGS, { schools: [], headmasters: [], teachers: [], subjects: [] }),
    ).rejects.toThrow('the database has no schools to sample: nothing was written');
  });

  it('leaves out fields the schema does not declare, and says so', async () => {
    const withLegacy: DemoData = {
      ...demo,
      teachers: demo.teachers.map((teacher) => ({ ...teacher, legacyCode: 'T-1', address: { room: 'B2' } })),
    };
    const result = await refresh(PROJECT_SETTINGS, withLegacy);
    const teachers = result.collections.find(({ collection }) => collection === 'teachers')!;
    expect(teachers.text).not.toContain('legacyCode');
    const count = teachers.text.trimEnd().split('\n').length;
    expect([...teachers.droppedFields]).toEqual([
      ['legacyCode', count],
      ['address', count],
    ]);
  });

  it.each([
    [{ root: 'pupils' }, `root pupils is not a registered collection (${registeredNames})`],
    [
      { collections: { pupils: { fields: {} } } },
      `collections.pupils is not a registered collection (${registeredNames})`,
    ],
    [
      { collections: { schools: { fields: { 'address.house': { strategy: 'street' as const } } } } },
      'collections.schools.fields.address.house is not a field of the schools schema',
    ],
  ])('refuses settings %j that name what is not there', async (changes, message) => {
    await expect(refresh({ ...PROJECT_SETTINGS, ...changes })).rejects.toThrow(new InvalidSettingsError(message));
  });
});
