import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AnswerCounters, AnswerSource } from './answer-counters';

const GRAPHQL_PATH = '/graphql';

/** API requests a client asked for data with: REST under /api and GraphQL, not the operators' own (/api/admin). */
function isDataRequest(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.method === 'OPTIONS') return false;
  const { url } = request;
  if (url === GRAPHQL_PATH || url.startsWith(`${GRAPHQL_PATH}?`)) {
    // GET /graphql from a browser is the IDE's page.
    return !String(reply.getHeader('content-type') ?? '').startsWith('text/html');
  }
  return url.startsWith('/api/') && !url.startsWith('/api/admin/');
}

/** What the client got: a 503, or data from where X-Data-Source says. */
function sourceOf(request: FastifyRequest, reply: FastifyReply): AnswerSource {
  if (reply.statusCode === 503) return 'unavailable';
  return request.context?.source ?? 'database';
}

/** The onResponse hook counting each answered API request by its source, with its latency, for the status page. */
export function countAnswers(counters: AnswerCounters) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (isDataRequest(request, reply)) counters.record(sourceOf(request, reply), reply.elapsedTime);
    done();
  };
}
