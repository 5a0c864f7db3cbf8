import { z } from 'zod';
import { integer, oneOf } from './environment-variables';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelSetting = (typeof LOG_LEVELS)[number];

/** NODE_ENV; also read by the concerns whose defaults depend on it (GraphQL, auth). */
export const nodeEnvironment = oneOf(['development', 'production', 'test']).default('development');

/** Where the service listens, in which mode, and how much it logs. */
export const serverConfig = z
  .object({
    NODE_ENV: nodeEnvironment,
    HOST: z.string().default('127.0.0.1'),
    PORT: integer({ min: 0, max: 65_535 }).default(3000),
    LOG_LEVEL: oneOf(LOG_LEVELS).default('log'),
  })
  .transform((variables) => ({
    /** In development schema.gql is rewritten at start and the development token secret may be used. */
    environment: variables.NODE_ENV,
    host: variables.HOST,
    port: variables.PORT,
    logLevel: variables.LOG_LEVEL,
  }));

export type ServerSettings = Readonly<z.output<typeof serverConfig>>;
