import type { HttpResult, TestClient } from './test-app';

/**
 * What the e2e suites of the feature collections share: the REST endpoints of a collection, the checks of a
 * client error, and the life of a record (create, read, list, update, delete) over REST and over GraphQL, which
 * every collection has. Each suite adds what only its collection does.
 */

/** The id every record carries, as clients see it. */
export const OBJECT_ID = /^[0-9a-f]{24}$/;

export interface PageJson<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type Query = Record<string, string | number | undefined>;

/** `?a=1&b=x` from the defined values of `query`; nothing when there are none. */
export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Asserts a client error: its status, a JSON error body, and (when given) the field it names. */
export function expectClientError(response: HttpResult, status: number, field?: string | RegExp): void {
  expect({ status: response.status, body: response.body }).toMatchObject({ status, body: { statusCode: status } });
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  expect(typeof response.body.message).toBe('string');
  if (typeof field === 'string') {
    expect(response.body.field).toBe(field);
    expect(response.body.message).toContain(field);
  } else if (field) {
    expect(response.body.field).toMatch(field);
    expect(response.body.message).toContain(response.body.field);
  }
}

/** Asserts a 404 that names the id field and the id that was not found. */
export function expectNotFound(response: HttpResult, id: string): void {
  expectClientError(response, 404);
  expect(response.body.field).toBe('id');
  expect(response.body.message).toContain(id);
}

/** Asserts that a record as REST answers it has its id and none of MongoDB's own fields. */
export function expectCleanJson(record: object): void {
  expect(record).toHaveProperty('id', expect.stringMatching(OBJECT_ID));
  expect(record).not.toHaveProperty('_id');
  expect(record).not.toHaveProperty('__v');
}

/**
 * A REST collection (`/api/teachers`) as one client uses it. The records it creates are remembered, and
 * `removeCreated()` deletes them, so a test can leave the data as it found it.
 */
export class RestCollection<T extends { id: string } = any> {
  private readonly created = new Set<string>();

  constructor(
    private readonly client: TestClient,
    readonly path: string,
  ) {}

  list(query: Query = {}): Promise<HttpResult<PageJson<T>>> {
    return this.client.request<PageJson<T>>('GET', `${this.path}${queryString(query)}`);
  }

  get(id: string): Promise<HttpResult<T>> {
    return this.client.request<T>('GET', `${this.path}/${id}`);
  }

  async create(body: unknown): Promise<HttpResult<T>> {
    const response = await this.client.request<T>('POST', this.path, body);
    if (response.status === 201 || response.status === 202) this.remember(response.body.id);
    return response;
  }

  update(id: string, changes: unknown): Promise<HttpResult<T>> {
    return this.client.request<T>('PATCH', `${this.path}/${id}`, changes);
  }

  delete(id: string): Promise<HttpResult> {
    return this.client.request('DELETE', `${this.path}/${id}`);
  }

  /** A record of this collection created another way (a teacher hired through their headmaster). */
  remember(id: string): void {
    this.created.add(id);
  }

  /** Deletes what the tests created here (as this collection's client); those already gone are passed over. */
  async removeCreated(): Promise<void> {
    for (const id of this.created) await this.delete(id);
    this.created.clear();
  }
}

export interface RecordLife {
  /** A valid body for POST. */
  create: Record<string, unknown>;
  /** A list query whose page holds the created record. */
  listQuery: Query;
  /** A valid body for PATCH; the answer must be the record with these fields changed and no other. */
  changes: Record<string, unknown>;
}

/**
 * The life of one record through a collection's REST endpoints: created (201) with an id, read back as created,
 * listed by `listQuery`, changed (200: only the given fields and updatedAt, read back so), deleted (204, no body),
 * then unknown (404 naming the id) to reads, updates and deletes, and listed no more. Answers the record as
 * created and as changed, for the suite's own checks.
 */
