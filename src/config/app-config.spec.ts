import { thrownBy } from '../common/testing/thrown-by';
import { AppConfig, InvalidConfigError, loadAppConfig } from './app-config';

function problemOf(env: Record<string, string>): InvalidConfigError {
  return thrownBy(() => loadAppConfig(env), InvalidConfigError);
}

describe(loadAppConfig.name, () => {
  it('returns an AppConfig with one section per concern', () => {
    const sut = loadAppConfig({});
    expect(sut).toBeInstanceOf(AppConfig);
    expect(Object.keys(sut).sort()).toEqual(['auth', 'database', 'edge', 'fallback', 'graphql', 'limits', 'server']);
  });

  it('applies the documented defaults', () => {
    expect(loadAppConfig({})).toEqual({
      server: { environment: 'development', host: '127.0.0.1', port: 3000, logLevel: 'log' },
      database: {
        uri: undefined,
        name: 'schools',
        serverSelectionTimeoutMs: 5000,
        operationTimeoutMs: 5000,
        socketTimeoutMs: 10_000,
        monitorCommands: false,
        embeddedServer: 'auto',
        embeddedDataDir: '.data/embedded-mongo',
      },
      fallback: {
        enabled: true,
        breakerEnabled: true,
        operationTimeoutMs: 5000,
        deadlineMultiple: 4,
        deadlineFloorMs: 50,
        breakerThreshold: 3,
        heartbeatIntervalMs: 100,
        heartbeatTimeoutMs: 300,
        writes: 'queue',
        retryAfterSeconds: 5,
        journalPath: '.data/fallback-journal.sqlite',
        drill: false,
        logIntervalMs: 10_000,
        stale: {
          enabled: true,
          maxAgeMs: 86_400_000,
          maxBytes: 64 * 1024 * 1024,
          redisMaxBytes: 256 * 1024 * 1024,
          redisTimeoutMs: 50,
        },
        snapshots: {
          collections: ['schools', 'headmasters', 'teachers', 'subjects'],
          refreshMs: 300_000,
          pageSize: 500,
        },
      },
      edge: { purgeUrls: [], purgeTimeoutMs: 1000, ttlOverrides: {}, defaultTtlSeconds: 60 },
      auth: expect.objectContaining({ clockToleranceSeconds: 5, issuer: undefined, audience: undefined }),
      limits: {
        rateLimitEnabled: true,
        rateLimitWindowMs: 1000,
        redisTimeoutMs: 50,
        perCredential: 1000,
        perAddress: 100,
        trustProxy: false,
        corsOrigins: [],
      },
      graphql: {
        ide: true,
        introspection: true,
        maxDepth: 10,
        maxComplexity: 5000,
        maxAliases: 30,
        maxBodyBytes: 102_400,
        subscriptionsRedisUrl: undefined,
      },
    });
  });

  // Every variable with a value it accepts, and the setting it becomes (section.field).
  it.each<[string, string, string, unknown]>([
    ['NODE_ENV', 'test', 'server.environment', 'test'],
    ['HOST', '0.0.0.0', 'server.host', '0.0.0.0'],
    ['PORT', ' 8080 ', 'server.port', 8080],
    ['PORT', '0', 'server.port', 0],
    ['PORT', '65535', 'server.port', 65_535],
    ['LOG_LEVEL', 'debug', 'server.logLevel', 'debug'],
    [
      'MONGODB_URI',
      'mongodb+srv://cluster.example.org/?retryWrites=true',
      'database.uri',
      'mongodb+srv://cluster.example.org/?retryWrites=true',
    ],
    ['MONGODB_DB_NAME', 'schools_2026', 'database.name', 'schools_2026'],
    ['MONGODB_SERVER_SELECTION_TIMEOUT_MS', '100', 'database.serverSelectionTimeoutMs', 100],
    ['MONGODB_OPERATION_TIMEOUT_MS', '120000', 'database.operationTimeoutMs', 120_000],
    ['MONGODB_SOCKET_TIMEOUT_MS', '600000', 'database.socketTimeoutMs', 600_000],
    ['MONGODB_MONITOR_COMMANDS', 'YES', 'database.monitorCommands', true],
    ['EMBEDDED_MONGO', 'ferretdb', 'database.embeddedServer', 'ferretdb'],
    ['EMBEDDED_MONGO_DATA_DIR', '/var/lib/school-data', 'database.embeddedDataDir', '/var/lib/school-data'],
    ['FALLBACK_ENABLED', 'no', 'fallback.enabled', false],
    ['FALLBACK_BREAKER_ENABLED', '0', 'fallback.breakerEnabled', false],
    ['FALLBACK_OPERATION_TIMEOUT_MS', '10', 'fallback.operationTimeoutMs', 10],
    ['FALLBACK_BREAKER_THRESHOLD', '1000', 'fallback.breakerThreshold', 1000],
    ['FALLBACK_HEARTBEAT_INTERVAL_MS', '250', 'fallback.heartbeatIntervalMs', 250],
    ['FALLBACK_HEARTBEAT_TIMEOUT_MS', '5', 'fallback.heartbeatTimeoutMs', 5],
    ['FALLBACK_DEADLINE_MULTIPLE', '10', 'fallback.deadlineMultiple', 10],
    ['FALLBACK_DEADLINE_FLOOR_MS', '1', 'fallback.deadlineFloorMs', 1],
    ['FALLBACK_WRITES', 'reject', 'fallback.writes', 'reject'],
    ['FALLBACK_RETRY_AFTER_SECONDS', '3600', 'fallback.retryAfterSeconds', 3600],
    ['FALLBACK_JOURNAL_PATH', ':memory:', 'fallback.journalPath', ':memory:'],
    ['FALLBACK_DRILL', 'True', 'fallback.drill', true],
    ['FALLBACK_LOG_INTERVAL_MS', '0', 'fallback.logIntervalMs', 0],
    ['FALLBACK_STALE_ENABLED', 'false', 'fallback.stale.enabled', false],
    ['FALLBACK_STALE_MAX_AGE_SECONDS', '60', 'fallback.stale.maxAgeMs', 60_000],
    ['FALLBACK_STALE_MAX_MB', '2', 'fallback.stale.maxBytes', 2 * 1024 * 1024],
    ['FALLBACK_STALE_REDIS_MAX_MB', '8', 'fallback.stale.redisMaxBytes', 8 * 1024 * 1024],
    ['FALLBACK_STALE_REDIS_TIMEOUT_MS', '20', 'fallback.stale.redisTimeoutMs', 20],
    ['FALLBACK_SNAPSHOT_COLLECTIONS', ' schools, teachers ', 'fallback.snapshots.collections', ['schools', 'teachers']],
    ['FALLBACK_SNAPSHOT_COLLECTIONS', 'none', 'fallback.snapshots.collections', []],
    ['FALLBACK_SNAPSHOT_REFRESH_SECONDS', '30', 'fallback.snapshots.refreshMs', 30_000],
    ['FALLBACK_SNAPSHOT_PAGE_SIZE', '100', 'fallback.snapshots.pageSize', 100],
    [
      'EDGE_PURGE_URLS',
      'http://127.0.0.1:6081,https://edge.example.org',
      'edge.purgeUrls',
      ['http://127.0.0.1:6081', 'https://edge.example.org'],
    ],
    ['EDGE_PURGE_TIMEOUT_MS', '50', 'edge.purgeTimeoutMs', 50],
    ['EDGE_TTL_DEFAULT', '0', 'edge.defaultTtlSeconds', 0],
    ['EDGE_TTL_LESSON_PLANS', '86400', 'edge.ttlOverrides', { lesson_plans: 86_400 }],
    ['RATE_LIMIT_ENABLED', 'false', 'limits.rateLimitEnabled', false],
    ['RATE_LIMIT_WINDOW_MS', '3600000', 'limits.rateLimitWindowMs', 3_600_000],
    ['RATE_LIMIT_PER_CREDENTIAL', '1', 'limits.perCredential', 1],
    ['RATE_LIMIT_PER_ADDRESS', '1000000', 'limits.perAddress', 1_000_000],
    ['RATE_LIMIT_REDIS_TIMEOUT_MS', '200', 'limits.redisTimeoutMs', 200],
    ['TRUST_PROXY', '10.0.0.0/8, 127.0.0.1', 'limits.trustProxy', ['10.0.0.0/8', '127.0.0.1']],
    ['TRUST_PROXY', '2', 'limits.trustProxy', 2],
    ['TRUST_PROXY', 'true', 'limits.trustProxy', true],
    [
      'CORS_ORIGINS',
      'https://app.example.org,https://admin.example.org',
      'limits.corsOrigins',
      ['https://app.example.org', 'https://admin.example.org'],
    ],
    ['CORS_ORIGINS', '*', 'limits.corsOrigins', '*'],
    ['GRAPHQL_MAX_DEPTH', '2', 'graphql.maxDepth', 2],
    ['GRAPHQL_MAX_COMPLEXITY', '10000000', 'graphql.maxComplexity', 10_000_000],
    ['GRAPHQL_MAX_ALIASES', '0', 'graphql.maxAliases', 0],
    ['GRAPHQL_MAX_BODY_BYTES', '1024', 'graphql.maxBodyBytes', 1024],
    ['REDIS_URL', 'rediss://cache:6379/0', 'graphql.subscriptionsRedisUrl', 'rediss://cache:6379/0'],
  ])('reads %s=%s as %s', (variable, value, setting, expected) => {
    const sut = loadAppConfig({ [variable]: value, AUTH_JWT_SECRET: 'x'.repeat(32) });
    const read = setting.split('.').reduce<unknown>((node, field) => (node as Record<string, unknown>)[field], sut);
    expect(read).toEqual(expected);
  });

  it('reports one invalid variable on one line', () => {
    const sut = problemOf({ PORT: 'eighty' });
    expect(sut.message).toBe('Invalid configuration: PORT: PORT must be an integer number (got "eighty")');
    expect(sut.problems).toEqual([{ variable: 'PORT', reason: 'PORT must be an integer number', value: '"eighty"' }]);
  });

  it('lists every invalid variable at once, across concerns, one per line', () => {
    const sut = problemOf({
      PORT: '70000',
      MONGODB_URI: 'http://db:27017',
      FALLBACK_WRITES: 'drop',
      EDGE_TTL_TEACHERS: 'soon',
      AUTH_JWT_SECRET: 'too-short',
      TRUST_PROXY: 'everyone',
      GRAPHQL_MAX_DEPTH: '1',
    });
    expect(sut.message.split('\n')).toEqual([
      'Invalid configuration: 7 variables are invalid:',
      '  PORT: PORT must not be greater than 65535 (got 70000)',
      '  MONGODB_URI: MONGODB_URI must be a mongodb:// or mongodb+srv:// URI (got "http://db:27017")',
      '  FALLBACK_WRITES: FALLBACK_WRITES must be one of the following values: queue, reject (got "drop")',
      '  EDGE_TTL_TEACHERS: EDGE_TTL_TEACHERS must be an integer number (got "soon")',
      '  AUTH_JWT_SECRET: AUTH_JWT_SECRET must be at least 32 characters',
      '  TRUST_PROXY: TRUST_PROXY must be true, a hop count, or a comma-separated list of proxy addresses or CIDR ranges (got "everyone")',
      '  GRAPHQL_MAX_DEPTH: GRAPHQL_MAX_DEPTH must not be less than 2 (got 1)',
    ]);
  });

  it('reports a variable read by several concerns once', () => {
    const sut = problemOf({ NODE_ENV: 'staging', LOG_LEVEL: 'loud' });
    expect(sut.problems.map((problem) => problem.variable)).toEqual(['NODE_ENV', 'LOG_LEVEL']);
    expect(sut.message).toMatch(/^Invalid configuration: 2 variables are invalid:\n/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadAppConfig({ MONGODB_URI: '', PORT: '', EDGE_TTL_SCHOOLS: '' })).toMatchObject({
      database: { uri: undefined },
      server: { port: 3000 },
      edge: { ttlOverrides: {} },
    });
  });

  it('accepts an EDGE_TTL_<KIND> of a kind it does not know as an override, and refuses one that is not a number', () => {
    expect(loadAppConfig({ EDGE_TTL_X: '42' }).edge.ttlOverrides).toEqual({ x: 42 });
    expect(problemOf({ EDGE_TTL_X: 'abc' }).message).toBe(
      'Invalid configuration: EDGE_TTL_X: EDGE_TTL_X must be an integer number (got "abc")',
    );
  });

  // Every variable with a value it refuses: the message names the variable, says why and echoes the value.
  it.each([
    [
      'MONGODB_URI',
      'postgres://localhost',
      'MONGODB_URI must be a mongodb:// or mongodb+srv:// URI (got "postgres://localhost")',
    ],
    ['MONGODB_DB_NAME', 'bad name', 'MONGODB_DB_NAME must be 1-63 letters, digits, _ or - (got "bad name")'],
    [
      'MONGODB_SERVER_SELECTION_TIMEOUT_MS',
      '99',
      'MONGODB_SERVER_SELECTION_TIMEOUT_MS must not be less than 100 (got 99)',
    ],
    ['MONGODB_OPERATION_TIMEOUT_MS', '49', 'MONGODB_OPERATION_TIMEOUT_MS must not be less than 50 (got 49)'],
    ['MONGODB_SOCKET_TIMEOUT_MS', '600001', 'MONGODB_SOCKET_TIMEOUT_MS must not be greater than 600000 (got 600001)'],
    ['MONGODB_MONITOR_COMMANDS', 'maybe', 'MONGODB_MONITOR_COMMANDS must be a boolean value (got "maybe")'],
    [
      'EMBEDDED_MONGO',
      'docker',
      'EMBEDDED_MONGO must be one of the following values: auto, memory-server, ferretdb (got "docker")',
    ],
    ['EDGE_TTL_X', 'abc', 'EDGE_TTL_X must be an integer number (got "abc")'],
    ['EDGE_TTL_SCHOOLS', '86401', 'EDGE_TTL_SCHOOLS must not be greater than 86400 (got 86401)'],
    ['EDGE_TTL_DEFAULT', '-1', 'EDGE_TTL_DEFAULT must not be less than 0 (got -1)'],
    [
      'EDGE_PURGE_URLS',
      'varnish:6081',
      'EDGE_PURGE_URLS must be a comma-separated list of http(s):// URLs (got "varnish:6081")',
    ],
    ['EDGE_PURGE_TIMEOUT_MS', '60001', 'EDGE_PURGE_TIMEOUT_MS must not be greater than 60000 (got 60001)'],
    ['FALLBACK_ENABLED', 'off', 'FALLBACK_ENABLED must be a boolean value (got "off")'],
    ['FALLBACK_OPERATION_TIMEOUT_MS', '9', 'FALLBACK_OPERATION_TIMEOUT_MS must not be less than 10 (got 9)'],
    ['FALLBACK_BREAKER_THRESHOLD', '0', 'FALLBACK_BREAKER_THRESHOLD must not be less than 1 (got 0)'],
    ['FALLBACK_HEARTBEAT_TIMEOUT_MS', '4', 'FALLBACK_HEARTBEAT_TIMEOUT_MS must not be less than 5 (got 4)'],
    ['FALLBACK_DEADLINE_MULTIPLE', '1', 'FALLBACK_DEADLINE_MULTIPLE must not be less than 2 (got 1)'],
    ['FALLBACK_WRITES', 'drop', 'FALLBACK_WRITES must be one of the following values: queue, reject (got "drop")'],
    ['FALLBACK_RETRY_AFTER_SECONDS', '3601', 'FALLBACK_RETRY_AFTER_SECONDS must not be greater than 3600 (got 3601)'],
    ['FALLBACK_LOG_INTERVAL_MS', 'often', 'FALLBACK_LOG_INTERVAL_MS must be an integer number (got "often")'],
    ['FALLBACK_STALE_MAX_MB', '0', 'FALLBACK_STALE_MAX_MB must not be less than 1 (got 0)'],
    [
      'FALLBACK_SNAPSHOT_COLLECTIONS',
      'schools;teachers',
      'FALLBACK_SNAPSHOT_COLLECTIONS must list collection names, comma-separated (got "schools;teachers")',
    ],
    ['GRAPHQL_IDE', 'maybe', 'GRAPHQL_IDE must be a boolean value (got "maybe")'],
    ['GRAPHQL_INTROSPECTION', 'nah', 'GRAPHQL_INTROSPECTION must be a boolean value (got "nah")'],
    ['GRAPHQL_MAX_DEPTH', '1', 'GRAPHQL_MAX_DEPTH must not be less than 2 (got 1)'],
    ['GRAPHQL_MAX_COMPLEXITY', '9', 'GRAPHQL_MAX_COMPLEXITY must not be less than 10 (got 9)'],
    ['GRAPHQL_MAX_ALIASES', '1001', 'GRAPHQL_MAX_ALIASES must not be greater than 1000 (got 1001)'],
    ['GRAPHQL_MAX_BODY_BYTES', '10485761', 'GRAPHQL_MAX_BODY_BYTES must not be greater than 10485760 (got 10485761)'],
    ['REDIS_URL', 'http://cache:6379', 'REDIS_URL must be a redis:// or rediss:// URL (got "http://cache:6379")'],
    ['RATE_LIMIT_ENABLED', 'sometimes', 'RATE_LIMIT_ENABLED must be a boolean value (got "sometimes")'],
    ['RATE_LIMIT_WINDOW_MS', '99', 'RATE_LIMIT_WINDOW_MS must not be less than 100 (got 99)'],
    [
      'RATE_LIMIT_PER_CREDENTIAL',
      '1000001',
      'RATE_LIMIT_PER_CREDENTIAL must not be greater than 1000000 (got 1000001)',
    ],
    ['RATE_LIMIT_PER_ADDRESS', '0', 'RATE_LIMIT_PER_ADDRESS must not be less than 1 (got 0)'],
    ['RATE_LIMIT_REDIS_TIMEOUT_MS', '0', 'RATE_LIMIT_REDIS_TIMEOUT_MS must not be less than 1 (got 0)'],
    [
      'TRUST_PROXY',
      'everyone',
      'TRUST_PROXY must be true, a hop count, or a comma-separated list of proxy addresses or CIDR ranges (got "everyone")',
    ],
    [
      'CORS_ORIGINS',
      'app.example.org',
      'CORS_ORIGINS must be * or a comma-separated list of origins such as https://app.example.org (got "app.example.org")',
    ],
    ['PORT', '70000', 'PORT must not be greater than 65535 (got 70000)'],
    ['PORT', '-1', 'PORT must not be less than 0 (got -1)'],
    ['PORT', '3000x', 'PORT must be an integer number (got "3000x")'],
    ['PORT', '80.5', 'PORT must be an integer number (got "80.5")'],
    [
      'NODE_ENV',
      'staging',
      'NODE_ENV must be one of the following values: development, production, test (got "staging")',
    ],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL must be one of the following values: fatal, error, warn, log, debug, verbose (got "loud")',
    ],
  ])('refuses %s=%s, naming it', (variable, value, reason) => {
    expect(() => loadAppConfig({ [variable]: value })).toThrow(`Invalid configuration: ${variable}: ${reason}`);
  });
});
