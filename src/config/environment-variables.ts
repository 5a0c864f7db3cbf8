import { z } from 'zod';

/** The process environment as the settings read it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * A message about the variable that failed: `PORT must …`. zod writes messages once the issue's path is known,
 * so one schema serves every variable it checks.
 */
export function aboutTheVariable(phrase: string) {
  return { error: (issue: { readonly path?: readonly PropertyKey[] }) => `${String(issue.path?.[0])} ${phrase}` };
}

/** A whole number, possibly signed and padded with spaces, within `min`–`max`. */
export function integer({ min, max }: { min: number; max: number }) {
  return z
    .string()
    .regex(/^\s*-?\d+\s*$/, aboutTheVariable('must be an integer number'))
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, aboutTheVariable(`must not be less than ${min}`))
        .max(max, aboutTheVariable(`must not be greater than ${max}`)),
    );
}

/** `true`, `1`, `yes` or `false`, `0`, `no`, in any case. */
export function boolean() {
  return z.stringbool({
    truthy: ['true', '1', 'yes'],
    falsy: ['false', '0', 'no'],
    case: 'insensitive',
    ...aboutTheVariable('must be a boolean value'),
  });
}

export function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, aboutTheVariable(`must be one of the following values: ${values.join(', ')}`));
}

/** A string matching `pattern`; `description` completes "<VARIABLE> must …" when it does not. */
export function matching(pattern: RegExp, description: string) {
  return z.string().regex(pattern, aboutTheVariable(description));
}

/** Comma-separated entries, each trimmed. */
export function commaSeparated(setting: string): string[] {
  return setting.split(',').map((entry) => entry.trim());
}

/** Comma-separated collection names (lower case letters, digits, `_` and `-`), or `none`. */
export function collectionList() {
  return z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '' && name !== 'none'),
    )
    .pipe(z.array(z.string().regex(/^[a-z0-9_-]+$/, aboutTheVariable('must list collection names, comma-separated'))));
}
