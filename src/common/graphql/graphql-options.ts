import { ApolloDriverConfig } from '@nestjs/apollo';
import { join } from 'node:path';
import type { AppConfig } from '../../config/app-config';
import { formatGraphqlError } from '../errors/graphql-error-formatter';
import { graphqlIdeLandingPagePlugin } from '../graphql-ide/graphql-ide';
import { graphqlCacheabilityPlugin } from '../../edge/edge-cache-headers';
import { dataSourceGraphqlPlugin } from '../../fallback/data-source-marking';
import { graphqlWsOptions } from '../../subscriptions/graphql-ws';
import type { GraphqlContext } from './request-loaders';

/** The committed schema file, rewritten when the service starts in development. */
export const SCHEMA_FILE = join(__dirname, '..', '..', '..', 'schema.gql');

export function graphqlOptions(config: AppConfig): Omit<ApolloDriverConfig, 'driver'> {
  return {
    path: '/graphql',
    autoSchemaFile: config.environment === 'development' ? SCHEMA_FILE : true,
    sortSchema: true,
    graphiql: false,
    introspection: config.graphqlIde,
    // With `graphiql: false` the driver adds Apollo's landing-page-disabled plugin; the IDE plugin, when on, renders instead.
    plugins: [
      ...(config.graphqlIde ? [graphqlIdeLandingPagePlugin({ endpoint: '/graphql' })] : []),
      dataSourceGraphqlPlugin(),
      graphqlCacheabilityPlugin(),
    ],
    // CSRF prevention guards cookie-authenticated browsers; this API uses no cookies, and plain GETs
    // (edge caching, GraphQL-over-HTTP clients) must work.
    csrfPrevention: false,
    formatError: formatGraphqlError,
    // Subscriptions over WebSocket (graphql-ws) at the same path.
    subscriptions: { 'graphql-ws': graphqlWsOptions() },
    context: ({ req }: { req: unknown }): GraphqlContext => ({ req }),
  };
}
