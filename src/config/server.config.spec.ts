import { loadAppConfig } from './app-config';

const settings = (env: Record<string, string>) => loadAppConfig(env).server;

describe('server settings', () => {
  it('applies the documented defaults', () => {
    expect(settings({})).toEqual({ environment: 'development', host: '127.0.0.1', port: 3000, logLevel: 'log' });
  });

  it('reads and converts the variables', () => {
    const sut = settings({
      NODE_ENV: 'test',
      HOST: '0.0.0.0',
      PORT: ' 8080 ',
      LOG_LEVEL: 'debug',
      AUTH_JWT_SECRET: 'x'.repeat(32),
    });
    expect(sut).toEqual({ environment: 'test', host: '0.0.0.0', port: 8080, logLevel: 'debug' });
  });

  it.each(['0', '65535'])('accepts PORT=%s, at its bounds', (port) => {
    expect(settings({ PORT: port }).port).toBe(Number(port));
  });

  it.each([
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
