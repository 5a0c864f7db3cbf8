import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestContext } from '../common/request-context';
import { AnswerCounters } from './answer-counters';
import { countAnswers } from './count-answers';

const NOW_MS = Date.parse('2026-12-01T08:00:00Z');

describe(countAnswers.name, () => {
  function newTestHook() {
    let now = NOW_MS;
    const counters = new AnswerCounters(10, () => now);
    const sut = countAnswers(counters);
    const answer = (
      method: string,
      url: string,
      options: { status?: number; contentType?: string; context?: RequestContext; elapsedMs?: number } = {},
    ) => {
      const request = { method, url, context: options.context } as unknown as FastifyRequest;
      const reply = {
        statusCode: options.status ?? 200,
        elapsedTime: options.elapsedMs ?? 5,
        getHeader: (name: string) => (name === 'content-type' ? options.contentType : undefined),
      } as unknown as FastifyReply;
      sut(request, reply, () => undefined);
    };
    const counted = () => {
      now += 1000;
      const { counts, p50Ms } = counters.series();
      return {
        ...Object.fromEntries(Object.entries(counts).map(([source, values]) => [source, values.at(-1)])),
        p50Ms: p50Ms.at(-1),
      };
    };
    return { answer, counted };
  }

  it('counts REST and GraphQL answers by the source their client was told, and a 503 as unavailable', () => {
    const { answer, counted } = newTestHook();
    const stale = new RequestContext();
    stale.markStale('schools', NOW_MS - 1000);
    const fallback = new RequestContext();
    fallback.fallbackCollections.add('teachers');

    answer('GET', '/api/schools?limit=1', { context: new RequestContext() });
    answer('POST', '/graphql', { context: stale });
    answer('GET', '/api/teachers/1', { context: fallback });
    answer('GET', '/api/teachers/2', { context: fallback, status: 503 });

    expect(counted()).toEqual({ database: 1, stale: 1, fallback: 1, unavailable: 1, p50Ms: 5 });
  });

  it("leaves out what is not a user's answer: the admin endpoints, health, metrics, pages, preflights", () => {
    const { answer, counted } = newTestHook();

    answer('GET', '/api/admin/status');
    answer('POST', '/api/admin/fallback/drill');
    answer('GET', '/health');
    answer('GET', '/metrics');
    answer('GET', '/status', { contentType: 'text/html; charset=utf-8' });
    answer('GET', '/graphql', { contentType: 'text/html; charset=utf-8' });
    answer('OPTIONS', '/api/schools');

    expect(counted()).toEqual({ database: 0, stale: 0, fallback: 0, unavailable: 0, p50Ms: null });
  });

  it('records each answer’s latency', () => {
    const { answer, counted } = newTestHook();

    for (const elapsedMs of [1, 2, 3, 40]) answer('GET', '/api/schools', { elapsedMs });

    expect(counted().p50Ms).toBe(2);
  });
});
