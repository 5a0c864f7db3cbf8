import { startTestApp, TestApp } from './support/test-app';

describe('API documentation', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ seed: false });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('serves the OpenAPI document with every REST endpoint', async () => {
    const response = await sut.request('GET', '/docs/openapi.json');
    expect(response.status).toBe(200);
    const paths = Object.keys(response.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/schools',
        '/api/schools/{id}',
        '/api/teachers',
        '/api/teachers/{id}',
        '/api/headmasters',
        '/api/headmasters/{id}',
        '/api/headmasters/{id}/school',
        '/api/headmasters/{id}/teachers',
        '/api/headmasters/{id}/dashboard',
      ]),
    );
    expect(Object.keys(response.body.paths['/api/headmasters/{id}/teachers'])).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
  });

  it.each([
    ['/api/schools', 'SchoolResponse', 'headmasterId'],
    ['/api/teachers', 'TeacherResponse', 'subjects'],
    ['/api/headmasters', 'HeadmasterResponse', 'appointedAt'],
    ['/api/headmasters/{id}/teachers', 'TeacherResponse', 'subjects'],
    ['/api/subjects', 'SubjectResponse', 'code'],
  ])('describes the page GET %s answers: its %s items, total, limit and offset', async (path, item, itemField) => {
    const { body: document } = await sut.request('GET', '/docs/openapi.json');
    const schemaOf = (reference: string) => document.components.schemas[reference.replace('#/components/schemas/', '')];
    const page = schemaOf(document.paths[path].get.responses['200'].content['application/json'].schema.$ref);
    expect(page.properties.items).toEqual({ type: 'array', items: { $ref: `#/components/schemas/${item}` } });
    expect(page.required).toEqual(['items', 'total', 'limit', 'offset']);
    expect(schemaOf(page.properties.items.items.$ref).properties).toHaveProperty(itemField);
  });

  it.each([
    ['/api/teachers/{id}', 'get'],
    ['/api/teachers/{id}', 'delete'],
    ['/api/headmasters/{id}/dashboard', 'get'],
    ['/api/headmasters/{id}/teachers', 'post'],
  ])(
    'states the access rule for %s (%s): 401 before any lookup, 404 alike for unknown and not yours',
    async (path, method) => {
      const { body: document } = await sut.request('GET', '/docs/openapi.json');
      const { responses, security } = document.paths[path][method];
      expect(security).toEqual([{ bearer: [] }]);
      expect(responses['401'].description).toMatch(/before any record is looked up/);
      expect(responses['404'].description).toMatch(/^No (teacher|headmaster) with this id, or /);
      expect(responses['404'].description).toMatch(/the same answer/);
      expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    },
  );

  it('serves Swagger UI at /docs with its assets from the service itself', async () => {
    const page = await sut.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('swagger-ui');
    const scripts = [...String(page.body).matchAll(/src="([^"]+)"/g)].map((match) => match[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      expect(script).not.toMatch(/^https?:/);
      const asset = await sut.request('GET', new URL(script, `${sut.baseUrl}/docs`).pathname);
      expect(asset.status).toBe(200);
    }
  });
});
