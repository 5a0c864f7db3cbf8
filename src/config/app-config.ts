import { plainToInstance, Transform } from 'class-transformer';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  if (['true', '1', 'yes'].includes(value.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(value.toLowerCase())) return false;
  return value;
};

const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/** Environment variables the service reads, with their defaults; documented in the README. */
class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: AppConfig['environment'] = 'development';

  @IsString()
  @IsOptional()
  HOST = '127.0.0.1';

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsOptional()
  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, { message: 'MONGODB_URI must be a mongodb:// or mongodb+srv:// URI' })
  MONGODB_URI?: string;

  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,63}$/, { message: 'MONGODB_DB_NAME must be 1-63 letters, digits, _ or -' })
  MONGODB_DB_NAME = 'schools';

  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(120_000)
  MONGODB_SERVER_SELECTION_TIMEOUT_MS = 5000;

  @Transform(toInteger)
  @IsInt()
  @Min(50)
  @Max(120_000)
  MONGODB_OPERATION_TIMEOUT_MS = 5000;

  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(600_000)
  MONGODB_SOCKET_TIMEOUT_MS = 10_000;

  @Transform(toBoolean)
  @IsBoolean()
  MONGODB_MONITOR_COMMANDS = false;

  @IsIn(['auto', 'memory-server', 'ferretdb'])
  EMBEDDED_MONGO: AppConfig['embeddedMongo'] = 'auto';

  @IsString()
  EMBEDDED_MONGO_DATA_DIR = '.data/embedded-mongo';

  @Transform(toBoolean)
  @IsBoolean()
  @IsOptional()
  GRAPHQL_IDE?: boolean;

  @Transform(toBoolean)
  @IsBoolean()
  FALLBACK_ENABLED = true;

  @Transform(toBoolean)
  @IsBoolean()
  FALLBACK_BREAKER_ENABLED = true;

  @Transform(toInteger)
  @IsInt()
  @Min(10)
  @Max(60_000)
  FALLBACK_OPERATION_TIMEOUT_MS = 750;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1000)
  FALLBACK_BREAKER_THRESHOLD = 3;

  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(600_000)
  FALLBACK_HALF_OPEN_AFTER_MS = 500;

  @IsIn(['queue', 'reject'])
  FALLBACK_WRITES: AppConfig['fallback']['writes'] = 'queue';

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(3600)
  FALLBACK_RETRY_AFTER_SECONDS = 5;

  @IsString()
  FALLBACK_JOURNAL_PATH = '.data/fallback-journal.sqlite';

  @Transform(toBoolean)
  @IsBoolean()
  FALLBACK_DRILL = false;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  FALLBACK_LOG_INTERVAL_MS = 10_000;

  @IsOptional()
  @Matches(/^(https?:\/\/[^\s,]+)(,https?:\/\/[^\s,]+)*$/, {
    message: 'EDGE_PURGE_URLS must be a comma-separated list of http(s):// URLs',
  })
  EDGE_PURGE_URLS?: string;

  @Transform(toInteger)
  @IsInt()
  @Min(50)
  @Max(60_000)
  EDGE_PURGE_TIMEOUT_MS = 1000;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(86_400)
  EDGE_TTL_SCHOOLS = 300;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(86_400)
  EDGE_TTL_HEADMASTERS = 120;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(86_400)
  EDGE_TTL_TEACHERS = 60;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(86_400)
  EDGE_TTL_DASHBOARD = 30;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(86_400)
  EDGE_TTL_DEFAULT = 60;

  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: LogLevelSetting = 'log';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'AUTH_JWT_SECRET must be at least 32 characters' })
  AUTH_JWT_SECRET?: string;

  @IsOptional()
  @IsString()
  AUTH_JWT_PUBLIC_KEY_FILE?: string;

  @IsOptional()
  @IsString()
  AUTH_JWKS_FILE?: string;

  @IsOptional()
  @IsString()
  AUTH_JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  AUTH_JWT_AUDIENCE?: string;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(300)
  AUTH_CLOCK_TOLERANCE_SECONDS = 5;

  @Transform(toBoolean)
  @IsBoolean()
  RATE_LIMIT_ENABLED = true;

  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  RATE_LIMIT_WINDOW_MS = 1000;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_CREDENTIAL = 1000;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_ADDRESS = 100;

  @IsOptional()
  @Matches(/^(\d{1,2}|true|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
    message: 'TRUST_PROXY must be true, a hop count, or a comma-separated list of proxy addresses or CIDR ranges',
  })
  TRUST_PROXY?: string;

  @IsOptional()
  @Matches(/^(\*|https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*)$/, {
    message: 'CORS_ORIGINS must be * or a comma-separated list of origins such as https://app.example.org',
  })
  CORS_ORIGINS?: string;

  @Transform(toBoolean)
  @IsBoolean()
  @IsOptional()
  GRAPHQL_INTROSPECTION?: boolean;

  @Transform(toInteger)
  @IsInt()
  @Min(2)
  @Max(100)
  GRAPHQL_MAX_DEPTH = 10;

  @Transform(toInteger)
  @IsInt()
  @Min(10)
  @Max(10_000_000)
  GRAPHQL_MAX_COMPLEXITY = 5000;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(1000)
  GRAPHQL_MAX_ALIASES = 30;

  @Transform(toInteger)
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  GRAPHQL_MAX_BODY_BYTES = 100 * 1024;
}

