/**
 * GraphQL subscriptions over WebSocket (graphql-ws) against the whole running service: every teacher
 * write, REST or GraphQL, reaches the subscribers of the teacher's school and no one else; with
 * REDIS_URL, a write on one instance reaches a subscriber on another.
 */
import { createClient, type Client } from 'graphql-ws';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { generateDemoData } from '../src/demo-data/demo-data';
import { startTestApp, type TestApp } from './support/test-app';
import { ADMIN, authorizationFor, type TestCaller } from './support/tokens';

jest.setTimeout(30_000);

const demo = generateDemoData();
const [schoolA, schoolB] = demo.schools.map((school) => school._id.toHexString());
const headmasterA = demo.headmasters.find((headmaster) => headmaster.schoolId.toHexString() === schoolA)!;
const probeA = demo.teachers.find((teacher) => teacher.schoolId.toHexString() === schoolA)!._id.toHexString();
const probeB = demo.teachers.find((teacher) => teacher.schoolId.toHexString() === schoolB)!._id.toHexString();

const EVENT_WAIT_MS = 5000;

interface Change {
  kind: 'created' | 'updated' | 'deleted';
  teacher: { id: string; firstName: string; lastName: string; schoolId: string; school: { id: string } | null };
}

const SUBSCRIPTION = `subscription TeacherChanged($schoolId: ID!) {
  teacherChanged(schoolId: $schoolId) { kind teacher { id firstName lastName schoolId school { id } } }
}`;

let sequence = 0;
/** A new teacher's own details (unique e-mail); the school comes from the caller. */
function newTeacher(firstName: string) {
  sequence += 1;
  return {
    firstName,
    lastName: `Subscribed${sequence}`,
    email: `sub-${randomBytes(4).toString('hex')}-${sequence}@example.org`,
    phone: '+44 20 7946 0100',
    subjects: ['physics'],
  };
}

/** One graphql-ws connection with one subscription; events are kept in order of arrival. */
class Subscriber {
  readonly events: Change[] = [];
  readonly errors: unknown[] = [];
  private readonly waiting = new Set<() => void>();
  private readonly client: Client;
  private readonly unsubscribe: () => void;
  private readonly closed: Promise<void>;

  /** Subscribes as `caller` (an admin by default), authenticating in the connection's parameters. */
  static async start(baseUrl: string, schoolId: string, caller: TestCaller = ADMIN): Promise<Subscriber> {
    return new Subscriber(baseUrl, schoolId, await authorizationFor(caller));
  }

  private constructor(baseUrl: string, schoolId: string, connectionParams: Record<string, string>) {
    this.client = createClient({
      url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
      connectionParams,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: (error) => this.record(() => this.errors.push(error)),
    });
    this.closed = new Promise((resolve) => this.client.on('closed', () => resolve()));
    this.unsubscribe = this.client.subscribe<{ teacherChanged: Change }>(
      { query: SUBSCRIPTION, variables: { schoolId } },
      {
        next: (result) =>
          this.record(() =>
            result.errors ? this.errors.push(...result.errors) : this.events.push(result.data!.teacherChanged),
          ),
        error: (error) => this.record(() => this.errors.push(error)),
        complete: () => undefined,
      },
    );
  }

  private record(change: () => unknown): void {
    change();
    for (const wake of this.waiting) wake();
  }

