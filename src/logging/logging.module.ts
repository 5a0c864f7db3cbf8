import { Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule, type Params } from 'nestjs-pino';
import { currentRequestContext } from '../common/request-context';
import { AppConfig, LogLevelSetting } from '../config/app-config';

const PINO_LEVELS: Record<LogLevelSetting, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Probes and scrapers call these often; their requests are not worth a log line each. */
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/** The levels that drop pino-http's line per request (written at `info`). */
const QUIET_LEVELS = new Set<LogLevelSetting>(['warn', 'error', 'fatal']);

/**
 * The request a log line was written in, for the lines written while a request runs: the same `req`
 * (id, method, url, headers less the redacted ones…) that pino-http's per-request logger binds.
 */
function requestBinding(): object {
  const request = currentRequestContext()?.request;
  if (!request) return {};
  // What pino-http's serializer reads from the request besides its own fields (middie sets them for middleware).
  const raw = request.raw as IncomingMessage & { id?: unknown; query?: unknown };
  raw.id ??= request.id;
  raw.query ??= request.query;
  return { req: raw };
}

/**
 * Structured logs (pino): one JSON line per event, readable by people in a development terminal.
 * Fallback events carry an `event` field (fallback.start, fallback.end, fallback.serving, journal.replay.*).
 *
 * At `log` (info) and below, pino-http writes one line per request and gives every request a child
 * logger bound to it. At `warn` and above those lines are dropped, and building a child logger per
 * request (serializing and redacting the request each time) would cost more CPU than anything else
 * the service does on a read by id: then no per-request middleware runs, and a `mixin` adds the same
 * `req` to the few lines that are written during a request. (nestjs-pino's `PinoLogger.assign()` needs the
 * per-request logger: at those levels it throws; add request fields through `requestBinding` instead.)
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig): Params => {
        const quiet = QUIET_LEVELS.has(config.server.logLevel);
        return {
          pinoHttp: {
            level: PINO_LEVELS[config.server.logLevel],
            transport:
              config.server.environment === 'development' && process.stdout.isTTY
                ? { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname' } }
                : undefined,
            autoLogging: { ignore: (request: IncomingMessage) => QUIET_PATHS.test(request.url ?? '') },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            ...(quiet ? { mixin: requestBinding } : {}),
          },
          // No routes: pino-http's middleware is not mounted.
          ...(quiet ? { forRoutes: [] } : {}),
        };
      },
    }),
  ],
})
export class LoggingModule {}
