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
  /** Makes the driver emit an event per database command (logged at debug level; used by tests to count round trips). */
  readonly mongodbMonitorCommands!: boolean;
  readonly embeddedMongo!: 'auto' | 'memory-server' | 'ferretdb';
  readonly embeddedMongoDataDir!: string;
  readonly graphqlIde!: boolean;
  readonly logLevel!: LogLevelSetting;
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
    mongodbMonitorCommands: variables.MONGODB_MONITOR_COMMANDS,
    embeddedMongo: variables.EMBEDDED_MONGO,
    embeddedMongoDataDir: variables.EMBEDDED_MONGO_DATA_DIR,
    graphqlIde: variables.GRAPHQL_IDE ?? variables.NODE_ENV !== 'production',
    logLevel: variables.LOG_LEVEL,
  } satisfies AppConfig);
}
