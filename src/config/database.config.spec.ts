import { loadAppConfig } from './app-config';

const settings = (env: Record<string, string>) => loadAppConfig(env).database;

describe('database settings', () => {
  it('treats an empty variable as unset', () => {
    expect(settings({ MONGODB_URI: '', MONGODB_DB_NAME: '' })).toMatchObject({ uri: undefined, name: 'schools' });
  });

  it('masks the credentials of a refused URI', () => {
    expect(() => loadAppConfig({ MONGODB_URI: 'postgres://admin:hunter2@db:5432' })).toThrow(
      'Invalid configuration: MONGODB_URI: MONGODB_URI must be a mongodb:// or mongodb+srv:// URI (got "postgres://***@db:5432")',
    );
  });
});