export type LogLevelSetting = 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** Validated, typed settings. Injected by its class. */
export class AppConfig {
  readonly environment!: 'development' | 'production' | 'test';
  readonly host!: string;
  readonly port!: number;
  /** Unset means: start the embedded database (see src/database/embedded-mongo.ts). */
  readonly mongodbUri?: string;
  readonly mongodbDbName!: string;
  readonly mongodbServerSelectionTimeoutMs!: number;
  readonly mongodbOperationTimeoutMs!: number;
  /** How long the driver waits on a silent socket (a hung server) before closing it. */
  readonly mongodbSocketTimeoutMs!: number;
  /** Makes the driver emit an event per database command (logged at debug level; used by tests to count round trips). */
  readonly mongodbMonitorCommands!: boolean;
  readonly embeddedMongo!: 'auto' | 'memory-server' | 'ferretdb';
  readonly embeddedMongoDataDir!: string;
  readonly graphqlIde!: boolean;
  /** Redis for GraphQL subscription events shared by every instance; unset: events stay in this process. */
  readonly redisUrl?: string;
  readonly logLevel!: LogLevelSetting;
  readonly fallback!: FallbackSettings;
  readonly edge!: EdgeSettings;
  readonly auth!: AuthSettings;
  readonly limits!: LimitSettings;
}

/** The development secret: used only with NODE_ENV=development and no key configured (README, "Security"). */
export const DEVELOPMENT_JWT_SECRET = 'school-data-service-development-only-secret-0123456789';

/** How bearer tokens are verified: one key source, from AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY_FILE or AUTH_JWKS_FILE. */
export interface AuthSettings {
  readonly key:
    | { readonly kind: 'secret'; readonly secret: Uint8Array; readonly development: boolean }
    | { readonly kind: 'public-key'; readonly publicKey: KeyObject }
    | { readonly kind: 'jwks'; readonly jwks: { keys: Record<string, unknown>[] } };
  readonly issuer?: string;
  readonly audience?: string;
  readonly clockToleranceSeconds: number;
}

/** Abuse limits: request rates, client addresses behind proxies, CORS, GraphQL document limits. */
export interface LimitSettings {
  readonly rateLimitEnabled: boolean;
  readonly rateLimitWindowMs: number;
  /** Requests per window for one authenticated subject. */
  readonly perCredential: number;
  /** Requests per window for one anonymous client address. */
  readonly perAddress: number;
  /** Fastify's trustProxy: which proxies' X-Forwarded-For to believe; false: none. */
  readonly trustProxy: boolean | number | string[];
  /** Browser origins allowed by CORS; empty: none; `*`: any. */
  readonly corsOrigins: string[] | '*';
  readonly graphqlIntrospection: boolean;
  readonly graphqlMaxDepth: number;
  readonly graphqlMaxComplexity: number;
  readonly graphqlMaxAliases: number;
  readonly graphqlMaxBodyBytes: number;
}

