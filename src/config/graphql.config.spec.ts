import { loadAppConfig } from './app-config';

const SECRET = 'a-production-secret-of-at-least-32-chars';
const settings = (env: Record<string, string>) => loadAppConfig(env).graphql;

describe('GraphQL settings', () => {
  it('turns the IDE and introspection off by default in production', () => {
    expect(settings({ NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET })).toMatchObject({
      ide: false,
      introspection: false,
    });
  });

  it('lets introspection be switched on its own', () => {
    const sut = settings({ NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET, GRAPHQL_INTROSPECTION: 'true' });
    expect(sut).toMatchObject({ ide: false, introspection: true });
    expect(settings({ GRAPHQL_IDE: 'false' })).toMatchObject({ ide: false, introspection: false });
  });
});
