import { z } from 'zod';
import { boolean, integer, matching } from './environment-variables';
import { nodeEnvironment } from './server.config';

/** The GraphQL endpoint: its IDE, introspection, the limits of one operation, subscription events. */
export const graphqlConfig = z
  .object({
    NODE_ENV: nodeEnvironment,
    GRAPHQL_IDE: boolean().optional(),
    GRAPHQL_INTROSPECTION: boolean().optional(),
    GRAPHQL_MAX_DEPTH: integer({ min: 2, max: 100 }).default(10),
    GRAPHQL_MAX_COMPLEXITY: integer({ min: 10, max: 10_000_000 }).default(5000),
    GRAPHQL_MAX_ALIASES: integer({ min: 0, max: 1000 }).default(30),
    GRAPHQL_MAX_BODY_BYTES: integer({ min: 1024, max: 10 * 1024 * 1024 }).default(100 * 1024),
    REDIS_URL: matching(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').optional(),
  })
  .transform((variables) => {
    const ide = variables.GRAPHQL_IDE ?? variables.NODE_ENV !== 'production';
    return {
      /** Serve the GraphQL IDE (off in production unless asked for). */
      ide,
      introspection: variables.GRAPHQL_INTROSPECTION ?? ide,
      maxDepth: variables.GRAPHQL_MAX_DEPTH,
      /** Estimated cost: fields times page limits. */
      maxComplexity: variables.GRAPHQL_MAX_COMPLEXITY,
      maxAliases: variables.GRAPHQL_MAX_ALIASES,
      maxBodyBytes: variables.GRAPHQL_MAX_BODY_BYTES,
      /** Redis for subscription events shared by every instance; unset: events stay in this process. */
      subscriptionsRedisUrl: variables.REDIS_URL,
    };
  });

export type GraphqlSettings = Readonly<z.output<typeof graphqlConfig>>;