/** How responses are marked for edge caches and which edges are purged after writes (see README, "Edge cache"). */
export interface EdgeSettings {
  /** Edges (Varnish) that receive an xkey purge after every write. */
  readonly purgeUrls: string[];
  readonly purgeTimeoutMs: number;
  /** Seconds an edge may keep answers, by what they contain: collections, and hinted fields such as `dashboard`. */
  readonly ttlSeconds: Readonly<Record<string, number>>;
  /** The TTL of a kind of data without a setting of its own (a new module's collection); 0: never cached. */
  readonly defaultTtlSeconds: number;
}

/** How the service answers while the database is unavailable (see README, "Fallback"). */
export interface FallbackSettings {
  /** Answer from backup data when the database fails; off means database errors reach clients. */
  readonly enabled: boolean;
  /** Circuit breaker and per-operation time limit; off is the naive design (try, catch, then fixtures). */
  readonly breakerEnabled: boolean;
  readonly operationTimeoutMs: number;
  /** Consecutive database failures that open the breaker. */
  readonly breakerThreshold: number;
  /** How long the breaker stays open before one operation probes the database again. */
  readonly halfOpenAfterMs: number;
  /** `queue`: accept writes into the durable journal; `reject`: answer 503 with Retry-After. */
  readonly writes: 'queue' | 'reject';
  readonly retryAfterSeconds: number;
  readonly journalPath: string;
  /** Start in drill mode: degraded on purpose, without touching the database. */
  readonly drill: boolean;
  /** At most one "serving backup data" log line per this interval. */
  readonly logIntervalMs: number;
}

