import type { z } from 'zod';

/** Variables whose values are credentials: never repeated in a message. */
const SECRET_VARIABLE = /_(SECRET|PASSWORD|TOKEN)$/;

/** One invalid variable: its name, why it is refused, and the value given (absent for secrets). */
export interface ConfigProblem {
  readonly variable: string;
  readonly reason: string;
  readonly value?: string;
}

/** A bad environment, every invalid variable at once. */
export class InvalidConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${describe(problems[0])}`
        : [`Invalid configuration: ${problems.length} variables are invalid:`, ...problems.map(describe)].join('\n  '),
    );
  }
}

export function configProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => {
    const variable = String(issue.path[0]);
    const shown = 'input' in issue && issue.input !== undefined && !SECRET_VARIABLE.test(variable);
    return { variable, reason: issue.message, ...(shown ? { value: withoutCredentials(issue.input) } : {}) };
  });
}

function describe({ variable, reason, value }: ConfigProblem): string {
  return `${variable}: ${reason}${value === undefined ? '' : ` (got ${value})`}`;
}

/** The value as given, with any user:password@ of a URL masked. */
function withoutCredentials(value: unknown): string {
  return JSON.stringify(value).replace(/\/\/[^@/\s"]+@/g, '//***@');
}
