import { z } from 'zod';
import { boolean, integer, matching, oneOf } from './environment-variables';

/** MongoDB, or the embedded server started when no MONGODB_URI is given. */
export const databaseConfig = z
  .object({
    MONGODB_URI: matching(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a mongodb:// or mongodb+srv:// URI').optional(),
    MONGODB_DB_NAME: matching(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1-63 letters, digits, _ or -').default('schools'),
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: integer({ min: 100, max: 120_000 }).default(5000),
    MONGODB_OPERATION_TIMEOUT_MS: integer({ min: 50, max: 120_000 }).default(5000),
    MONGODB_SOCKET_TIMEOUT_MS: integer({ min: 100, max: 600_000 }).default(10_000),
    MONGODB_MONITOR_COMMANDS: boolean().default(false),
    EMBEDDED_MONGO: oneOf(['auto', 'memory-server', 'ferretdb']).default('auto'),
    EMBEDDED_MONGO_DATA_DIR: z.string().default('.data/embedded-mongo'),
  })
  .transform((variables) => ({
    /** Unset means: start the embedded database (see src/database/embedded-mongo.ts). */
    uri: variables.MONGODB_URI,
    name: variables.MONGODB_DB_NAME,
    serverSelectionTimeoutMs: variables.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
    /** Server-side time limit (maxTimeMS) of every read. */
    operationTimeoutMs: variables.MONGODB_OPERATION_TIMEOUT_MS,
    /** How long the driver waits on a silent socket (a hung server) before closing it. */
    socketTimeoutMs: variables.MONGODB_SOCKET_TIMEOUT_MS,
    /** Makes the driver emit an event per database command (logged at debug level; used by tests to count round trips). */
    monitorCommands: variables.MONGODB_MONITOR_COMMANDS,
    /** Which embedded server to start without MONGODB_URI. */
    embeddedServer: variables.EMBEDDED_MONGO,
    embeddedDataDir: variables.EMBEDDED_MONGO_DATA_DIR,
  }));

export type DatabaseSettings = Readonly<z.output<typeof databaseConfig>>;
