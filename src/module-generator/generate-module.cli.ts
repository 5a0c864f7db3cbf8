import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { formatGenerated, generateModule, ModuleRefusedError, type GeneratedModule } from './generate-module';
import { UneditableFileError } from './file-edits';
import { InvalidModuleNameError } from './module-names';
import { TemplateError } from './template-rendering';

/** `npm run generate:module -- <name> [--per-school] [--plural <plural>]`: a new feature module; see CONTRIBUTING.md. */

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

const USAGE = 'usage: npm run generate:module -- <name> [--per-school] [--plural <plural>] [--no-schema]';

const HELP = `${USAGE}

Creates src/<name>/ (domain type, Mongoose schema, repository registered for fallback and the edge cache,
service, access rules (<name>.policy.ts), REST controller at /api/<plural>, GraphQL resolver, DTOs, GraphQL
model, a few backup records, a unit spec) and test/<plural>.e2e-spec.ts, wires the module into AppModule,
adds its backup-id prefix to fixtures.config.json, then builds and rewrites schema.gql.

  <name>        singular, lower-case words joined by - (lesson-plan) or camelCase (lessonPlan)
  --per-school  the records belong to a school: a schoolId reference, readable by the school's members,
                lists limited to the caller's school, School.<plural> in GraphQL
  --plural      the plural when adding s, es or ies does not make it (person: --plural people)
  --no-schema   do not build and rewrite schema.gql`;

class UsageError extends Error {}

interface Arguments {
  name: string;
  plural?: string;
  perSchool: boolean;
  schema: boolean;
}

function parseArguments(argv: readonly string[]): Arguments | 'help' {
  const positional: string[] = [];
  const args: Omit<Arguments, 'name'> = { perSchool: false, schema: true };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--help' || argument === '-h') return 'help';
    else if (argument === '--per-school') args.perSchool = true;
    else if (argument === '--no-schema') args.schema = false;
    else if (argument === '--plural') {
      const plural = argv[++index];
      if (plural === undefined || plural.startsWith('-')) throw new UsageError('--plural needs a value');
      args.plural = plural;
    } else if (argument.startsWith('-')) throw new UsageError(`unknown option ${argument}`);
    else positional.push(argument);
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'give the module name' : 'give one name');
  return { ...args, name: positional[0] };
}

/** The new module's GraphQL types reach schema.gql as the service prints it: build, then print. */
function rewriteSchema(): void {
  const steps: [string, string[]][] = [
    [require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json']],
    [path.join(PROJECT_ROOT, 'scripts', 'copy-fixtures.mjs'), []],
    [path.join(PROJECT_ROOT, 'dist', 'bootstrap', 'schema-file.cli.js'), []],
  ];
  for (const [script, args] of steps) {
    const run = spawnSync(process.execPath, ['--disable-warning=MONGOOSE', script, ...args], {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
    });
    if (run.status !== 0)
      throw new Error(`${path.basename(script)} failed: see above; fix it, then npm run schema:write`);
  }
}

function report(generated: GeneratedModule, perSchool: boolean): string {
  const { names } = generated;
  return `Created the ${names.words} module:
${generated.created.map((file) => `  created  ${file}`).join('\n')}
${generated.edited.map((file) => `  edited   ${file}`).join('\n')}

REST /api/${names.plural.kebab}, GraphQL ${names.camel} / ${names.plural.camel} / create${names.pascal} / update${names.pascal} / delete${names.pascal}${perSchool ? ` and School.${names.plural.camel}` : ''}; collection ${names.plural.kebab}, backup ids fb${generated.idPrefix}….

Next (CONTRIBUTING.md, "Add a module"):
  1. the fields: src/${names.kebab}/${names.kebab}.ts, persistence/${names.kebab}.schema.ts, the mappers, dto/, models/
  2. the access rules: src/${names.kebab}/${names.kebab}.policy.ts
  3. the backup data: npm run fixtures:refresh -- --uri <a database with ${names.plural.words}>
  4. node scripts/test.mjs src/${names.kebab} test/${names.plural.kebab}.e2e-spec.ts, npm run lint, npm test
  5. README.md: the endpoints`;
}

async function main(argv: readonly string[]): Promise<number> {
  let args: Arguments | 'help';
  try {
    args = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`generate:module: ${error.message} (${USAGE})`);
    return 2;
  }
  if (args === 'help') {
    console.log(HELP);
    return 0;
  }
  let generated: GeneratedModule;
  try {
    generated = generateModule(PROJECT_ROOT, { name: args.name, plural: args.plural, perSchool: args.perSchool });
  } catch (error) {
    if (
      error instanceof InvalidModuleNameError ||
      error instanceof ModuleRefusedError ||
      error instanceof UneditableFileError
    ) {
      console.error(`generate:module: ${error.message}`);
      return error instanceof InvalidModuleNameError ? 2 : 1;
    }
    throw error;
  }
  await formatGenerated(PROJECT_ROOT, generated);
  if (args.schema) rewriteSchema();
  console.log(report(generated, args.perSchool));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`generate:module: ${error instanceof TemplateError ? `a template is broken: ${message}` : message}`);
    process.exit(1);
  },
);
