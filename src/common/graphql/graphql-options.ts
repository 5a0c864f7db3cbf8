import { ApolloDriverConfig } from '@nestjs/apollo';
import { join } from 'node:path';
import type { AppConfig } from '../../config/app-config';
import { formatGraphqlError } from '../errors/graphql-error-formatter';
import { graphqlIdeLandingPagePlugin } from '../graphql-ide/graphql-ide';
import type { GraphqlContext } from './request-loaders';

/** The committed schema file, rewritten when the service starts in development. */
export const SCHEMA_FILE = join(__dirname, '..', '..', '..', 'schema.gql');

export async function graphqlOptions(config: AppConfig): Promise<Omit<ApolloDriverConfig, 'driver'>> {
  const { ApolloServerPluginLandingPageDisabled } = await import('@apollo/server/plugin/disabled');
  return {
    path: '/graphql',
    autoSchemaFile: config.environment === 'development' ? SCHEMA_FILE : true,
    sortSchema: true,
    graphiql: false,
    introspection: config.graphqlIde,
    plugins: [
      config.graphqlIde
        ? graphqlIdeLandingPagePlugin({ endpoint: '/graphql' })
        : ApolloServerPluginLandingPageDisabled(),
    ],
    // CSRF prevention guards cookie-authenticated browsers; this API uses no cookies, and plain GETs
    // (edge caching, GraphQL-over-HTTP clients) must work.
    csrfPrevention: false,
    formatError: formatGraphqlError,
    context: ({ req }: { req: unknown }): GraphqlContext => ({ req }),
  };
}