export class InvalidConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable}: ${detail}`);
  }
}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const variables = plainToInstance(EnvironmentVariables, defined, { exposeDefaultValues: true });
  const [firstError] = validateSync(variables, { whitelist: false, stopAtFirstError: true });
  if (firstError) {
    const detail = Object.values(firstError.constraints ?? {})[0] ?? 'invalid value';
    throw new InvalidConfigError(firstError.property, `${detail} (got ${JSON.stringify(firstError.value)})`);
  }
  const graphqlIde = variables.GRAPHQL_IDE ?? variables.NODE_ENV !== 'production';
  return Object.assign(new AppConfig(), {
    environment: variables.NODE_ENV,
    host: variables.HOST,
    port: variables.PORT,
    mongodbUri: variables.MONGODB_URI,
    mongodbDbName: variables.MONGODB_DB_NAME,
    mongodbServerSelectionTimeoutMs: variables.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
    mongodbOperationTimeoutMs: variables.MONGODB_OPERATION_TIMEOUT_MS,
    mongodbSocketTimeoutMs: variables.MONGODB_SOCKET_TIMEOUT_MS,
    mongodbMonitorCommands: variables.MONGODB_MONITOR_COMMANDS,
    embeddedMongo: variables.EMBEDDED_MONGO,
    embeddedMongoDataDir: variables.EMBEDDED_MONGO_DATA_DIR,
    graphqlIde,
    redisUrl: variables.REDIS_URL,
    logLevel: variables.LOG_LEVEL,
    fallback: {
      enabled: variables.FALLBACK_ENABLED,
      breakerEnabled: variables.FALLBACK_BREAKER_ENABLED,
      operationTimeoutMs: variables.FALLBACK_OPERATION_TIMEOUT_MS,
      breakerThreshold: variables.FALLBACK_BREAKER_THRESHOLD,
      halfOpenAfterMs: variables.FALLBACK_HALF_OPEN_AFTER_MS,
      writes: variables.FALLBACK_WRITES,
      retryAfterSeconds: variables.FALLBACK_RETRY_AFTER_SECONDS,
      journalPath: variables.FALLBACK_JOURNAL_PATH,
      drill: variables.FALLBACK_DRILL,
      logIntervalMs: variables.FALLBACK_LOG_INTERVAL_MS,
    },
    edge: {
      purgeUrls: variables.EDGE_PURGE_URLS?.split(',') ?? [],
      purgeTimeoutMs: variables.EDGE_PURGE_TIMEOUT_MS,
      ttlSeconds: {
        schools: variables.EDGE_TTL_SCHOOLS,
        headmasters: variables.EDGE_TTL_HEADMASTERS,
        teachers: variables.EDGE_TTL_TEACHERS,
        dashboard: variables.EDGE_TTL_DASHBOARD,
      },
      defaultTtlSeconds: variables.EDGE_TTL_DEFAULT,
    },
    auth: {
      key: tokenKey(variables),
      issuer: variables.AUTH_JWT_ISSUER,
      audience: variables.AUTH_JWT_AUDIENCE,
      clockToleranceSeconds: variables.AUTH_CLOCK_TOLERANCE_SECONDS,
    },
    limits: {
      rateLimitEnabled: variables.RATE_LIMIT_ENABLED,
      rateLimitWindowMs: variables.RATE_LIMIT_WINDOW_MS,
      perCredential: variables.RATE_LIMIT_PER_CREDENTIAL,
      perAddress: variables.RATE_LIMIT_PER_ADDRESS,
      trustProxy: trustProxy(variables.TRUST_PROXY),
      corsOrigins: corsOrigins(variables.CORS_ORIGINS),
      graphqlIntrospection: variables.GRAPHQL_INTROSPECTION ?? graphqlIde,
      graphqlMaxDepth: variables.GRAPHQL_MAX_DEPTH,
      graphqlMaxComplexity: variables.GRAPHQL_MAX_COMPLEXITY,
      graphqlMaxAliases: variables.GRAPHQL_MAX_ALIASES,
      graphqlMaxBodyBytes: variables.GRAPHQL_MAX_BODY_BYTES,
    },
  } satisfies AppConfig);
}

function tokenKey(variables: EnvironmentVariables): AuthSettings['key'] {
  const sources = (['AUTH_JWT_SECRET', 'AUTH_JWT_PUBLIC_KEY_FILE', 'AUTH_JWKS_FILE'] as const).filter(
    (name) => variables[name] !== undefined,
  );
  if (sources.length > 1) {
    throw new InvalidConfigError(sources[1], `set only one of ${sources.join(', ')}`);
  }
  if (variables.AUTH_JWT_SECRET !== undefined) {
    return { kind: 'secret', secret: new TextEncoder().encode(variables.AUTH_JWT_SECRET), development: false };
  }
  if (variables.AUTH_JWT_PUBLIC_KEY_FILE !== undefined) {
    const file = variables.AUTH_JWT_PUBLIC_KEY_FILE;
    try {
      const publicKey = createPublicKey(readFileSync(file));
      if (publicKey.asymmetricKeyType !== 'rsa')
        throw new Error(`an RSA key is needed, not ${publicKey.asymmetricKeyType}`);
      return { kind: 'public-key', publicKey };
    } catch (error) {
      throw new InvalidConfigError('AUTH_JWT_PUBLIC_KEY_FILE', `${file}: ${(error as Error).message}`);
    }
  }
  if (variables.AUTH_JWKS_FILE !== undefined) {
    const file = variables.AUTH_JWKS_FILE;
    let jwks: unknown;
    try {
      jwks = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new InvalidConfigError('AUTH_JWKS_FILE', `${file}: ${(error as Error).message}`);
    }
    const keys = (jwks as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'object' && key !== null)) {
      throw new InvalidConfigError(
        'AUTH_JWKS_FILE',
        `${file}: a JSON Web Key Set {"keys": [...]} with at least one key is needed`,
      );
    }
    return { kind: 'jwks', jwks: { keys: keys as Record<string, unknown>[] } };
  }
  if (variables.NODE_ENV !== 'development') {
    throw new InvalidConfigError(
      'AUTH_JWT_SECRET',
      `a token key is needed outside development: set AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY_FILE or AUTH_JWKS_FILE (NODE_ENV is ${variables.NODE_ENV})`,
    );
  }
  return { kind: 'secret', secret: new TextEncoder().encode(DEVELOPMENT_JWT_SECRET), development: true };
}

function trustProxy(setting: string | undefined): LimitSettings['trustProxy'] {
  if (setting === undefined) return false;
  if (setting === 'true') return true;
  if (/^\d+$/.test(setting)) return Number(setting);
  return setting.split(',').map((entry) => entry.trim());
}

function corsOrigins(setting: string | undefined): LimitSettings['corsOrigins'] {
  if (setting === undefined) return [];
  if (setting === '*') return '*';
  return setting.split(',').map((origin) => origin.trim());
}
