/**
 * Random and malformed HTTP requests for the fuzz test: REST paths, query strings and bodies, GraphQL
 * documents and variables, and credentials, each drawn from a seeded generator so a failing run can be
 * repeated exactly (FUZZ_SEED).
 */

import { SeededRandom } from '../../src/common/seeded-random';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface FuzzWorld {
  schoolIds: string[];
  headmasterIds: string[];
  teacherIds: string[];
  /** Valid bearer tokens of every role, and tokens that must be refused. */
  goodTokens: string[];
  badTokens: string[];
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  '%00',
  '../../etc/passwd',
  "'; DROP TABLE teachers; --",
  '{"$gt": ""}',
  '$where',
  '$ne',
  '.*',
  '(a+)+$',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '\u202e\u0301\ud83d\ude00',
  '\ud800',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '9999999999999999999999',
  'true',
  'null',
  '0x1f',
  'A'.repeat(300),
  'ä'.repeat(2000),
];

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  Number.MAX_SAFE_INTEGER,
  [],
  [null],
  {},
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(100)' },
  { $regex: '.*', $options: 'i' },
  { __proto__: { admin: true } },
  ['a', { $in: [] }],
  'x'.repeat(5000),
];

/** Percent-encodes text; a lone surrogate (not encodable) becomes the invalid UTF-8 bytes it would be. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

function hostileValue(random: SeededRandom): unknown {
  return random.chance(0.5) ? random.pick(HOSTILE_STRINGS) : random.pick(HOSTILE_VALUES);
}

function someId(random: SeededRandom, world: FuzzWorld): string {
  switch (random.int(0, 5)) {
    case 0:
      return random.pick(world.schoolIds);
    case 1:
      return random.pick(world.headmasterIds);
    case 2:
      return random.pick(world.teacherIds);
    case 3:
      return Array.from({ length: 24 }, () => random.pick([...'0123456789abcdef'])).join('');
    case 4:
      return encode(String(random.pick(HOSTILE_STRINGS)));
    default:
      return random.pick(['fb0000000000000000000001', 'FFFFFFFFFFFFFFFFFFFFFFFF', '123', 'null', '%2e%2e', '..']);
  }
}

const REST_PATHS = [
  '/api/schools',
  '/api/schools/:id',
  '/api/headmasters',
  '/api/headmasters/:id',
  '/api/headmasters/:id/school',
  '/api/headmasters/:id/teachers',
  '/api/headmasters/:id/dashboard',
  '/api/teachers',
  '/api/teachers/:id',
  '/api/subjects',
  '/api/subjects/:id',
  '/api/admin/fallback',
  '/api/admin/fallback/journal',
  '/metrics',
  '/health',
  '/health/ready',
  '/docs/openapi.json',
  '/api/nowhere',
  '/api//schools',
  '/api/schools/:id/:id',
];

const QUERY_KEYS = ['limit', 'offset', 'sort', 'city', 'type', 'schoolId', 'subject', 'status', 'q', 'status', 'x'];
const QUERY_SUFFIXES = ['', '[]', '[$ne]', '[$gt]', '[$regex]', '[0]', '[__proto__]', '.$where'];
const SORTS = ['name', '-name', 'lastName', '-hiredAt', 'email', 'createdAt', '-', '--name', 'password', '$natural'];

function queryString(random: SeededRandom, world: FuzzWorld): string {
  const parts: string[] = [];
  for (let count = random.int(0, 3); count > 0; count--) {
    const key = random.pick(QUERY_KEYS) + (random.chance(0.3) ? random.pick(QUERY_SUFFIXES) : '');
    let value: string;
    switch (random.int(0, 4)) {
      case 0:
        value = String(random.pick([1, 20, 100, 101, 0, -5, 1e6, 2 ** 53]));
        break;
      case 1:
        value = random.pick(SORTS);
        break;
      case 2:
        value = someId(random, world);
        break;
      default:
        value = encode(String(random.pick(HOSTILE_STRINGS)));
    }
    parts.push(`${encode(key)}=${value}`);
  }
  if (random.chance(0.05)) parts.push('%', '&&&', '=');
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

const VALID_BODIES = (world: FuzzWorld): Record<string, unknown>[] => [
  {
    name: 'Fuzz Academy',
    code: 'FUZZ-1',
    type: 'primary',
    address: { street: '1 Random Road', city: 'Leeds', region: 'Yorkshire', postalCode: 'LS1 1AA' },
    phone: '+1 555 0170',
    email: 'office@fuzz.example.org',
  },
  {
    firstName: 'Fuzz',
    lastName: 'Tester',
    email: 'fuzz.tester@example.org',
    phone: '+1 555 0171',
    subjects: ['mathematics'],
    schoolId: world.schoolIds[0],
  },
  {
    firstName: 'Fuzz',
    lastName: 'Head',
    email: 'fuzz.head@example.org',
    phone: '+1 555 0172',
    schoolId: world.schoolIds[1],
  },
  { name: 'Fuzz studies', code: 'fuzz-studies', schoolId: world.schoolIds[2] },
  { status: 'on_leave' },
  { name: 'Renamed by fuzz' },
];

function mutateObject(random: SeededRandom, value: Record<string, unknown>): unknown {
  const copy: Record<string, unknown> = { ...value };
  const keys = Object.keys(copy);
  for (let count = 1 + random.int(0, 2); count > 0; count--) {
    switch (random.int(0, 5)) {
      case 0:
        if (keys.length) delete copy[random.pick(keys)];
        break;
      case 1:
        if (keys.length) copy[random.pick(keys)] = hostileValue(random);
        break;
      case 2:
        copy[random.pick(['$set', '$where', '__proto__', 'constructor', 'id', '_id', 'createdAt', 'role'])] =
          hostileValue(random);
        break;
      case 3:
        return random.pick([[copy], 'just a string', 42, null, true]);
      case 4: {
        let nested: unknown = copy;
        for (let depth = random.int(0, 59); depth > 0; depth--) nested = { a: nested };
        return nested;
      }
      default:
        if (keys.length) copy[random.pick(keys)] = { nested: hostileValue(random) };
    }
  }
  return copy;
}

function body(random: SeededRandom, world: FuzzWorld): { body?: string; contentType?: string } {
  switch (random.int(0, 7)) {
    case 0:
      return {};
    case 1:
      return { body: '{"unterminated": ', contentType: 'application/json' };
    case 2:
      return {
        body: random.pick(HOSTILE_STRINGS),
        contentType: random.pick(['text/plain', 'application/xml', 'application/json']),
      };
    case 3:
      return { body: 'a=1&b[$ne]=2&__proto__[x]=1', contentType: 'application/x-www-form-urlencoded' };
    case 4:
      return { body: '{"__proto__": {"admin": true}, "name": "x"}', contentType: 'application/json' };
    default:
      return {
        body: JSON.stringify(mutateObject(random, random.pick(VALID_BODIES(world)))),
        contentType: random.chance(0.9)
          ? 'application/json'
          : random.pick(['application/json; charset=latin1', 'application/graphql', '']),
      };
  }
}

/** Mostly valid tokens (so requests reach the handlers), else none, refused ones and malformed headers. */
function credentials(random: SeededRandom, world: FuzzWorld): Record<string, string> {
  switch (random.int(0, 9)) {
    case 0:
    case 1:
      return {};
    case 2:
      return { authorization: `Bearer ${random.pick(world.badTokens)}` };
    case 3:
      return {
        authorization: random.pick(['Bearer', 'Bearer ', 'Basic YTpi', 'bearer x.y.z', `Bearer ${'a'.repeat(5000)}`]),
      };
    default:
      return { authorization: `Bearer ${random.pick(world.goodTokens)}` };
  }
}

