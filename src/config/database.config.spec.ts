import { loadAppConfig } from './app-config';

const settings = (env: Record<string, string>) => loadAppConfig(env).database;

describe('database settings', () => {
  it('applies the documented defaults: no URI, which starts the embedded server', () => {
    expect(settings({})).toEqual({
      uri: undefined,
      name: 'schools',
      serverSelectionTimeoutMs: 5000,
      operationTimeoutMs: 5000,
      socketTimeoutMs: 10_000,
      monitorCommands: false,
      embeddedServer: 'auto',
      embeddedDataDir: '.data/embedded-mongo',
    });
  });

  it('reads and converts the variables', () => {
    const sut = settings({
      MONGODB_URI: 'mongodb+srv://cluster.example.org/?retryWrites=true',
      MONGODB_DB_NAME: 'schools_2026',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '100',
      MONGODB_OPERATION_TIMEOUT_MS: '120000',
      MONGODB_SOCKET_TIMEOUT_MS: '600000',
      MONGODB_MONITOR_COMMANDS: 'YES',
      EMBEDDED_MONGO: 'ferretdb',
      EMBEDDED_MONGO_DATA_DIR: '/var/lib/school-data',
    });
    expect(sut).toEqual({
      uri: 'mongodb+srv://cluster.example.org/?retryWrites=true',
      name: 'schools_2026',
      serverSelectionTimeoutMs: 100,
      operationTimeoutMs: 120_000,
      socketTimeoutMs: 600_000,
      monitorCommands: true,
      embeddedServer: 'ferretdb',
      embeddedDataDir: '/var/lib/school-data',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(settings({ MONGODB_URI: '', MONGODB_DB_NAME: '' })).toMatchObject({ uri: undefined, name: 'schools' });
  });

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
  ])('refuses %s=%s, naming it', (variable, value, reason) => {
    expect(() => loadAppConfig({ [variable]: value })).toThrow(`Invalid configuration: ${variable}: ${reason}`);
  });

  it('masks the credentials of a refused URI', () => {
    expect(() => loadAppConfig({ MONGODB_URI: 'postgres://admin:hunter2@db:5432' })).toThrow(
      'Invalid configuration: MONGODB_URI: MONGODB_URI must be a mongodb:// or mongodb+srv:// URI (got "postgres://***@db:5432")',
    );
  });
});
