import type { z } from 'zod';
import { authConfig, type AuthSettings } from './auth.config';
import { databaseConfig, type DatabaseSettings } from './database.config';
import { edgeConfig, type EdgeSettings } from './edge.config';
import type { Environment } from './environment-variables';
import { fallbackConfig, type FallbackSettings } from './fallback.config';
import { graphqlConfig, type GraphqlSettings } from './graphql.config';
import { configProblems, InvalidConfigError, type ConfigProblem } from './invalid-config.error';
import { limitsConfig, type LimitSettings } from './limits.config';
import { serverConfig, type ServerSettings } from './server.config';

export type { AuthSettings, DatabaseSettings, EdgeSettings, FallbackSettings, GraphqlSettings, LimitSettings };
export type { LogLevelSetting, ServerSettings } from './server.config';
export { InvalidConfigError } from './invalid-config.error';

/** Each section of the settings and the schema that reads it from the environment. */
const CONCERNS = {
  server: serverConfig,
  database: databaseConfig,
  fallback: fallbackConfig,
  edge: edgeConfig,
  auth: authConfig,
  limits: limitsConfig,
  graphql: graphqlConfig,
} satisfies Record<keyof AppConfig, z.ZodType>;

/** Validated, typed settings, one section per concern (README, "Configuration"). Injected by its class. */
export class AppConfig {
  readonly server!: ServerSettings;
  readonly database!: DatabaseSettings;
  readonly fallback!: FallbackSettings;
  readonly edge!: EdgeSettings;
  readonly auth!: AuthSettings;
  readonly limits!: LimitSettings;
  readonly graphql!: GraphqlSettings;
}

/** Reads every concern's variables; a bad environment throws InvalidConfigError listing every invalid variable. */
export function loadAppConfig(env: Environment = process.env): AppConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const sections: Partial<Record<keyof AppConfig, unknown>> = {};
  // Keyed by variable: one read by several concerns (NODE_ENV) is reported once.
  const problems = new Map<string, ConfigProblem>();
  for (const [section, schema] of Object.entries(CONCERNS)) {
    const result = schema.safeParse(defined, { reportInput: true });
    if (result.success) {
      sections[section as keyof AppConfig] = result.data;
      continue;
    }
    for (const problem of configProblems(result.error)) {
      if (!problems.has(problem.variable)) problems.set(problem.variable, problem);
    }
  }
  if (problems.size > 0) throw new InvalidConfigError([...problems.values()]);
  return Object.assign(new AppConfig(), sections);
}
