import { Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
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

/**
 * Structured logs (pino): one JSON line per event, readable by people in a development terminal.
 * Fallback events carry an `event` field (fallback.start, fallback.end, fallback.serving, journal.replay.*).
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: PINO_LEVELS[config.logLevel],
          transport:
            config.environment === 'development' && process.stdout.isTTY
              ? { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname' } }
              : undefined,
          autoLogging: { ignore: (request: IncomingMessage) => QUIET_PATHS.test(request.url ?? '') },
          redact: ['req.headers.authorization', 'req.headers.cookie'],
        },
      }),
    }),
  ],
})
export class LoggingModule {}
