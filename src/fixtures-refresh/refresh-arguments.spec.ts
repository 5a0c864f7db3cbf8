import { thrownBy } from '../common/testing/thrown-by';
import { databaseOfUri, parseRefreshArguments, redactUri, UsageError } from './refresh-arguments';

function usageErrorOf(argv: string[]): string {
  return thrownBy(() => parseRefreshArguments(argv), UsageError).message;
}

describe(parseRefreshArguments.name, () => {
  it('reads every option', () => {
    expect(
      parseRefreshArguments([
        '--uri',
        'mongodb://127.0.0.1:27017/schools',
        '--per-collection',
        '3',
        '--per-parent=4',
        '--db',
        'other',
        '--seed',
        's',
        '--root',
        'schools',
        '--config',
        'c.json',
        '--out-dir',
        'out',
        '--dry-run',
      ]),
    ).toEqual({
      uri: 'mongodb://127.0.0.1:27017/schools',
      perCollection: 3,
      perParent: 4,
      db: 'other',
      seed: 's',
      root: 'schools',
      config: 'c.json',
      outDir: 'out',
      dryRun: true,
    });
    expect(parseRefreshArguments(['--help'])).toBe('help');
  });

  it.each([
    [[], '--uri is required: the MongoDB to sample, e.g. mongodb://127.0.0.1:27017/schools'],
    [['--uri', 'http://x'], '--uri must be a mongodb:// or mongodb+srv:// URI, not "http://x"'],
    [
      ['--uri', 'mongodb://h', '--per-collection', 'five'],
      '--per-collection must be a whole number of at least 1, not "five"',
    ],
    [['--uri', 'mongodb://h', '--per-parent', '0'], '--per-parent must be a whole number of at least 1, not "0"'],
    [['--uri', 'mongodb://h', '--seed', ' '], '--seed needs a value'],
    [['--uri', 'mongodb://h', 'extra'], expect.stringMatching(/^Unexpected argument 'extra'/)],
    [['--uri', 'mongodb://h', '--colour'], expect.stringMatching(/^Unknown option '--colour'/)],
    [['--uri'], expect.stringMatching(/^Option '--uri <value>' argument missing/)],
  ])('refuses %j in one line', (argv, message) => {
    const error = usageErrorOf(argv);
    expect(error).toEqual(message);
    expect(error).not.toContain('\n');
  });
});

describe(databaseOfUri.name, () => {
  it('is the path of the URI, if any', () => {
    expect(databaseOfUri('mongodb://127.0.0.1:27017/schools?retryWrites=true')).toBe('schools');
    expect(databaseOfUri('mongodb+srv://u:p@cluster.example.net/my%20db')).toBe('my db');
    expect(databaseOfUri('mongodb://127.0.0.1:27017/')).toBeUndefined();
    expect(databaseOfUri('mongodb://127.0.0.1:27017')).toBeUndefined();
  });
});

describe(redactUri.name, () => {
  it('removes credentials', () => {
    expect(redactUri('mongodb://user:secret@db.example.net:27017/schools')).toBe(
      'mongodb://db.example.net:27017/schools',
    );
    expect(redactUri('mongodb://127.0.0.1/x')).toBe('mongodb://127.0.0.1/x');
  });
});
