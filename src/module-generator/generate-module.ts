import { existsSync, globSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Types } from 'mongoose';
import { toFixtureText } from '../fixtures-refresh/fixture-text';
import { addFeatureModule, addJsonMember } from './file-edits';
import { moduleNames, type ModuleNames } from './module-names';
import { renderTemplate, templateTokens } from './template-rendering';

export interface GenerateModuleRequest {
  /** Singular, kebab-case or camelCase: `subject`, `lesson-plan`. */
  name: string;
  /** When the English rules do not make the plural (`person` → `people`). */
  plural?: string;
  /** The records belong to a school: a `schoolId` reference, school-scoped access rules, `School.<plural>`. */
  perSchool: boolean;
}

export interface GeneratedModule {
  names: ModuleNames;
  /** Project-relative paths. */
  created: string[];
  edited: string[];
  /** The two hex digits after `fb` in the ids of the module's backup records. */
  idPrefix: string;
}

/** The request cannot be carried out; nothing was written. One line for the user. */
export class ModuleRefusedError extends Error {
  override readonly name = 'ModuleRefusedError';
}

const APP_MODULE = 'src/bootstrap/app.module.ts';
const FIXTURE_SETTINGS = 'fixtures.config.json';
const SCHOOL_FIXTURES = 'src/school/persistence/fixtures/schools.json';
const TEMPLATES = path.join('src', 'module-generator', 'templates');

/** Template → the file it becomes. */
const MODULE_FILES: readonly [template: string, target: string][] = [
  ['entity.ts', 'src/{{file}}/{{file}}.ts'],
  ['module.ts', 'src/{{file}}/{{file}}.module.ts'],
  ['controller.ts', 'src/{{file}}/{{file}}.controller.ts'],
  ['resolver.ts', 'src/{{file}}/{{file}}.resolver.ts'],
  ['service.ts', 'src/{{file}}/{{file}}.service.ts'],
  ['policy.ts', 'src/{{file}}/{{file}}.policy.ts'],
  ['service.spec.ts', 'src/{{file}}/{{file}}.service.spec.ts'],
  ['inputs.ts', 'src/{{file}}/dto/{{file}}.inputs.ts'],
  ['response.ts', 'src/{{file}}/dto/{{file}}.response.ts'],
  ['model.ts', 'src/{{file}}/models/{{file}}.model.ts'],
  ['schema.ts', 'src/{{file}}/persistence/{{file}}.schema.ts'],
  ['repository.ts', 'src/{{file}}/persistence/{{file}}.repository.ts'],
  ['e2e-spec.ts', 'test/{{files}}.e2e-spec.ts'],
];

const BACKUP_RECORDS = 3;
const BACKUP_TIMESTAMP = new Date('2025-01-01T00:00:00Z');

/**
 * Writes a new feature module into the project at `root` and wires it in: the module's files (domain type,
 * schema, repository registered for fallback, service, controller, resolver, DTOs, GraphQL model, backup
 * data, access rules, a unit spec and an e2e spec), its import in AppModule and its backup-id prefix in
 * fixtures.config.json. Refuses, writing nothing, an invalid name or one already in use (ModuleRefusedError,
 * InvalidModuleNameError), or a service file it cannot edit (UneditableFileError).
 * Returns what it wrote, unformatted (see formatGenerated).
 */
export function generateModule(root: string, request: GenerateModuleRequest): GeneratedModule {
  const names = moduleNames(request.name, request.plural);
  const tokens = templateTokens(names);
  const flags = { school: request.perSchool };
  const at = (file: string) => path.join(root, file);
  const read = (file: string) => readFileSync(at(file), 'utf8');

  const files = MODULE_FILES.map(([template, target]) => ({
    file: renderTemplate(target, tokens, flags),
    text: renderTemplate(read(path.join(TEMPLATES, `${template}.template`)), tokens, flags),
  }));
  const fixtureFile = `src/${names.kebab}/persistence/fixtures/${names.plural.kebab}.json`;
  refuseClashes(root, names, [...files.map(({ file }) => file), fixtureFile]);

  const settingsText = read(FIXTURE_SETTINGS);
  const idPrefix = freeIdPrefix(settingsText);
  const backup = backupRecords(names, request.perSchool ? schoolIds(read(SCHOOL_FIXTURES)) : undefined, idPrefix);
  // Every edit is made in memory before anything is written: a file that cannot be edited refuses the module.
  const edits = [
    {
      file: APP_MODULE,
      text: addFeatureModule(read(APP_MODULE), APP_MODULE, {
        className: `${names.pascal}Module`,
        importPath: `../${names.kebab}/${names.kebab}.module`,
      }),
    },
    {
      file: FIXTURE_SETTINGS,
      text: addJsonMember(settingsText, 'collections', names.plural.kebab, { idPrefix }, FIXTURE_SETTINGS),
    },
  ];

  for (const { file, text } of [...files, { file: fixtureFile, text: backup }]) {
    mkdirSync(path.dirname(at(file)), { recursive: true });
    writeFileSync(at(file), text);
  }
  for (const { file, text } of edits) writeFileSync(at(file), text);
  return {
    names,
    created: [...files.map(({ file }) => file), fixtureFile],
    edited: edits.map(({ file }) => file),
    idPrefix,
  };
}

