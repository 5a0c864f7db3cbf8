import { InvalidConfigError, loadAppConfig } from './app-config';

describe(loadAppConfig.name, () => {
  it('applies the documented defaults', () => {
    const sut = loadAppConfig({});
    expect(sut).toMatchObject({
      environment: 'development',
      host: '127.0.0.1',
      port: 3000,
      mongodbUri: undefined,
      mongodbDbName: 'schools',
      embeddedMongo: 'auto',
      graphqlIde: true,
      logLevel: 'log',
    });
  });

  it('reads and converts the variables', () => {
    const sut = loadAppConfig({
      PORT: '8080',
      MONGODB_URI: 'mongodb://db:27017',
      GRAPHQL_IDE: 'false',
      NODE_ENV: 'production',
    });
    expect(sut.port).toBe(8080);
    expect(sut.mongodbUri).toBe('mongodb://db:27017');
    expect(sut.graphqlIde).toBe(false);
  });

  it('reads REDIS_URL, unset by default', () => {
    expect(loadAppConfig({}).redisUrl).toBeUndefined();
    expect(loadAppConfig({ REDIS_URL: 'redis://cache:6379/0' }).redisUrl).toBe('redis://cache:6379/0');
  });

  it('turns the IDE off by default in production', () => {
    expect(loadAppConfig({ NODE_ENV: 'production' }).graphqlIde).toBe(false);
  });

  it('treats an empty variable as unset', () => {
    expect(loadAppConfig({ MONGODB_URI: '' }).mongodbUri).toBeUndefined();
  });

  it.each([
    ['PORT', '3000x'],
    ['PORT', '70000'],
    ['MONGODB_URI', 'postgres://localhost'],
    ['MONGODB_DB_NAME', 'bad name'],
    ['EMBEDDED_MONGO', 'docker'],
    ['GRAPHQL_IDE', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'http://cache:6379'],
  ])('rejects an invalid %s with an error naming it', (variable, value) => {
    expect(() => loadAppConfig({ [variable]: value })).toThrow(InvalidConfigError);
    expect(() => loadAppConfig({ [variable]: value })).toThrow(new RegExp(`^Invalid configuration: ${variable}:`));
  });
});
