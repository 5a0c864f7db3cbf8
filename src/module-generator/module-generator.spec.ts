import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { addFeatureModule, addJsonMember, UneditableFileError } from './file-edits';
import { generateModule } from './generate-module';
import { InvalidModuleNameError, moduleNames, pluralOf } from './module-names';
import { renderTemplate, TemplateError } from './template-rendering';

const ROOT = path.resolve(__dirname, '..', '..');

describe(moduleNames.name, () => {
  it('derives every spelling from a kebab-case or camelCase singular', () => {
    const expected = {
      kebab: 'lesson-plan',
      camel: 'lessonPlan',
      pascal: 'LessonPlan',
      constant: 'LESSON_PLAN',
      words: 'lesson plan',
      plural: {
        kebab: 'lesson-plans',
        camel: 'lessonPlans',
        pascal: 'LessonPlans',
        constant: 'LESSON_PLANS',
        words: 'lesson plans',
      },
    };
    expect(moduleNames('lesson-plan')).toEqual(expected);
    expect(moduleNames('lessonPlan')).toEqual(expected);
  });

  it('makes plurals by the common English rules, or takes the one given', () => {
    expect(['subject', 'class', 'box', 'category', 'day', 'match'].map(pluralOf)).toEqual([
      'subjects',
      'classes',
      'boxes',
      'categories',
      'days',
      'matches',
    ]);
    expect(moduleNames('person', 'people').plural.camel).toBe('people');
    expect(moduleNames('exam-series', 'exam-series-list').plural.kebab).toBe('exam-series-list');
  });

  it.each([
    ['Subject', /not a module name/],
    ['lesson_plan', /not a module name/],
    ['lesson--plan', /not a module name/],
    ['2nd-subject', /not a module name/],
    ['', /not a module name/],
    ['health', /"health" is reserved/],
    ['delete', /"delete" is reserved/],
    ['metric', /"metrics" is reserved/],
  ])('refuses %p with one line', (name, message) => {
    expect(() => moduleNames(name)).toThrow(InvalidModuleNameError);
    expect(() => moduleNames(name)).toThrow(message);
  });

  it('refuses a plural that is the name itself', () => {
    expect(() => moduleNames('sheep', 'sheep')).toThrow(/needs a plural that differs/);
  });
});

describe(renderTemplate.name, () => {
  const tokens = { Name: 'LessonPlan', files: 'lesson-plans' };
  const template = [
    'class {{Name}}Service {}',
    '// {{#school}}',
    "const path = '/api/{{files}}/of-school';",
    '// {{/school}}',
    '// {{^school}}',
    "const path = '/api/{{files}}';",
    '// {{/school}}',
  ].join('\n');

  it('replaces the tokens and keeps the lines of the sections that apply', () => {
    expect(renderTemplate(template, tokens, { school: true })).toBe(
      "class LessonPlanService {}\nconst path = '/api/lesson-plans/of-school';",
    );
    expect(renderTemplate(template, tokens, { school: false })).toBe(
      "class LessonPlanService {}\nconst path = '/api/lesson-plans';",
    );
  });

  it('refuses unknown tokens and sections, and sections left open', () => {
    expect(() => renderTemplate('{{Nmae}}', tokens, {})).toThrow(new TemplateError('unknown token {{Nmae}}'));
    expect(() => renderTemplate('// {{#tenant}}\n// {{/tenant}}', tokens, { school: true })).toThrow(/unknown section/);
    expect(() => renderTemplate('// {{#school}}\nx', tokens, { school: true })).toThrow(/not closed/);
  });
});

