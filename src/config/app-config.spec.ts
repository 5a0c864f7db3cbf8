import { AppConfig, InvalidConfigError, loadAppConfig } from './app-config';

function problemOf(env: Record<string, string>): InvalidConfigError {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe(loadAppConfig.name, () => {
  it('returns an AppConfig with one section per concern', () => {
    const sut = loadAppConfig({});
    expect(sut).toBeInstanceOf(AppConfig);
    expect(Object.keys(sut).sort()).toEqual(['auth', 'database', 'edge', 'fallback', 'graphql', 'limits', 'server']);
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
});