export async function expectRestLifecycle<T extends { id: string; updatedAt?: string }>(
  collection: RestCollection<T>,
  life: RecordLife,
): Promise<{ created: T; updated: T }> {
  const created = await collection.create(life.create);
  expect(created.status).toBe(201);
  expectCleanJson(created.body);
  const { id } = created.body;
  expect(await collection.get(id)).toMatchObject({ status: 200, body: created.body });
  const listed = await collection.list(life.listQuery);
  expect(listed.status).toBe(200);
  expect(listed.body.items).toContainEqual(created.body);

  const updated = await collection.update(id, life.changes);
  expect(updated.status).toBe(200);
  expect(updated.body).toEqual({ ...created.body, ...life.changes, updatedAt: updated.body.updatedAt });
  expect(Date.parse(updated.body.updatedAt!)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt!));
  expect((await collection.get(id)).body).toEqual(updated.body);

  const deleted = await collection.delete(id);
  expect({ status: deleted.status, body: deleted.body }).toEqual({ status: 204, body: '' });
  expectNotFound(await collection.get(id), id);
  expectNotFound(await collection.update(id, life.changes), id);
  expectNotFound(await collection.delete(id), id);
  const relisted = await collection.list(life.listQuery);
  expect(relisted.body.items.map((item) => item.id)).not.toContain(id);
  expect(relisted.body.total).toBe(listed.body.total - 1);
  return { created: created.body, updated: updated.body };
}

export interface GraphqlRecordLife {
  /** The GraphQL type: `Subject` (fields `subject`, `createSubject`, `updateSubject`, `deleteSubject`). */
  type: string;
  /** The list field: `subjects`. */
  list: string;
  /** The selection compared at every step; `id` among it. */
  fields: string;
  input: Record<string, unknown>;
  /** A filter whose first page holds the created record. */
  filter: Record<string, unknown>;
  changes: Record<string, unknown>;
}

/**
 * The same life through GraphQL: `create<Type>`, `<type>(id)`, `<list>(filter)` (listing it), `update<Type>`
 * (only the given fields changed), `delete<Type>` (the record as it was), then NOT_FOUND for the record.
 */
export async function expectGraphqlLifecycle(client: TestClient, life: GraphqlRecordLife): Promise<{ created: any }> {
  const { type, fields } = life;
  const one = type[0].toLowerCase() + type.slice(1);
  const create = `mutation ($input: Create${type}Input!) { create${type}(input: $input) { ${fields} } }`;
  const read = `query ($id: ID!) { ${one}(id: $id) { ${fields} } }`;
  const list = `query ($filter: ${type}Filter) { ${life.list}(filter: $filter) { total items { ${fields} } } }`;
  const update = `mutation ($id: ID!, $input: Update${type}Input!) { update${type}(id: $id, input: $input) { ${fields} } }`;
  const remove = `mutation ($id: ID!) { delete${type}(id: $id) { ${fields} } }`;
  const data = async (query: string, variables: Record<string, unknown>) => {
    const answer = await client.graphql(query, variables);
    expect(answer.body.errors).toBeUndefined();
    return answer.body.data;
  };

  const created = (await data(create, { input: life.input }))[`create${type}`];
  expect(created.id).toMatch(OBJECT_ID);
  const { id } = created;
  expect((await data(read, { id }))[one]).toEqual(created);
  expect((await data(list, { filter: life.filter }))[life.list].items).toContainEqual(created);

  const updated = (await data(update, { id, input: life.changes }))[`update${type}`];
  const updatedAt = 'updatedAt' in created ? { updatedAt: updated.updatedAt } : {};
  expect(updated).toEqual({ ...created, ...life.changes, ...updatedAt });
  expect((await data(read, { id }))[one]).toEqual(updated);

  expect((await data(remove, { id }))[`delete${type}`]).toEqual(updated);
  for (const [query, variables] of [
    [read, { id }],
    [update, { id, input: life.changes }],
    [remove, { id }],
  ] as const) {
    const gone = await client.graphql(query, variables);
    expect(gone.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  }
  return { created };
}