  /** The first event from the `from`th on (received already or within `timeoutMs`) that matches. */
  async next(matches: (change: Change) => boolean, what: string, timeoutMs = EVENT_WAIT_MS, from = 0): Promise<Change> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(matches);
      if (found) return found;
      if (this.errors.length > 0) throw new Error(`The subscription failed: ${JSON.stringify(this.errors)}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`No ${what} event within ${timeoutMs} ms; received ${JSON.stringify(this.events)}`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiting.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.waiting.add(wake);
      });
    }
  }

  /** Whether an event for the teacher with this id arrived. */
  heardOf(teacherId: string): boolean {
    return this.events.some((change) => change.teacher.id === teacherId);
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.client.dispose();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  }
}

/**
 * Waits until the subscription is in place on the server: the subscriber gives no signal when it is, so
 * `probe` (a write to a teacher of the subscribed school) is repeated until its event arrives (bounded).
 */
async function untilListening(subscriber: Subscriber, probe: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const teacherId = await probe();
    try {
      await subscriber.next((change) => change.teacher.id === teacherId, 'probe', 250);
      return;
    } catch (error) {
      if (Date.now() > deadline || subscriber.errors.length > 0) throw error;
    }
  }
}

/** Touches a seeded teacher over REST (a harmless update) and answers its id. */
function restProbe(sut: TestApp, teacherId: string): () => Promise<string> {
  return async () => {
    const response = await sut.request('PATCH', `/api/teachers/${teacherId}`, { phone: '+44 20 7946 0999' });
    expect(response.status).toBe(200);
    return teacherId;
  };
}

describe('teacherChanged subscription (in-process pub/sub)', () => {
  let sut: TestApp;
  let subscriberA: Subscriber;
  let subscriberB: Subscriber;
  /** Teachers written in school A; subscribers of school B must hear of none of them. */
  const writtenInA: string[] = [];

  beforeAll(async () => {
    sut = await startTestApp();
    subscriberA = await Subscriber.start(sut.baseUrl, schoolA);
    subscriberB = await Subscriber.start(sut.baseUrl, schoolB);
    await untilListening(subscriberA, restProbe(sut, probeA));
    await untilListening(subscriberB, restProbe(sut, probeB));
  });

  afterAll(async () => {
    await subscriberA?.close();
    await subscriberB?.close();
    await sut?.close();
  });

  it('hears of teachers created, updated and deleted over REST', async () => {
    const created = await sut.request('POST', '/api/teachers', { ...newTeacher('Rest'), schoolId: schoolA });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    writtenInA.push(id);
    expect(await subscriberA.next((c) => c.kind === 'created' && c.teacher.id === id, 'created')).toEqual({
      kind: 'created',
      teacher: { id, firstName: 'Rest', lastName: created.body.lastName, schoolId: schoolA, school: { id: schoolA } },
    });

    expect((await sut.request('PATCH', `/api/teachers/${id}`, { lastName: 'Renamed' })).status).toBe(200);
    const updated = await subscriberA.next((c) => c.kind === 'updated' && c.teacher.id === id, 'updated');
    expect(updated.teacher.lastName).toBe('Renamed');

    expect((await sut.request('DELETE', `/api/teachers/${id}`)).status).toBe(204);
    const deleted = await subscriberA.next((c) => c.kind === 'deleted' && c.teacher.id === id, 'deleted');
    expect(deleted.teacher).toMatchObject({ id, lastName: 'Renamed', schoolId: schoolA });
  });

  it('hears of a teacher hired over REST', async () => {
    const hired = await sut.request(
      'POST',
      `/api/headmasters/${headmasterA._id.toHexString()}/teachers`,
      newTeacher('Hired'),
    );
    expect(hired.status).toBe(201);
    writtenInA.push(hired.body.id);
    const change = await subscriberA.next((c) => c.teacher.id === hired.body.id, 'created (hire)');
    expect(change).toMatchObject({ kind: 'created', teacher: { firstName: 'Hired', schoolId: schoolA } });
  });

  it('hears of teachers created, updated, deleted and hired with GraphQL mutations', async () => {
    const fields = 'id lastName';
    const created = await sut.graphql(
      `mutation($input: CreateTeacherInput!) { createTeacher(input: $input) { ${fields} } }`,
      {
        input: { ...newTeacher('Graph'), schoolId: schoolA },
      },
    );
    expect(created.body.errors).toBeUndefined();
    const id: string = created.body.data.createTeacher.id;
    writtenInA.push(id);
    await subscriberA.next((c) => c.kind === 'created' && c.teacher.id === id, 'created');

    const updated = await sut.graphql(
      `mutation($id: ID!) { updateTeacher(id: $id, input: { firstName: "Graphed" }) { ${fields} } }`,
      { id },
    );
    expect(updated.body.errors).toBeUndefined();
    const change = await subscriberA.next((c) => c.kind === 'updated' && c.teacher.id === id, 'updated');
    expect(change.teacher.firstName).toBe('Graphed');

    const deleted = await sut.graphql(`mutation($id: ID!) { deleteTeacher(id: $id) { ${fields} } }`, { id });
    expect(deleted.body.errors).toBeUndefined();
    await subscriberA.next((c) => c.kind === 'deleted' && c.teacher.id === id, 'deleted');

    const hired = await sut.graphql(
      `mutation($headmasterId: ID!, $input: HireTeacherInput!) { hireTeacher(headmasterId: $headmasterId, input: $input) { ${fields} } }`,
      { headmasterId: headmasterA._id.toHexString(), input: newTeacher('GraphHired') },
    );
    expect(hired.body.errors).toBeUndefined();
    const hiredId: string = hired.body.data.hireTeacher.id;
    writtenInA.push(hiredId);
    const hire = await subscriberA.next((c) => c.teacher.id === hiredId, 'created (hire)');
    expect(hire).toMatchObject({ kind: 'created', teacher: { firstName: 'GraphHired', schoolId: schoolA } });
  });

  it('tells the subscribers of another school nothing', async () => {
    // Events of one pub/sub arrive in order: once school B's own later write is heard of, any
    // event of school A's writes would have arrived before it.
    const heardBefore = subscriberB.events.length;
    const barrier = await restProbe(sut, probeB)();
    await subscriberB.next((c) => c.teacher.id === barrier, 'barrier', EVENT_WAIT_MS, heardBefore);
    expect(writtenInA.length).toBeGreaterThanOrEqual(4);
    expect(writtenInA.filter((id) => subscriberB.heardOf(id))).toEqual([]);
    expect(subscriberB.events.every((change) => change.teacher.schoolId === schoolB)).toBe(true);
    expect(subscriberB.errors).toEqual([]);
  });

  it('tells the subscribers of both schools of a move between them', async () => {
    const created = await sut.request('POST', '/api/teachers', { ...newTeacher('Mover'), schoolId: schoolA });
    const id: string = created.body.id;
    await subscriberA.next((c) => c.kind === 'created' && c.teacher.id === id, 'created');

    expect((await sut.request('PATCH', `/api/teachers/${id}`, { schoolId: schoolB })).status).toBe(200);
    const left = await subscriberA.next((c) => c.kind === 'updated' && c.teacher.id === id, 'moved out');
    const arrived = await subscriberB.next((c) => c.kind === 'updated' && c.teacher.id === id, 'moved in');
    expect(left.teacher).toMatchObject({ schoolId: schoolB, school: { id: schoolB } });
    expect(arrived.teacher).toMatchObject({ schoolId: schoolB, school: { id: schoolB } });
  });

  it('rejects a malformed schoolId as BAD_USER_INPUT', async () => {
    const subscriber = await Subscriber.start(sut.baseUrl, 'not-an-id');
    try {
      const deadline = Date.now() + EVENT_WAIT_MS;
      while (subscriber.errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(subscriber.errors).toEqual([
        expect.objectContaining({
          message: 'schoolId must be a 24-character hexadecimal id',
          extensions: { code: 'BAD_USER_INPUT', field: 'schoolId' },
        }),
      ]);
    } finally {
      await subscriber.close();
    }
  });

  it('rejects an invalid operation with the same error codes as over HTTP', async () => {
    const client = createClient({
      url: `${sut.baseUrl.replace(/^http/, 'ws')}/graphql`,
      connectionParams: await authorizationFor(ADMIN),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    try {
      const errors = await new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer')), EVENT_WAIT_MS);
        client.subscribe(
          { query: 'subscription { teacherChanged(schoolId: "000000000000000000000000") { nope } }' },
          {
            next: () => undefined,
            error: (error) => {
              clearTimeout(timer);
              resolve(error);
            },
            complete: () => undefined,
          },
        );
      });
      expect(errors).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
    } finally {
      await client.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Several instances sharing events through Redis
// ---------------------------------------------------------------------------------------------

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Redis answers a PING (checked once, synchronously, so the suite can be skipped when it does not). */
function redisAnswers(url: string): boolean {
  const check = spawnSync(
    process.execPath,
    [
      '-e',
      `const { Redis } = require('ioredis');
       const redis = new Redis(process.argv[1], { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
       redis.on('error', () => undefined);
       redis.connect().then(() => redis.ping()).then(() => process.exit(0), () => process.exit(1));`,
      url,
    ],
    { cwd: `${__dirname}/..`, timeout: 5000, stdio: 'ignore' },
  );
  return check.status === 0;
}

const redisReachable = redisAnswers(REDIS_URL);
if (!redisReachable) {
  console.warn(`Skipping the Redis subscription tests: Redis at ${REDIS_URL} is unreachable (set TEST_REDIS_URL).`);
}

(redisReachable ? describe : describe.skip)(
  `teacherChanged subscription across instances (REDIS_URL=${REDIS_URL}${redisReachable ? '' : ': unreachable, skipped'})`,
  () => {
    let first: TestApp;
    let second: TestApp;
    let subscriber: Subscriber;

    beforeAll(async () => {
      const env = { REDIS_URL, MONGODB_DB_NAME: `e2e_redis_${randomBytes(6).toString('hex')}` };
      first = await startTestApp({ env });
      second = await startTestApp({ env, seed: false });
      subscriber = await Subscriber.start(second.baseUrl, schoolA);
      await untilListening(subscriber, restProbe(first, probeA));
    });

    afterAll(async () => {
      await subscriber?.close();
      await second?.close();
      await first?.close();
    });

    it('delivers a write on one instance to a subscriber on another', async () => {
      const created = await first.request('POST', '/api/teachers', { ...newTeacher('Shared'), schoolId: schoolA });
      expect(created.status).toBe(201);
      const id: string = created.body.id;
      const change = await subscriber.next((c) => c.kind === 'created' && c.teacher.id === id, 'created');
      expect(change.teacher).toEqual({
        id,
        firstName: 'Shared',
        lastName: created.body.lastName,
        schoolId: schoolA,
        school: { id: schoolA },
      });

      const updated = await first.graphql(
        `mutation($id: ID!) { updateTeacher(id: $id, input: { lastName: "Relayed" }) { id } }`,
        {
          id,
        },
      );
      expect(updated.body.errors).toBeUndefined();
      const update = await subscriber.next((c) => c.kind === 'updated' && c.teacher.id === id, 'updated');
      expect(update.teacher.lastName).toBe('Relayed');

      expect((await first.request('DELETE', `/api/teachers/${id}`)).status).toBe(204);
      await subscriber.next((c) => c.kind === 'deleted' && c.teacher.id === id, 'deleted');
      expect(subscriber.errors).toEqual([]);
    });
  },
);

/** Every message of one subscription on its own connection, and how the connection ended. */
function subscribeRaw(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown>,
  connectionParams: Record<string, string>,
) {
  const results: { data?: any; errors?: readonly any[] }[] = [];
  const failures: unknown[] = [];
  let closeCode: number | undefined;
  const client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    connectionParams,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: (error) => failures.push(error),
    on: { closed: (event) => (closeCode = (event as { code?: number }).code) },
  });
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (result) => void results.push(result),
      error: (error) => void failures.push(error),
      complete: () => undefined,
    },
  );
  return {
    results,
    failures,
    closeCode: () => closeCode,
    async until(done: () => boolean, what: string, timeoutMs = EVENT_WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (!done()) {
        if (Date.now() > deadline)
          throw new Error(`no ${what} within ${timeoutMs} ms: ${JSON.stringify({ results, failures, closeCode })}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      unsubscribe();
      await client.dispose();
    },
  };
}

describe('teacherChanged subscription access', () => {
  let sut: TestApp;
  const withEmails = `subscription ($schoolId: ID!) { teacherChanged(schoolId: $schoolId) { kind teacher { id email } } }`;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('refuses an anonymous subscriber with UNAUTHENTICATED', async () => {
    const subscription = subscribeRaw(sut.baseUrl, withEmails, { schoolId: schoolA }, {});
    try {
      await subscription.until(() => subscription.results.length > 0, 'answer');
      expect(subscription.results).toEqual([
        expect.objectContaining({ errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })] }),
      ]);
    } finally {
      await subscription.close();
    }
  });

  it('closes a connection whose token does not verify with 4401', async () => {
    const subscription = subscribeRaw(
      sut.baseUrl,
      withEmails,
      { schoolId: schoolA },
      {
        authorization: 'Bearer not.a.token',
      },
    );
    try {
      await subscription.until(
        () => subscription.closeCode !== undefined && subscription.closeCode() !== undefined,
        'close',
      );
      expect(subscription.closeCode()).toBe(4401);
      expect(subscription.results).toEqual([]);
    } finally {
      await subscription.close();
    }
  });

  it('answers a document graphql-js cannot validate (a @skip variable without a value) with an error, keeping the connection', async () => {
    const subscription = subscribeRaw(
      sut.baseUrl,
      'subscription { teacherChanged(schoolId: "000000000000000000000000") @skip(if: $x) { kind } }',
      {},
      await authorizationFor(ADMIN),
    );
    try {
      await subscription.until(() => subscription.failures.length > 0, 'error');
      expect(JSON.stringify(subscription.failures)).toMatch(/\$x/);
      expect(subscription.closeCode()).toBeUndefined();
    } finally {
      await subscription.close();
    }
  });

  it('refuses the headmaster of another school with FORBIDDEN', async () => {
    const headmasterOfB: TestCaller = { role: 'headmaster', schoolId: schoolB, sub: 'headmaster-b' };
    const subscription = subscribeRaw(
      sut.baseUrl,
      withEmails,
      { schoolId: schoolA },
      await authorizationFor(headmasterOfB),
    );
    try {
      await subscription.until(() => subscription.results.length > 0, 'answer');
      expect(subscription.results).toEqual([
        expect.objectContaining({ errors: [expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })] }),
      ]);
    } finally {
      await subscription.close();
    }
  });

  it('gives a teacher their colleagues as colleagues see them, and their headmaster everything', async () => {
    const teacherA: TestCaller = { role: 'teacher', schoolId: schoolA, sub: probeA };
    const headmasterOfA: TestCaller = { role: 'headmaster', schoolId: schoolA, sub: headmasterA._id.toHexString() };
    const asTeacher = subscribeRaw(sut.baseUrl, withEmails, { schoolId: schoolA }, await authorizationFor(teacherA));
    const asHeadmaster = subscribeRaw(
      sut.baseUrl,
      withEmails,
      { schoolId: schoolA },
      await authorizationFor(headmasterOfA),
    );
    try {
      const colleague = demo.teachers
        .filter((teacher) => teacher.schoolId.toHexString() === schoolA)[1]
        ._id.toHexString();
      // Writes until both subscriptions are in place and have heard of the colleague and of the teacher themself.
      const heard = (subscription: typeof asTeacher, id: string) =>
        subscription.results.some((result) => result.data?.teacherChanged?.teacher?.id === id);
      const deadline = Date.now() + 15_000;
      while (
        !(heard(asTeacher, colleague) && heard(asTeacher, probeA) && heard(asHeadmaster, colleague)) &&
        Date.now() < deadline
      ) {
        for (const id of [colleague, probeA]) {
          expect((await sut.request('PATCH', `/api/teachers/${id}`, { phone: '+44 20 7946 0998' })).status).toBe(200);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const about = (subscription: typeof asTeacher, id: string) =>
        subscription.results.find((result) => result.data?.teacherChanged?.teacher?.id === id)!;
      const colleagueForTeacher = about(asTeacher, colleague);
      expect(colleagueForTeacher.data.teacherChanged.teacher.email).toBeNull();
      expect(colleagueForTeacher.errors?.[0]).toMatchObject({
        path: ['teacherChanged', 'teacher', 'email'],
        extensions: { code: 'FORBIDDEN' },
      });
      expect(about(asTeacher, probeA).data.teacherChanged.teacher.email).toMatch(/@/);
      expect(about(asTeacher, probeA).errors).toBeUndefined();
      expect(about(asHeadmaster, colleague).data.teacherChanged.teacher.email).toMatch(/@/);
    } finally {
      await asTeacher.close();
      await asHeadmaster.close();
    }
  });
});