/**
 * Prettier is a development dependency, like this generator: its name is held in a variable so that compiling the
 * service (which `npm start` does, also in a production install) needs no types of it.
 */
const PRETTIER_PACKAGE = 'prettier';

/** The part of Prettier used here. */
interface PrettierPackage {
  resolveConfig(file: string): Promise<Record<string, unknown> | null>;
  format(text: string, options: Record<string, unknown>): Promise<string>;
}

/** Formats the generated and edited files as `npm run format` would (Prettier with the project's settings). */
export async function formatGenerated(root: string, generated: GeneratedModule): Promise<void> {
  const prettier = (await import(PRETTIER_PACKAGE)) as PrettierPackage;
  for (const file of [...generated.created, ...generated.edited]) {
    if (file.endsWith('.json') && file.includes('/fixtures/')) continue; // backup data: one record per line
    const absolute = path.join(root, file);
    const options = await prettier.resolveConfig(absolute);
    const text = readFileSync(absolute, 'utf8');
    writeFileSync(absolute, await prettier.format(text, { ...options, filepath: absolute }));
  }
}

function refuseClashes(root: string, names: ModuleNames, files: readonly string[]): void {
  const folder = `src/${names.kebab}`;
  if (existsSync(path.join(root, folder))) {
    throw new ModuleRefusedError(`${folder} already exists: the module "${names.kebab}" is there, choose another name`);
  }
  const existing = files.find((file) => existsSync(path.join(root, file)));
  if (existing) throw new ModuleRefusedError(`${existing} already exists: choose another name`);

  const graphqlTypes = [
    names.pascal,
    `${names.pascal}Page`,
    `Create${names.pascal}Input`,
    `Update${names.pascal}Input`,
    `${names.pascal}Filter`,
    `School${names.pascal}Filter`,
  ];
  for (const file of globSync('src/**/*.ts', { cwd: root, exclude: ['**/*.spec.ts'] })) {
    const text = readFileSync(path.join(root, file), 'utf8');
    // As GraphQL types are named: @ObjectType('X'), PageType(Model, 'X'), registerEnumType(e, { name: 'X' }).
    const type = graphqlTypes.find((name) => new RegExp(`[(,:]\\s*'${name}'\\s*[),}]`).test(text));
    if (type) throw new ModuleRefusedError(`the GraphQL type ${type} already exists (${file}): choose another name`);
    if (text.includes(`collection: '${names.plural.kebab}'`)) {
      throw new ModuleRefusedError(
        `the collection ${names.plural.kebab} already exists (${file}): choose another name`,
      );
    }
  }
}

/** The first of 30, 40, … f0 (then any two hex digits) that no collection's backup ids use yet. */
function freeIdPrefix(settingsText: string): string {
  const settings = JSON.parse(settingsText) as { collections?: Record<string, { idPrefix?: string }> };
  const taken = new Set(Object.values(settings.collections ?? {}).map((collection) => collection.idPrefix));
  const candidates = [
    ...Array.from({ length: 16 }, (_, index) => index * 16),
    ...Array.from({ length: 256 }, (_, index) => index),
  ].map((value) => value.toString(16).padStart(2, '0'));
  const free = candidates.find((prefix) => !taken.has(prefix));
  if (free === undefined) throw new ModuleRefusedError(`${FIXTURE_SETTINGS}: every backup-id prefix is taken`);
  return free;
}

function schoolIds(schoolFixtures: string): Types.ObjectId[] {
  const ids = schoolFixtures
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => new Types.ObjectId((JSON.parse(line) as { _id: { $oid: string } })._id.$oid));
  if (ids.length === 0) throw new ModuleRefusedError(`${SCHOOL_FIXTURES} holds no school for the backup records`);
  return ids;
}

/** A few backup records, until `npm run fixtures:refresh` samples real ones: `fb` ids, schools of the backup data. */
function backupRecords(names: ModuleNames, schools: readonly Types.ObjectId[] | undefined, idPrefix: string): string {
  const records = Array.from({ length: BACKUP_RECORDS }, (_, index) => ({
    _id: new Types.ObjectId(`fb${idPrefix}${String(index + 1).padStart(20, '0')}`),
    name: `Example ${names.words} ${index + 1}`,
    ...(schools ? { schoolId: schools[index % Math.min(2, schools.length)] } : {}),
    createdAt: BACKUP_TIMESTAMP,
    updatedAt: BACKUP_TIMESTAMP,
  }));
  return toFixtureText(records);
}
