import * as ts from 'typescript';

/**
 * Edits of files the service already has, by their structure (a JSON object's members, a TypeScript array's
 * elements), not by their text: an edit does not depend on comments or layout, and making one that is already
 * there changes nothing.
 */

/** A file the generator must edit does not have the shape it edits. */
export class UneditableFileError extends Error {
  override readonly name = 'UneditableFileError';
}

/** The array of feature modules in AppModule: the generator adds a new module to it. */
export const FEATURE_MODULES = 'FEATURE_MODULES';

export interface FeatureModule {
  /** `LessonPlanModule` */
  className: string;
  /** From the edited file: `../lesson-plan/lesson-plan.module` */
  importPath: string;
}

interface Insertion {
  at: number;
  text: string;
}

/**
 * `source` (AppModule's file) with one more feature module: its import after the last import and its entry at
 * the end of the `FEATURE_MODULES` array, found in the syntax tree (the TypeScript compiler's parser), so the
 * edit does not depend on comments or layout. What is already there is left as it is; a name imported from
 * elsewhere, or a file without the array, is refused.
 */
export function addFeatureModule(source: string, file: string, module: FeatureModule): string {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const list = featureModuleList(tree, file);
  const insertions: Insertion[] = [];
  const imported = importOf(tree, module.className);
  if (imported === undefined) {
    const lastImport = tree.statements.filter(ts.isImportDeclaration).at(-1);
    const statement = `import { ${module.className} } from '${module.importPath}';`;
    insertions.push(
      lastImport ? { at: lastImport.getEnd(), text: `\n${statement}` } : { at: 0, text: `${statement}\n` },
    );
  } else if (imported !== module.importPath) {
    throw new UneditableFileError(`${file} already imports ${module.className} from '${imported}'`);
  }
  if (!list.elements.some((element) => ts.isIdentifier(element) && element.text === module.className)) {
    insertions.push(appendedElement(source, list, module.className));
  }
  return insertions
    .sort((a, b) => b.at - a.at)
    .reduce((text, { at, text: inserted }) => text.slice(0, at) + inserted + text.slice(at), source);
}

function featureModuleList(tree: ts.SourceFile, file: string): ts.ArrayLiteralExpression {
  for (const statement of tree.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || declaration.name.text !== FEATURE_MODULES) continue;
      let value = declaration.initializer;
      while (
        value &&
        (ts.isAsExpression(value) || ts.isSatisfiesExpression(value) || ts.isParenthesizedExpression(value))
      ) {
        value = value.expression;
      }
      if (value && ts.isArrayLiteralExpression(value)) return value;
    }
  }
  throw new UneditableFileError(`${file} must declare the array ${FEATURE_MODULES} at its top level`);
}

/** The module an import declaration of the file binds `name` from, if one does. */
function importOf(tree: ts.SourceFile, name: string): string | undefined {
  for (const statement of tree.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings) && bindings.elements.some((element) => element.name.text === name)) {
      return statement.moduleSpecifier.text;
    }
  }
  return undefined;
}

/** The new last element of the array: on the line of the last one, or on a line of its own indented like it. */
function appendedElement(source: string, list: ts.ArrayLiteralExpression, name: string): Insertion {
  const last = list.elements.at(-1);
  if (!last) return { at: list.elements.pos, text: name };
  const lineStart = source.lastIndexOf('\n', last.getStart()) + 1;
  const oneLine = lineStart <= list.getStart();
  const separator = oneLine ? ' ' : `\n${/^[ \t]*/.exec(source.slice(lineStart))![0]}`;
  if (list.elements.hasTrailingComma) return { at: list.elements.end, text: `${separator}${name},` };
  return { at: last.getEnd(), text: `,${separator}${name}` };
}

/**
 * A JSON text with one more member in the object at `key` of the top-level object, written on one line as
 * `"member": <value>` after the last member, so that the rest of the file keeps its layout (and its diff stays
 * one line). A member that is already there is left as it is.
 */
export function addJsonMember(text: string, key: string, member: string, value: unknown, file: string): string {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const target = parsed[key];
  if (target === null || typeof target !== 'object' || Array.isArray(target)) {
    throw new UneditableFileError(`${file}: "${key}" must be an object`);
  }
  if (member in target) return text;
  const close = closingBraceOfMember(text, key);
  let last = close - 1;
  while (/\s/.test(text[last])) last--;
  const empty = text[last] === '{';
  const memberIndent = `${/^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', close) + 1))![0]}  `;
  const entry = `${JSON.stringify(member)}: ${JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ')}`;
  const insertion = `${empty ? '' : ','}\n${memberIndent}${entry}`;
  const edited =
    text.slice(0, last + 1) + insertion + (empty ? `\n${memberIndent.slice(2)}` : '') + text.slice(last + 1);
  JSON.parse(edited);
  return edited;
}

/** The index of the `}` that closes the object value of a top-level member, found by scanning the JSON text. */
function closingBraceOfMember(text: string, key: string): number {
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastTopLevelString = '';
  let valueDepth = -1;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') {
        inString = false;
        if (depth === 1) lastTopLevelString = JSON.parse(text.slice(stringStart, index + 1)) as string;
      }
      continue;
    }
    if (char === '"') {
      inString = true;
      stringStart = index;
    } else if (char === '{' || char === '[') {
      depth++;
      if (depth === 2 && char === '{' && lastTopLevelString === key && valueDepth < 0) valueDepth = depth;
    } else if (char === '}' || char === ']') {
      if (depth === valueDepth && char === '}') return index;
      depth--;
    }
  }
  throw new UneditableFileError(`no object "${key}" found`);
}
