import { demoWorld } from './support/school-world';
import { startTestApp, type TestApp } from './support/test-app';

const world = demoWorld();

function sMaxAge(headers: Headers): number | undefined {
  const match = /s-maxage=(\d+)/.exec(headers.get('cache-control') ?? '');
  return match ? Number(match[1]) : undefined;
}

describe('The response policy (what each answer tells its caches)', () => {
  describe('with the default TTLs', () => {
    let sut: TestApp;

    beforeAll(async () => {
      sut = await startTestApp();
    });

    afterAll(async () => {
      await sut.close();
    });

    it.each([
      ["a school (its headmaster is read from the headmasters' records)", `/api/schools/${world.own.school}`, 120],
      ['a headmaster', `/api/headmasters/${world.own.headmaster}`, 120],
      ['a teacher', `/api/teachers/${world.own.teacher}`, 60],
      ['a subject', `/api/subjects/${world.own.subject}`, 60],
      ["a headmaster's school", `/api/headmasters/${world.own.headmaster}/school`, 120],
      [
        'a dashboard (its school and teachers, and the dashboard hint)',
        `/api/headmasters/${world.own.headmaster}/dashboard`,
        30,
      ],
    ])('lets an edge keep %s for the shortest TTL of what it contains', async (_what, path, ttl) => {
      const answer = await sut.request('GET', path);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-data-source')).toBe('database');
      expect(sMaxAge(answer.headers)).toBe(ttl);
    });

    it('bounds a GraphQL answer by the cache hint of a relation it resolves (Headmaster.dashboard)', async () => {
      const query = `{ headmaster(id: "${world.own.headmaster}") { lastName dashboard { teacherCount } } }`;
      const withDashboard = await sut.request('GET', `/graphql?query=${encodeURIComponent(query)}`);
      const withoutDashboard = await sut.request(
        'GET',
        `/graphql?query=${encodeURIComponent(`{ headmaster(id: "${world.own.headmaster}") { lastName } }`)}`,
      );
      expect(withDashboard.body.data.headmaster.dashboard.teacherCount).toBeGreaterThan(0);
      expect(sMaxAge(withDashboard.headers)).toBe(30);
      expect(sMaxAge(withoutDashboard.headers)).toBe(120);
      expect(withDashboard.headers.get('x-graphql-cacheable')).toBe('true');
    });

    it.each([
      ['public', 'the subjects of a school, to a teacher', 'teacher', `/api/subjects?schoolId=${world.own.school}`],
      [
        'public',
        'the subjects of a school, to nobody signed in',
        'anonymous',
        `/api/subjects?schoolId=${world.own.school}`,
      ],
      ['scope', "a school's record, to its teacher", 'teacher', `/api/schools/${world.own.school}`],
      ['scope', 'another school, to a teacher', 'teacher', `/api/schools/${world.other.school}`],
      ['scope', 'the school directory, to nobody signed in', 'anonymous', '/api/schools?limit=5'],
      [
        'user',
        "a colleague, to a teacher (it is not the caller's own record)",
        'teacher',
        `/api/teachers/${world.own.colleague}`,
      ],
      [
        'scope',
        "a school's teachers, to one of them (every member as a colleague sees them)",
        'teacher',
        '/api/teachers?limit=5',
      ],
      ['scope', "a school's teachers, to its headmaster", 'headmaster', '/api/teachers?limit=5'],
      [
        'scope',
        "a headmaster's dashboard, to them",
        'headmaster',
        `/api/headmasters/${world.own.headmaster}/dashboard`,
      ],
    ] as const)('says X-Cache-Scope: %s for %s', async (scope, _what, caller, path) => {
      const answer = await (await sut.as(world.callers[caller])).request('GET', path);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-cache-scope')).toBe(scope);
      expect(answer.headers.get('vary') ?? '').toMatch(
        scope === 'public' || caller === 'anonymous' ? /^(?!.*Authorization)/ : /Authorization/,
      );
    });

    it('never lets a cache keep a write, and marks where its data came from', async () => {
      const answer = await sut.request('PATCH', `/api/subjects/${world.own.subject}`, { name: 'Renamed subject' });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('x-data-source')).toBe('database');
    });
  });

  describe('with EDGE_TTL_<KIND> set', () => {
    let sut: TestApp;

    beforeAll(async () => {
      sut = await startTestApp({ env: { EDGE_TTL_DASHBOARD: '5', EDGE_TTL_TEACHERS: '7' } });
    });

    afterAll(async () => {
      await sut.close();
    });

    it('takes the setting over the TTL the collection or hint declares', async () => {
      const dashboard = await sut.request('GET', `/api/headmasters/${world.own.headmaster}/dashboard`);
      const teacher = await sut.request('GET', `/api/teachers/${world.own.teacher}`);
      const school = await sut.request('GET', `/api/schools/${world.own.school}`);
      expect(sMaxAge(dashboard.headers)).toBe(5);
      expect(sMaxAge(teacher.headers)).toBe(7);
      expect(sMaxAge(school.headers)).toBe(120);
    });
  });
});
