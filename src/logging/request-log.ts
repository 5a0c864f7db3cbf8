import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LogLevelSetting } from '../config/app-config';

/** Probes and scrapers call these often; their requests are not worth a line each. */
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

const REQUEST_LEVELS = new Set<LogLevelSetting>(['log', 'debug', 'verbose']);

/**
 * The line per answered request (an onResponse hook of the HTTP pipeline) at LOG_LEVEL=log and below; none at
 * `warn` and above. No headers, no bodies, no client addresses: they may carry credentials and personal data.
 */
export function requestLogHook(
  level: LogLevelSetting,
): ((request: FastifyRequest, reply: FastifyReply, done: () => void) => void) | undefined {
  if (!REQUEST_LEVELS.has(level)) return undefined;
  const logger = new Logger('HTTP');
  return (request, reply, done) => {
    if (!QUIET_PATHS.test(request.url)) {
      logger.log(
        {
          req: { id: request.id, method: request.method, url: request.url },
          statusCode: reply.statusCode,
          responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
          dataSource: request.context?.source,
        },
        `${request.method} ${request.url} ${reply.statusCode}`,
      );
    }
    done();
  };
}
