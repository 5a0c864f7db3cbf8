import { generateDemoData } from '../src/demo-data/demo-data';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Hostile and broken input: MongoDB operators smuggled into bodies, query strings and GraphQL variables,
 * prototype pollution, oversized and malformed documents. Each gets a clear 4xx; nothing is executed.
 */
const demo = generateDemoData();
const schoolId = demo.schools[0]._id.toHexString();
const teacherId = demo.teachers[0]._id.toHexString();

const validTeacher = {
  firstName: 'Eve',
  lastName: 'Hostile',
  email: 'eve.hostile@example.org',
  phone: '+1 555 0160',
  subjects: ['art'],
  schoolId,
};

describe('Hostile input', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ env: { GRAPHQL_MAX_BODY_BYTES: '16384' } });
  });

  afterAll(async () => {
    await sut?.close();
  });

  async function teacherCount(): Promise<number> {
    return (await sut.request('GET', '/api/teachers?limit=1')).body.total;
  }

  describe('MongoDB operators', () => {
    it.each([
      ['an operator object as a value', { ...validTeacher, email: { $gt: '' } }, 'email'],
      ['$ne on a reference', { ...validTeacher, schoolId: { $ne: null } }, 'schoolId'],
      ['$where as a field', { ...validTeacher, $where: 'sleep(1000)' }, '$where'],
      ['an operator inside an array', { ...validTeacher, subjects: [{ $regex: '.*' }] }, 'subjects'],
      ['$set smuggled into an update', { $set: { email: 'x@example.org' } }, '$set'],
    ])('in a body (%s): 400 naming the field, nothing written', async (_case, body, field) => {
      const before = await teacherCount();
      const method = '$set' in body ? 'PATCH' : 'POST';
      const answer = await sut.request(
        method,
        method === 'PATCH' ? `/api/teachers/${teacherId}` : '/api/teachers',
        body,
      );
      expect(answer.status).toBe(400);
      expect(answer.body.field ?? answer.body.message).toContain(field);
      expect(await teacherCount()).toBe(before);
    });

    it.each([
      'schoolId[$ne]=x',
      'schoolId[%24ne]=x',
      'q[$regex]=.*',
      'status[$in][]=active&status[$in][]=left',
      'limit[$gt]=0',
      'sort=$where',
      'sort=-password',
    ])('in a query string (?%s): 400', async (query) => {
      const answer = await sut.request('GET', `/api/teachers?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('BAD_USER_INPUT');
    });

    it('in a repeated query parameter: 400, not an array that reaches the database', async () => {
      const answer = await sut.request('GET', `/api/teachers?schoolId=${schoolId}&schoolId=${schoolId}`);
      expect(answer.status).toBe(400);
    });

    it.each([
      ['an operator object for a String', { filter: { q: { $regex: '.*' } } }],
      ['an operator object for an ID', { filter: { schoolId: { $ne: null } } }],
      ['an unknown filter field', { filter: { $where: 'true' } }],
    ])('in GraphQL variables (%s): 400 BAD_USER_INPUT', async (_case, variables) => {
      const answer = await sut.graphql(
        'query ($filter: TeacherFilter) { teachers(filter: $filter) { total } }',
        variables,
      );
      expect(answer.status).toBe(400);
      expect(answer.body.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(answer.body.data).toBeUndefined();
    });

    it('in a name search: regular-expression and operator text is searched for literally', async () => {
      for (const q of ['.*', '{"$where": "sleep(1000)"}', '^', '$ne']) {
        const rest = await sut.request('GET', `/api/teachers?q=${encodeURIComponent(q)}`);
        expect(rest.status).toBe(200);
        expect(rest.body.total).toBe(0);
        const graphql = await sut.graphql('query ($q: String) { teachers(filter: { q: $q }) { total } }', { q });
        expect(graphql.body.data.teachers.total).toBe(0);
      }
    });
  });

  describe('bodies', () => {
    it.each([
      ['__proto__', `{"__proto__": {"role": "admin"}, "firstName": "Eve"}`],
      ['constructor.prototype', `{"constructor": {"prototype": {"role": "admin"}}, "firstName": "Eve"}`],
    ])('refuses prototype pollution (%s) with 400', async (_case, body) => {
      const answer = await sut.request('PATCH', `/api/teachers/${teacherId}`, body);
      expect(answer.status).toBe(400);
      expect(({} as Record<string, unknown>).role).toBeUndefined();
    });

    it('refuses malformed JSON with 400 and an unsupported content type with 415', async () => {
      expect((await sut.request('POST', '/api/teachers', '{"firstName": "Eve",')).status).toBe(400);
      const xml = await sut.request('POST', '/api/teachers', '<teacher/>', { 'content-type': 'application/xml' });
      expect(xml.status).toBe(415);
    });

    it('refuses a body nested thousands of levels deep with 400', async () => {
      const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
      const answer = await sut.request('POST', '/api/teachers', deep);
      expect(answer.status).toBe(400);
    });

    it('refuses bodies over the limits with 413: REST over 1 MB, GraphQL over GRAPHQL_MAX_BODY_BYTES', async () => {
      const rest = await sut.request('POST', '/api/teachers', { ...validTeacher, firstName: 'x'.repeat(1_100_000) });
      expect(rest.status).toBe(413);
      const graphql = await sut.graphql(`{ schools { total } } # ${'x'.repeat(20_000)}`);
      expect(graphql.status).toBe(413);
    });

    it.each([
      ['a name over 100 characters', { firstName: 'x'.repeat(101) }, 'firstName'],
      ['more than 20 subjects', { subjects: Array.from({ length: 21 }, (_, i) => `subject-${i}`) }, 'subjects'],
      ['a malformed e-mail', { email: 'eve@' }, 'email'],
      ['a phone with letters', { phone: '+1 555 CALL-ME' }, 'phone'],
      ['a malformed school id', { schoolId: 'fb00' }, 'schoolId'],
      ['a non-string name', { firstName: ['Eve'] }, 'firstName'],
    ])('refuses %s with 400 naming the field', async (_case, change, field) => {
      const answer = await sut.request('POST', '/api/teachers', { ...validTeacher, ...change });
      expect(answer.status).toBe(400);
      expect(answer.body.field).toBe(field);
    });

    it.each(['0', '101', '-1', '1e3', 'abc'])('refuses limit=%s with 400', async (limit) => {
      const answer = await sut.request('GET', `/api/schools?limit=${limit}`);
      expect(answer.status).toBe(400);
      expect(answer.body.field).toBe('limit');
    });
  });

  describe('GraphQL documents', () => {
    it('refuses an operation nested deeper than GRAPHQL_MAX_DEPTH with 400 QUERY_TOO_LARGE', async () => {
      const nested = (depth: number): string => (depth === 0 ? 'id' : `headmaster { school { ${nested(depth - 1)} } }`);
      const answer = await sut.graphql(`{ schools(limit: 1) { items { ${nested(5)} } } }`);
      expect(answer.status).toBe(400);
      expect(answer.body.errors![0]).toMatchObject({
        message: expect.stringMatching(/nested \d+ levels deep; at most 10/),
        extensions: { code: 'QUERY_TOO_LARGE' },
      });
    });

    it('refuses more aliases than GRAPHQL_MAX_ALIASES with 400', async () => {
      const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: schools(limit: 1) { total }`).join(' ');
      const answer = await sut.graphql(`{ ${aliases} }`);
      expect(answer.status).toBe(400);
      expect(answer.body.errors![0].message).toMatch(/31 aliases; at most 30/);
    });

    it('refuses an operation whose nested pages would cost too much, counting limits given by variables', async () => {
      const query = `query ($n: Int!) { schools(limit: $n) { items { teachers(limit: $n) { items { id lastName email } } } } }`;
      const tooMuch = await sut.graphql(query, { n: 100 });
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body.errors![0].message).toMatch(/cost about \d+.*at most 5000/);
      const fine = await sut.graphql(query, { n: 5 });
      expect(fine.status).toBe(200);
      expect(fine.body.data.schools.items).toHaveLength(5);
    });

    it('refuses batched requests (a JSON array of operations) with 400', async () => {
      const answer = await sut.request('POST', '/graphql', [
        { query: '{ schools { total } }' },
        { query: '{ __typename }' },
      ]);
      expect(answer.status).toBe(400);
    });

    it('refuses subscriptions over HTTP (405 by GET, 400 by POST), also those graphql-js cannot validate', async () => {
      // @skip with a variable that has no value makes graphql-js's subscription rule throw instead of report.
      const query = 'subscription { teacherChanged(schoolId: "fb0000000000000000000001") @skip(if: $x) { kind } }';
      const byGet = await sut.request('GET', `/graphql?query=${encodeURIComponent(query)}`);
      expect(byGet.status).toBe(405);
      const byPost = await sut.graphql(query);
      expect(byPost.status).toBe(400);
      expect(byPost.body.errors![0].message).toMatch(/WebSocket/);
    });

    it('refuses fragments that spread themselves with 400', async () => {
      const answer = await sut.graphql('{ schools { items { ...A } } } fragment A on School { name ...A }');
      expect(answer.status).toBe(400);
      expect(answer.body.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });
});
