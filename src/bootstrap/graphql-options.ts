import { ApolloDriverConfig } from '@nestjs/apollo';
import type { FastifyRequest } from 'fastify';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import type { ResponsePolicy } from '../edge/response-policy';
import { graphqlLimitsPlugin, graphqlLimitsRule, type GraphqlDocumentLimits } from '../security/graphql-limits';
import { ANONYMOUS } from '../common/principal';
import type { RateLimiter } from '../security/rate-limiter';
import type { RequestGate } from '../security/request-gate';
import { graphqlWsOptions } from '../subscriptions/graphql-ws';
import { formatGraphqlError } from '../common/errors/graphql-error-formatter';
import { graphqlIdeLandingPagePlugin } from './graphql-ide';
import type { GraphqlContext } from '../common/graphql/request-loaders';

/** The committed schema file, rewritten when the service starts in development. */
export const SCHEMA_FILE = join(__dirname, '..', '..', 'schema.gql');

export function graphqlOptions(
  config: AppConfig,
  gate: RequestGate,
  rates: RateLimiter,
  responses: ResponsePolicy,
): Omit<ApolloDriverConfig, 'driver'> {
  const { graphql } = config;
  const documentLimits: GraphqlDocumentLimits = {
    maxDepth: graphql.maxDepth,
    maxAliases: graphql.maxAliases,
    maxCost: graphql.maxComplexity,
  };
  return {
    path: '/graphql',
    autoSchemaFile: config.server.environment === 'development' ? SCHEMA_FILE : true,
    sortSchema: true,
    graphiql: false,
    introspection: graphql.introspection,
    // Without introspection, error messages do not suggest field names ("Did you mean …?") either.
    hideSchemaDetailsFromClientErrors: !graphql.introspection,
    includeStacktraceInErrorResponses: false,
    // Apollo's own guard against documents whose fragments multiply into millions of selections.
    maxRecursiveSelections: true,
    // With `graphiql: false` the driver adds Apollo's landing-page-disabled plugin; the IDE plugin, when on, renders instead.
    plugins: [
      ...(graphql.ide ? [graphqlIdeLandingPagePlugin({ endpoint: '/graphql' })] : []),
      graphqlLimitsPlugin(documentLimits),
      responses.graphqlPlugin(),
    ],
    // CSRF prevention guards cookie-authenticated browsers; this API uses bearer tokens, no cookies, and plain GETs
    // (edge caching, GraphQL-over-HTTP clients) must work.
    csrfPrevention: false,
    formatError: formatGraphqlError,
    // Interceptors of field resolvers run (cache hints on relations such as Headmaster.dashboard).
    fieldResolverEnhancers: ['interceptors'],
    // Subscriptions over WebSocket (graphql-ws) at the same path.
    subscriptions: { 'graphql-ws': graphqlWsOptions(gate, rates, graphqlLimitsRule(documentLimits)) },
    // The Fastify integration passes the request itself.
    context: (request: FastifyRequest): GraphqlContext => ({
      req: request,
      principal: request.context?.principal ?? ANONYMOUS,
    }),
  };
}