function restRequest(random: SeededRandom, world: FuzzWorld): FuzzRequest {
  const path = random.pick(REST_PATHS).replace(/:id/g, () => someId(random, world)) + queryString(random, world);
  const method = random.pick(['GET', 'GET', 'GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS']);
  const headers = credentials(random, world);
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'DELETE') {
    return { method, path, headers };
  }
  const { body: text, contentType } = body(random, world);
  if (contentType) headers['content-type'] = contentType;
  return { method, path, headers, body: text };
}

const GRAPHQL_DOCUMENTS = [
  '{ schools(limit: 5) { total items { id name code type address { city street } phone teacherCount headmaster { lastName } } } }',
  'query ($id: ID!) { school(id: $id) { name teachers(limit: 3) { items { email subjects } } } }',
  'query ($filter: TeacherFilter, $limit: Int) { teachers(filter: $filter, limit: $limit, sort: "lastName") { total items { id email school { name } } } }',
  'query ($id: ID!) { headmaster(id: $id) { email dashboard { teacherCount teachersBySubject { subject count } } } }',
  'query ($id: ID!) { teacher(id: $id) { firstName email status school { phone headmaster { email } } } }',
  'mutation ($input: CreateTeacherInput!) { createTeacher(input: $input) { id } }',
  'query ($id: ID!) { school(id: $id) { subjects(limit: 5) { items { code } } } }',
  'query ($id: ID!) { teacher(id: $id) { subjects subjectDetails { code name } } }',
  'mutation ($input: CreateSubjectInput!) { createSubject(input: $input) { id code } }',
  'mutation ($id: ID!, $input: UpdateSchoolInput!) { updateSchool(id: $id, input: $input) { id name } }',
  'mutation ($id: ID!) { deleteTeacher(id: $id) { id } }',
  'mutation ($headmasterId: ID!, $input: HireTeacherInput!) { hireTeacher(headmasterId: $headmasterId, input: $input) { id } }',
  '{ __schema { types { name fields { name } } } }',
  '{ __typename }',
  'subscription { teacherChanged(schoolId: "fb0000000000000000000001") { kind } }',
];

