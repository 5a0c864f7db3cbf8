/**
 * The names a feature module is known by, derived from one singular name (`lesson-plan` or `lessonPlan`):
 * its folder and files (`lesson-plan`), classes (`LessonPlanRecord`), constants (`LESSON_PLAN_STORE`),
 * GraphQL fields (`lessonPlan`, `lessonPlans`), REST path (`/api/lesson-plans`) and collection (`lessonPlans`).
 */
export interface ModuleNames {
  /** `lesson-plan`: folder, file names, entity name in edge keys and error messages. */
  kebab: string;
  /** `lessonPlan`: variables, GraphQL query of one. */
  camel: string;
  /** `LessonPlan`: class names and GraphQL types. */
  pascal: string;
  /** `LESSON_PLAN`: constants. */
  constant: string;
  /** `lesson plan`: in sentences. */
  words: string;
  plural: {
    /** `lesson-plans`: REST path and e2e test file. */
    kebab: string;
    /** `lessonPlans`: the MongoDB collection, GraphQL list query, edge keys of lists. */
    camel: string;
    pascal: string;
    constant: string;
    words: string;
  };
}

export class InvalidModuleNameError extends Error {
  override readonly name = 'InvalidModuleNameError';
}

const SINGULAR = /^[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*$/;
const CAMEL = /^[a-z][a-zA-Z0-9]*$/;

/**
 * Names that would clash with what the service already has or with the language: folders of src/ that are not
 * feature modules, routes the service serves itself, GraphQL's root types and JavaScript's reserved words.
 */
const RESERVED = new Set([
  'admin',
  'app',
  'bootstrap',
  'common',
  'config',
  'database',
  'docs',
  'edge',
  'fallback',
  'fixtures-refresh',
  'graphql',
  'health',
  'logging',
  'metrics',
  'module-generator',
  'mutation',
  'query',
  'security',
  'subscription',
  'subscriptions',
  ...'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await'.split(
    ' ',
  ),
]);

function words(name: string): string[] {
  if (SINGULAR.test(name)) return name.split('-');
  if (CAMEL.test(name)) return name.split(/(?=[A-Z])/).map((word) => word.toLowerCase());
  throw new InvalidModuleNameError(
    `"${name}" is not a module name: use a singular noun in lower case, words joined by - (lesson-plan) or camelCase (lessonPlan)`,
  );
}

/** English plural of a lower-case word: the common rules; irregular nouns take --plural. */
export function pluralOf(word: string): string {
  if (/(?:s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

function forms(parts: readonly string[]) {
  const capitalized = parts.map((part) => part[0].toUpperCase() + part.slice(1));
  return {
    kebab: parts.join('-'),
    camel: parts[0] + capitalized.slice(1).join(''),
    pascal: capitalized.join(''),
    constant: parts.map((part) => part.toUpperCase()).join('_'),
    words: parts.join(' '),
  };
}

/** The names of a module called `name` (singular); `plural` when the English rules get it wrong (person → people). */
export function moduleNames(name: string, plural?: string): ModuleNames {
  const singular = words(name);
  const pluralWords = plural === undefined ? [...singular.slice(0, -1), pluralOf(singular.at(-1)!)] : words(plural);
  const names = { ...forms(singular), plural: forms(pluralWords) };
  if (names.plural.kebab === names.kebab) {
    throw new InvalidModuleNameError(`"${name}" needs a plural that differs from it: give one with --plural`);
  }
  for (const candidate of [names.kebab, names.plural.kebab]) {
    if (RESERVED.has(candidate)) {
      throw new InvalidModuleNameError(
        `"${candidate}" is reserved (the service or the language uses it): choose another name`,
      );
    }
  }
  if (names.kebab.length > 40) throw new InvalidModuleNameError(`"${name}" is too long: at most 40 characters`);
  return names;
}
