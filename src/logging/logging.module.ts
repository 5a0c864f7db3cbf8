import { Module } from '@nestjs/common';
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

/** The request a line was written in (id, method, URL), for the lines written while a request runs. */
function requestBinding(): object {
  const request = currentRequestContext()?.request;
  return request ? { req: { id: request.id, method: request.method, url: request.url } } : {};
}

/** pino-pretty is a development tool: where it is not installed (`npm ci --omit=dev`), lines stay JSON. */
function prettyPrinterInstalled(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * Structured logs (pino): one JSON line per event in production and tests, readable lines (pino-pretty) in
 * development. Fallback events carry an `event` field (fallback.start, fallback.end, fallback.serving,
 * journal.replay.*). Lines written while a request runs carry its `req` (id, method, URL). The line per answered
 * request is written by the HTTP pipeline (src/bootstrap/http-pipeline.ts), not by a per-request logger: building
 * one per request costs more CPU than anything else the service does on a read by id.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig): Params => ({
        pinoHttp: {
          level: PINO_LEVELS[config.server.logLevel],
          transport:
            config.server.environment === 'development' && prettyPrinterInstalled()
              ? { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname' } }
              : undefined,
          mixin: requestBinding,
        },
        // No per-request middleware (see above).
        forRoutes: [],
      }),
    }),
  ],
})
export class LoggingModule {}
