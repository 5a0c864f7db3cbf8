import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

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

  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: LogLevelSetting = 'log';
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
}

/** How responses are marked for edge caches and which edges are purged after writes (see README, "Edge cache"). */
export interface EdgeSettings {
  /** Edges (Varnish) that receive an xkey purge after every write. */
  readonly purgeUrls: string[];
  readonly purgeTimeoutMs: number;
  /** Seconds an edge may keep answers, by what they contain: collections, and hinted fields such as `dashboard`. */
  readonly ttlSeconds: Readonly<Record<string, number>>;
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
    graphqlIde: variables.GRAPHQL_IDE ?? variables.NODE_ENV !== 'production',
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
    },
  } satisfies AppConfig);
}