const GRAPHQL_TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '...',
  '@skip(if: $x)',
  '$',
  ':',
  'query',
  'fragment F on School',
  '"',
  '#',
  'schools',
  '1e',
  '!',
  '[',
  ']',
];

function mutateDocument(random: SeededRandom, document: string): string {
  switch (random.int(0, 6)) {
    case 0:
      return document.slice(0, random.int(0, document.length - 1));
    case 1: {
      const at = random.int(0, document.length - 1);
      return document.slice(0, at) + random.pick(GRAPHQL_TOKENS) + document.slice(at);
    }
    case 2:
      return `{ ${Array.from({ length: 10 + random.int(0, 59) }, (_, i) => `a${i}: schools(limit: 100) { total }`).join(' ')} }`;
    case 3: {
      let nested = 'id';
      for (let depth = 3 + random.int(0, 29); depth > 0; depth--) nested = `headmaster { school { ${nested} } }`;
      return `{ schools { items { ${nested} } } }`;
    }
    case 4:
      return `${document} fragment A on School { ...B } fragment B on School { ...A }`;
    case 5:
      return `{ schools(limit: 100) { items { teachers(limit: 100) { items { school { teachers(limit: 100) { total } } } } } } }`;
    default:
      return document;
  }
}

function variables(random: SeededRandom, world: FuzzWorld): unknown {
  if (random.chance(0.1)) return hostileValue(random);
  const base: Record<string, unknown> = {
    id: someId(random, world),
    headmasterId: someId(random, world),
    limit: random.pick([1, 5, 100, 101, -1, '5', null]),
    filter: random.chance(0.5)
      ? { schoolId: someId(random, world), q: random.pick(HOSTILE_STRINGS) }
      : hostileValue(random),
    input: mutateObject(random, random.pick(VALID_BODIES(world))),
  };
  return random.chance(0.3) ? mutateObject(random, base) : base;
}

function graphqlRequest(random: SeededRandom, world: FuzzWorld): FuzzRequest {
  const query = mutateDocument(random, random.pick(GRAPHQL_DOCUMENTS));
  const headers = credentials(random, world);
  if (random.chance(0.2)) {
    const params = new URLSearchParams({ query });
    if (random.chance(0.5)) params.set('variables', JSON.stringify(variables(random, world)));
    if (random.chance(0.2))
      params.set('extensions', random.pick(['{"persistedQuery":{"version":1,"sha256Hash":"abc"}}', '{', 'null']));
    return { method: 'GET', path: `/graphql?${params.toString()}`, headers };
  }
  headers['content-type'] = random.chance(0.9)
    ? 'application/json'
    : random.pick(['application/graphql', 'text/plain']);
  let payload: unknown = {
    query,
    variables: variables(random, world),
    operationName: random.chance(0.1) ? 'Nope' : undefined,
  };
  if (random.chance(0.05)) payload = [payload, payload];
  if (random.chance(0.05)) payload = random.pick(HOSTILE_VALUES);
  const text = headers['content-type'] === 'application/graphql' ? query : JSON.stringify(payload);
  return { method: 'POST', path: '/graphql', headers, body: random.chance(0.03) ? text.slice(0, -3) : text };
}

/** One random request: three in five REST, two in five GraphQL. */
export function fuzzRequest(random: SeededRandom, world: FuzzWorld): FuzzRequest {
  return random.chance(0.6) ? restRequest(random, world) : graphqlRequest(random, world);
}
