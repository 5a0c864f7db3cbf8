import type { ModuleNames } from './module-names';

/**
 * The generator's templates are the module's code with tokens for its names (`{{Name}}Service`,
 * `/api/{{files}}`) and whole-line sections for what depends on an option:
 *
 *     // {{#school}}   lines kept when the records belong to a school
 *     // {{^school}}   lines kept when they do not
 *     // {{/school}}   end of either
 */

export type TemplateFlags = Readonly<Record<string, boolean>>;

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const SECTION = /^\s*\/\/ \{\{([#^/])([a-z]+)\}\}\s*$/;
const LEFTOVER_TOKEN = /\{\{[#^/]?[A-Za-z ]+\}\}/;

function capitalized(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}

export function templateTokens(names: ModuleNames): Record<string, string> {
  return {
    Name: names.pascal,
    name: names.camel,
    NAME: names.constant,
    file: names.kebab,
    label: names.words,
    Label: capitalized(names.words),
    Names: names.plural.pascal,
    names: names.plural.camel,
    NAMES: names.plural.constant,
    files: names.plural.kebab,
    labels: names.plural.words,
    Labels: capitalized(names.plural.words),
  };
}

export function renderTemplate(template: string, tokens: Record<string, string>, flags: TemplateFlags): string {
  const kept: string[] = [];
  const open: { flag: string; keep: boolean }[] = [];
  template.split('\n').forEach((line, index) => {
    const section = SECTION.exec(line);
    if (!section) {
      if (open.every((entry) => entry.keep)) kept.push(line);
      return;
    }
    const [, kind, flag] = section;
    if (!(flag in flags)) throw new TemplateError(`line ${index + 1}: unknown section ${flag}`);
    if (kind === '/') {
      if (open.pop()?.flag !== flag) throw new TemplateError(`line ${index + 1}: {{/${flag}}} closes nothing`);
      return;
    }
    open.push({ flag, keep: kind === '#' ? flags[flag] : !flags[flag] });
  });
  if (open.length > 0) throw new TemplateError(`section ${open[0].flag} is not closed`);

  const rendered = kept.join('\n').replace(/\{\{([A-Za-z]+)\}\}/g, (token, key: string) => tokens[key] ?? token);
  const leftover = LEFTOVER_TOKEN.exec(rendered);
  if (leftover) throw new TemplateError(`unknown token ${leftover[0]}`);
  return rendered;
}
