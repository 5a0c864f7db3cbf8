import { startTestApp, type TestApp } from './support/test-app';
import { ANONYMOUS, mintTestToken } from './support/tokens';

/** Request rates, client addresses behind a proxy, security headers, CORS, and what production errors reveal. */

const WINDOW_MS = 4000;

async function times<T>(count: number, send: () => Promise<T>): Promise<T[]> {
  const answers: T[] = [];
  for (let index = 0; index < count; index++) answers.push(await send());
  return answers;
}

describe('Rate limits', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({
      env: { RATE_LIMIT_PER_ADDRESS: '5', RATE_LIMIT_PER_CREDENTIAL: '8', RATE_LIMIT_WINDOW_MS: String(WINDOW_MS) },
    });
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('answers 429 with Retry-After once an anonymous address is over its limit, over REST and GraphQL', async () => {
    const anonymous = await sut.as(ANONYMOUS);
    const allowed = await times(5, () => anonymous.request('GET', '/api/schools?limit=1'));
    expect(allowed.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);

    const refused = await anonymous.request('GET', '/api/schools?limit=1');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ statusCode: 429, error: 'TOO_MANY_REQUESTS', message: expect.any(String) });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);

    const graphql = await anonymous.graphql('{ schools { total } }');
    expect(graphql.status).toBe(429);
    expect(graphql.body.errors?.[0].extensions?.code).toBe('TOO_MANY_REQUESTS');

    // Health probes are never throttled.
    expect((await anonymous.request('GET', '/health/ready')).status).toBe(200);
  });

  it('gives every credential a budget of its own, untouched by anonymous traffic from the same address', async () => {
    const headmaster = await sut.as({ role: 'headmaster', schoolId: 'aaaaaaaaaaaaaaaaaaaaaaaa', sub: 'rate-h1' });
    const other = await sut.as({ role: 'headmaster', schoolId: 'aaaaaaaaaaaaaaaaaaaaaaaa', sub: 'rate-h2' });
    const first = await times(9, () => headmaster.request('GET', '/api/schools?limit=1'));
    expect(first.filter((answer) => answer.status === 200)).toHaveLength(8);
    expect(first[8].status).toBe(429);
    expect((await other.request('GET', '/api/schools?limit=1')).status).toBe(200);
  });

  it('counts tokens that do not verify against their address: inventing tokens buys no budget', async () => {
    const forged = await times(6, async () =>
      sut.request('GET', '/api/schools', undefined, {
        authorization: `Bearer ${await mintTestToken({ role: 'admin' }, { secret: 'f'.repeat(40) })}`,
        // Another address than the tests above (this app trusts no proxy, so this header is ignored).
        'x-forwarded-for': '203.0.113.7',
      }),
    );
    expect(forged.every((answer) => answer.status === 401 || answer.status === 429)).toBe(true);
    expect(forged.at(-1)!.status).toBe(429);
  });

  it('lets an address in again once its window has passed', async () => {
    const anonymous = await sut.as(ANONYMOUS);
    const refused = await anonymous.request('GET', '/api/schools?limit=1');
    expect(refused.status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000 + 200));
    expect((await anonymous.request('GET', '/api/schools?limit=1')).status).toBe(200);
  });
});

describe('Client addresses behind a trusted proxy (TRUST_PROXY)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({
      env: { RATE_LIMIT_PER_ADDRESS: '3', RATE_LIMIT_WINDOW_MS: '60000', TRUST_PROXY: '127.0.0.1' },
    });
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('limits each client by the address the proxy reports, so anonymous users are not one address', async () => {
    const anonymous = await sut.as(ANONYMOUS);
    const from = (address: string) => () =>
      anonymous.request('GET', '/api/schools?limit=1', undefined, { 'x-forwarded-for': address });
    expect((await times(4, from('198.51.100.1'))).map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect((await times(3, from('198.51.100.2'))).map((answer) => answer.status)).toEqual([200, 200, 200]);
  });
});

describe('Security headers and CORS', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ seed: false, env: { CORS_ORIGINS: 'https://app.example.org' } });
  });

  afterAll(async () => {
    await sut?.close();
  });

  it.each([
    ['an answer', '/api/schools?limit=1'],
    ['an error', '/api/schools/not-an-id'],
  ])(
    'sends %s of the API the headers that keep browsers from rendering, sniffing or framing it',
    async (_what, path) => {
      const answer = await sut.request('GET', path);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      expect(answer.headers.get('x-powered-by')).toBeNull();
    },
  );

  it.each([
    ['Swagger UI', '/docs', {}],
    ['the GraphQL IDE', '/graphql', { accept: 'text/html' }],
  ])(
    'sends %s, a page, helmet’s whole set with a policy that allows its own assets only',
    async (_what, path, headers) => {
      const answer = await sut.request('GET', path, undefined, headers);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      expect(answer.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(answer.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(answer.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    },
  );

  it('allows the configured browser origins only', async () => {
    const preflight = (origin: string) =>
      sut.request('OPTIONS', '/graphql', undefined, {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      });
    const allowed = await preflight('https://app.example.org');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
    const refused = await preflight('https://evil.example.com');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const read = await sut.request('GET', '/api/schools?limit=1', undefined, { origin: 'https://evil.example.com' });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS headers at all without CORS_ORIGINS', async () => {
    const plain = await startTestApp({ seed: false });
    try {
      const answer = await plain.request('GET', '/api/schools?limit=1', undefined, {
        origin: 'https://app.example.org',
      });
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await plain.close();
    }
  });
});

describe('GraphQL in production (NODE_ENV=production)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ env: { NODE_ENV: 'production' } });
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('refuses introspection and serves no IDE', async () => {
    const introspection = await sut.graphql('{ __schema { types { name } } }');
    expect(introspection.status).toBe(400);
    expect(introspection.body.errors?.[0].message).toMatch(/introspection/i);
    const ide = await sut.request('GET', '/graphql', undefined, { accept: 'text/html' });
    expect(ide.headers.get('content-type') ?? '').not.toMatch(/html/);
  });

  it('does not suggest field names or show stack traces in errors', async () => {
    const typo = await sut.graphql('{ schools { totl } }');
    expect(typo.status).toBe(400);
    const text = JSON.stringify(typo.body);
    expect(text).not.toMatch(/Did you mean/);
    expect(text).not.toMatch(/stacktrace|at .*\.js:\d+/);
    expect(typo.body.errors?.[0].extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('still answers the directory, cacheable at the edge', async () => {
    const answer = await (await sut.as(ANONYMOUS)).graphql('{ schools(limit: 2) { items { name } } }');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toMatch(/s-maxage=/);
  });
});
