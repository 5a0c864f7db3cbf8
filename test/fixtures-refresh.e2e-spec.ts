import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import mongoose, { type Schema } from 'mongoose';
import { registeredCollections } from '../src/bootstrap/app.module';
import { collectionNameOf } from '../src/common/persistence/collection-registration';
import { generateDemoData, seedDemoData } from '../src/demo-data/demo-data';
import { checkFixtureDrift } from '../src/fallback/fixtures/fixture-drift';
import { loadFixtureFile } from '../src/fallback/fixtures/fixture-loader';
import { findUnsafeValues } from '../src/fallback/fixtures/fixture-safety';
import { freePort } from './support/service-process';

/**
 * `npm run fixtures:refresh` as built (dist/), against the test FerretDB seeded with the demo data:
 * the committed backup data is what the command makes of the demo data, and it refuses what it must.
 */

// Jest does not apply a project's testTimeout to its tests; the unreachable server takes 5 s to give up on.
jest.setTimeout(60_000);

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'fixtures-refresh', 'fixtures-refresh.cli.js');
const registrations = registeredCollections();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function refresh(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['--disable-warning=MONGOOSE', CLI, ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

/** Every file under `directory`, relative to it. */
function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
    .sort();
}

describe('npm run fixtures:refresh', () => {
  let client: mongoose.mongo.MongoClient;
  let uri: string;
  const directories: string[] = [];
  const tempDir = () => {
    const directory = mkdtempSync(join(tmpdir(), 'fixtures-refresh-'));
    directories.push(directory);
    return directory;
  };

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm test builds it first (npm run build)`);
    const server = process.env.TEST_MONGODB_URI;
    if (!server) throw new Error('TEST_MONGODB_URI is not set: run the e2e tests through npm test');
    const database = `fixtures_${randomBytes(6).toString('hex')}`;
    client = new mongoose.mongo.MongoClient(server);
    await client.connect();
    await seedDemoData(client.db(database));
    uri = `${server.replace(/\/$/, '')}/${database}`;
  });

  afterAll(async () => {
    await client?.db(new URL(uri).pathname.slice(1)).dropDatabase();
    await client?.close();
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  it('makes exactly the committed backup data from the demo data, so a re-run changes nothing', async () => {
    const out = tempDir();
    const run = await refresh(['--uri', uri, '--per-collection', '5', '--out-dir', out]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const demoCollections = Object.keys(generateDemoData());
    for (const registration of registrations) {
      const collection = collectionNameOf(registration);
      const committed = relative(ROOT, registration.fixtureFile);
      const refreshed = readFileSync(join(out, committed), 'utf8');
      if (!demoCollections.includes(collection)) {
        // A module just generated: its backup records are made by hand until the demo data has records of it.
        expect(refreshed).toBe('');
        continue;
      }
      expect(refreshed).toBe(readFileSync(registration.fixtureFile, 'utf8'));
      expect(run.stdout).toMatch(new RegExp(`^  ${collection} +\\S+ +unchanged$`, 'm'));
    }
    expect(demoCollections.every((collection) => registrations.some((r) => collectionNameOf(r) === collection))).toBe(
      true,
    );
    expect(filesUnder(out)).toEqual(registrations.map(({ fixtureFile }) => relative(ROOT, fixtureFile)).sort());
  });

  it('draws another sample with another seed: sanitized, with backup ids, references whole, fit for the service', async () => {
    const out = tempDir();
    const run = await refresh([
      '--uri',
      uri,
      '--per-collection',
      '3',
      '--per-parent',
      '2',
      '--seed',
      'e2e',
      '--out-dir',
      out,
    ]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Sampled 3 schools');
    expect(run.stdout).toMatch(/^ {2}schools +\S+ +changed: 3 records \(was \d+\)/m);
    expect(run.stdout).toMatch(/^Sanitized teachers: firstName \(first-name, \d+\), lastName/m);
    const copies = registrations.map((registration) => ({
      ...registration,
      fixtureFile: join(out, relative(ROOT, registration.fixtureFile)),
    }));
    expect((await checkFixtureDrift(copies)).map((problem) => problem.message)).toEqual([]);

    const loaded = new Map(
      await Promise.all(
        copies.map(
          async (copy) =>
            [collectionNameOf(copy), await loadFixtureFile(copy.fixtureFile, copy.model.schema as Schema)] as const,
        ),
      ),
    );
    for (const records of loaded.values()) expect(findUnsafeValues(records)).toEqual([]);
    const schools = loaded.get('schools')!;
    expect(schools).toHaveLength(3);
    expect(loaded.get('headmasters')).toHaveLength(3);
    for (const school of schools) {
      const teachers = loaded.get('teachers')!.filter((teacher: any) => teacher.schoolId.equals(school._id));
      expect(teachers.length).toBeGreaterThanOrEqual(1);
      expect(teachers.length).toBeLessThanOrEqual(2);
    }
  });

  it('refuses to write backup data holding a real e-mail domain, naming collection, record and field', async () => {
    const directory = tempDir();
    const settings = JSON.parse(readFileSync(join(ROOT, 'fixtures.config.json'), 'utf8'));
    settings.collections.teachers.fields.email = 'keep';
    writeFileSync(join(directory, 'settings.json'), JSON.stringify(settings));
    const out = join(directory, 'out');

    const run = await refresh(['--uri', uri, '--config', join(directory, 'settings.json'), '--out-dir', out]);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^fixtures:refresh: Refusing to write src\/teacher\/persistence\/fixtures\/teachers\.json: collection teachers record 1 \(_id fb2000000000000000000001\): field email: "[a-z.-]+\.\d{3}@demo\.school\.test" is at demo\.school\.test, not at an example domain .* \(and \d+ more\)\n$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('answers bad arguments, an unknown database and an unreachable server with one line and a non-zero exit', async () => {
    const badCount = await refresh(['--uri', uri, '--per-collection', 'five']);
    expect([badCount.code, badCount.stderr]).toEqual([
      2,
      'fixtures:refresh: --per-collection must be a whole number of at least 1, not "five" (--help shows the options)\n',
    ]);

    const empty = await refresh(['--uri', uri, '--db', `empty_${randomBytes(4).toString('hex')}`, '--dry-run']);
    expect([empty.code, empty.stderr]).toEqual([
      1,
      'fixtures:refresh: the database has no schools to sample: nothing was written\n',
    ]);

    const port = await freePort();
    const unreachable = await refresh(['--uri', `mongodb://127.0.0.1:${port}/schools`]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      new RegExp(`^fixtures:refresh: cannot reach mongodb://127\\.0\\.0\\.1:${port}/schools: .+\\n$`),
    );
  });
});
