import { parseArgs } from 'node:util';

export const USAGE =
  'Usage: npm run fixtures:refresh -- --uri <mongodb uri> [--per-collection <n>] [--per-parent <n>] [--db <name>] ' +
  '[--seed <text>] [--root <collection>] [--config <file>] [--out-dir <dir>] [--dry-run]';

export interface RefreshArguments {
  uri: string;
  /** Unset: the URI's database, else MONGODB_DB_NAME, else `schools`. */
  db?: string;
  perCollection?: number;
  perParent?: number;
  seed?: string;
  root?: string;
  config?: string;
  outDir?: string;
  dryRun: boolean;
}

/** A wrong command line: its message is one line, printed with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command line, or `help` for --help; throws UsageError for anything else. */
export function parseRefreshArguments(argv: readonly string[]): RefreshArguments | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        uri: { type: 'string' },
        db: { type: 'string' },
        'per-collection': { type: 'string' },
        'per-parent': { type: 'string' },
        seed: { type: 'string' },
        root: { type: 'string' },
        config: { type: 'string' },
        'out-dir': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    // parseArgs' errors are TypeErrors with a code; their message alone is the explanation.
    const message = (error as { message?: unknown }).message;
    throw new UsageError(typeof message === 'string' ? message.split('\n')[0] : String(error));
  }
  if (values.help === true) return 'help';

  const text = (name: string): string | undefined => {
    const value = values[name] as string | undefined;
    if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} needs a value`);
    return value;
  };
  const count = (name: string): number | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
      throw new UsageError(`--${name} must be a whole number of at least 1, not "${value}"`);
    }
    return Number(value);
  };

  const uri = text('uri');
  if (uri === undefined)
    throw new UsageError('--uri is required: the MongoDB to sample, e.g. mongodb://127.0.0.1:27017/schools');
  if (!/^mongodb(\+srv)?:\/\/\S+$/.test(uri))
    throw new UsageError(`--uri must be a mongodb:// or mongodb+srv:// URI, not "${uri}"`);
  return {
    uri,
    db: text('db'),
    perCollection: count('per-collection'),
    perParent: count('per-parent'),
    seed: text('seed'),
    root: text('root'),
    config: text('config'),
    outDir: text('out-dir'),
    dryRun: values['dry-run'] === true,
  };
}

/** The database named in the URI's path (`mongodb://host/schools`), if any. */
export function databaseOfUri(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match ? decodeURIComponent(match[1]) : undefined;
}

/** The URI without its credentials, for messages. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/, '$1');
}