describe(addFeatureModule.name, () => {
  const lessonPlans = { className: 'LessonPlanModule', importPath: '../lesson-plan/lesson-plan.module' };
  const source = `import { Module } from '@nestjs/common';
import { SchoolModule } from '../school/school.module';

/** The feature modules. */
const FEATURE_MODULES = [
  SchoolModule,
  // Teachers come next.
];

@Module({ imports: [...FEATURE_MODULES] })
export class AppModule {}
`;

  it('imports the module after the last import and appends it to FEATURE_MODULES, once', () => {
    const once = addFeatureModule(source, 'app.module.ts', lessonPlans);
    expect(once).toBe(
      source
        .replace(
          "school.module';",
          "school.module';\nimport { LessonPlanModule } from '../lesson-plan/lesson-plan.module';",
        )
        .replace('  SchoolModule,', '  SchoolModule,\n  LessonPlanModule,'),
    );
    expect(addFeatureModule(once, 'app.module.ts', lessonPlans)).toBe(once);
  });

  it('appends to an array on one line, without a trailing comma, and to an empty one', () => {
    const oneLine = source.replace(/\[[^\]]*\]/, '[SchoolModule, TeacherModule] as const');
    expect(addFeatureModule(oneLine, 'app.module.ts', lessonPlans)).toContain(
      'const FEATURE_MODULES = [SchoolModule, TeacherModule, LessonPlanModule] as const;',
    );
    const empty = source.replace(/\[[^\]]*\]/, '[]');
    expect(addFeatureModule(empty, 'app.module.ts', lessonPlans)).toContain(
      'const FEATURE_MODULES = [LessonPlanModule];',
    );
  });

  it('refuses a file without the array, or one that imports the name from elsewhere', () => {
    const withoutArray = source.replace('FEATURE_MODULES = [', 'MODULES = [');
    expect(() => addFeatureModule(withoutArray, 'app.module.ts', lessonPlans)).toThrow(
      new UneditableFileError('app.module.ts must declare the array FEATURE_MODULES at its top level'),
    );
    const elsewhere = source.replace('import { SchoolModule }', 'import { LessonPlanModule, SchoolModule }');
    expect(() => addFeatureModule(elsewhere, 'app.module.ts', lessonPlans)).toThrow(
      "app.module.ts already imports LessonPlanModule from '../school/school.module'",
    );
  });

  it("edits the service's own AppModule", () => {
    const appModule = readFileSync(path.join(ROOT, 'src/bootstrap/app.module.ts'), 'utf8');
    const unused = { className: 'SpecOnlyModule', importPath: '../spec-only/spec-only.module' };
    const edited = addFeatureModule(appModule, 'src/bootstrap/app.module.ts', unused);
    expect(edited).toMatch(/const FEATURE_MODULES = \[[^\]]*SubjectModule,[^\]]*\sSpecOnlyModule,?\s*\]/);
    expect(edited).toContain("import { SpecOnlyModule } from '../spec-only/spec-only.module';\n");
  });
});

describe(addJsonMember.name, () => {
  it('adds one line after the last member, leaving the rest of the file as it was', () => {
    const text = '{\n  "seed": "x",\n  "collections": {\n    "schools": { "idPrefix": "00" }\n  }\n}\n';
    const edited = addJsonMember(text, 'collections', 'subjects', { idPrefix: '30' }, 'settings.json');
    expect(edited).toBe(
      '{\n  "seed": "x",\n  "collections": {\n    "schools": { "idPrefix": "00" },\n    "subjects": { "idPrefix": "30" }\n  }\n}\n',
    );
    expect(addJsonMember(edited, 'collections', 'subjects', { idPrefix: '31' }, 'settings.json')).toBe(edited);
  });

  it('fills an empty object, and skips braces inside strings', () => {
    const text = '{\n  "note": "a { b } c",\n  "collections": {}\n}\n';
    expect(JSON.parse(addJsonMember(text, 'collections', 'subjects', { idPrefix: '30' }, 's.json'))).toEqual({
      note: 'a { b } c',
      collections: { subjects: { idPrefix: '30' } },
    });
  });
});

describe(generateModule.name, () => {
  let root: string;
  const copy = (file: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    cpSync(path.join(ROOT, file), path.join(root, file), { recursive: true });
  };
  const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'generate-module-'));
    for (const file of [
      'src/school/models/school.model.ts',
      'src/school/persistence/fixtures/schools.json',
      'src/module-generator/templates',
    ]) {
      copy(file);
    }
    // The service's own AppModule as the generator finds it: its FEATURE_MODULES array and little else.
    mkdirSync(path.join(root, 'src/bootstrap'), { recursive: true });
    writeFileSync(
      path.join(root, 'src/bootstrap/app.module.ts'),
      `import { Module } from '@nestjs/common';
import { SchoolModule } from '../school/school.module';

const FEATURE_MODULES = [SchoolModule];

@Module({ imports: [...FEATURE_MODULES] })
export class AppModule {}
`,
    );
    const settings = {
      seed: 'test',
      collections: { schools: { idPrefix: '00' }, headmasters: { idPrefix: '10' }, teachers: { idPrefix: '20' } },
    };
    writeFileSync(path.join(root, 'fixtures.config.json'), `${JSON.stringify(settings, null, 2)}\n`);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes the module and wires it into the app, its access rules and its backup-id prefix', () => {
    const generated = generateModule(root, { name: 'lesson-plan', perSchool: true });

    expect(generated.created).toEqual([
      'src/lesson-plan/lesson-plan.ts',
      'src/lesson-plan/lesson-plan.module.ts',
      'src/lesson-plan/lesson-plan.controller.ts',
      'src/lesson-plan/lesson-plan.resolver.ts',
      'src/lesson-plan/lesson-plan.service.ts',
      'src/lesson-plan/lesson-plan.policy.ts',
      'src/lesson-plan/lesson-plan.service.spec.ts',
      'src/lesson-plan/dto/lesson-plan.inputs.ts',
      'src/lesson-plan/dto/lesson-plan.response.ts',
      'src/lesson-plan/models/lesson-plan.model.ts',
      'src/lesson-plan/persistence/lesson-plan.schema.ts',
      'src/lesson-plan/persistence/lesson-plan.repository.ts',
      'test/lesson-plans.e2e-spec.ts',
      'src/lesson-plan/persistence/fixtures/lesson-plans.json',
    ]);
    for (const file of generated.created) expect(existsSync(path.join(root, file))).toBe(true);
    expect(generated.edited).toEqual(['src/bootstrap/app.module.ts', 'fixtures.config.json']);

    expect(read('src/bootstrap/app.module.ts')).toContain(
      "import { SchoolModule } from '../school/school.module';\nimport { LessonPlanModule } from '../lesson-plan/lesson-plan.module';\n",
    );
    expect(read('src/bootstrap/app.module.ts')).toContain('const FEATURE_MODULES = [SchoolModule, LessonPlanModule];');
    expect(read('src/lesson-plan/lesson-plan.policy.ts')).toContain('export function lessonPlanListSchool(');
    expect(read('src/lesson-plan/persistence/lesson-plan.schema.ts')).toContain("collection: 'lesson-plans'");

    const settings = JSON.parse(read('fixtures.config.json'));
    expect(settings.collections['lesson-plans']).toEqual({ idPrefix: '30' });
    const recordsOf = (file: string): any[] =>
      read(file)
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
    const backup = recordsOf('src/lesson-plan/persistence/fixtures/lesson-plans.json');
    const schools = recordsOf('src/school/persistence/fixtures/schools.json');
    expect(backup.map((record) => record._id.$oid)).toEqual([
      'fb3000000000000000000001',
      'fb3000000000000000000002',
      'fb3000000000000000000003',
    ]);
    for (const record of backup) {
      expect(schools.map((school) => school._id.$oid)).toContain(record.schoolId.$oid);
    }
  });

  it('gives a module that does not belong to a school no school reference, and the next free id prefix', () => {
    generateModule(root, { name: 'lesson-plan', perSchool: true });
    const generated = generateModule(root, { name: 'gradingScale', perSchool: false });
    expect(generated.idPrefix).toBe('40');
    expect(read('src/grading-scale/grading-scale.ts')).not.toContain('schoolId');
    expect(read('src/grading-scale/grading-scale.resolver.ts')).not.toContain('SchoolModel');
    expect(read('src/grading-scale/grading-scale.policy.ts')).toContain(
      'export const assertMayWriteGradingScales = assertAdmin;',
    );
  });

  it.each([
    ['the name of an existing module', 'lesson-plan', /^src\/lesson-plan already exists/],
    [
      'a GraphQL type that exists',
      'address',
      /^the GraphQL type Address already exists \(src\/school\/models\/school\.model\.ts\)/,
    ],
  ])('refuses %s, writing nothing', (_case, name, message) => {
    generateModule(root, { name: 'lesson-plan', perSchool: true });
    const appModule = read('src/bootstrap/app.module.ts');
    expect(() => generateModule(root, { name, perSchool: true })).toThrow(message);
    expect(read('src/bootstrap/app.module.ts')).toBe(appModule);
  });

  it('refuses, writing nothing, when AppModule has no FEATURE_MODULES array to add the module to', () => {
    const appModule = read('src/bootstrap/app.module.ts').replaceAll('FEATURE_MODULES', 'MODULES');
    writeFileSync(path.join(root, 'src/bootstrap/app.module.ts'), appModule);
    expect(() => generateModule(root, { name: 'lesson-plan', perSchool: true })).toThrow(UneditableFileError);
    expect(existsSync(path.join(root, 'src/lesson-plan'))).toBe(false);
    expect(read('fixtures.config.json')).not.toContain('lesson-plans');
  });
});
