import { Redis } from 'ioredis';
import { Types } from 'mongoose';
import { RedisServer } from '../../../test/support/redis-server';
import type { StoredRecord } from '../../common/persistence/collection-store';
import { RedisSharedTier, type RedisSharedTierSettings } from './redis-shared-tier';

jest.setTimeout(30_000);

const TIMEOUT_MS = 50;
/** What a bounded read may take beyond its bound on a busy machine. */
const SLACK_MS = 100;

type Teacher = StoredRecord<{ name: string; hiredAt: Date; subjectIds: Types.ObjectId[]; grades: number[] }>;

function teacher(name: string): Teacher {
  return {
    _id: new Types.ObjectId(),
    name,
    hiredAt: new Date('2024-09-01T08:00:00Z'),
    subjectIds: [new Types.ObjectId(), new Types.ObjectId()],
    grades: [1, 2.5],
    createdAt: new Date('2026-01-05T09:00:00Z'),
    updatedAt: new Date('2026-01-05T09:00:00Z'),
  };
}

async function eventually(probe: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function timed<V>(work: () => Promise<V>): Promise<{ value: V; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

describe(RedisSharedTier.name, () => {
  let redis: RedisServer;
  let inspector: Redis;
  const opened: RedisSharedTier[] = [];

  async function open(settings: Partial<RedisSharedTierSettings> = {}): Promise<RedisSharedTier> {
    const tier = new RedisSharedTier({
      url: redis.url,
      maxAgeMs: 60_000,
      redisMaxBytes: 1024 * 1024,
      redisTimeoutMs: TIMEOUT_MS,
      ...settings,
    });
    opened.push(tier);
    await eventually(() => tier.status().connected, 'the connection');
    return tier;
  }

  beforeAll(async () => {
    redis = await RedisServer.start();
    inspector = new Redis(redis.url);
  });

  beforeEach(async () => {
    await inspector.flushall();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((tier) => tier.close()));
  });

  afterAll(async () => {
    inspector?.disconnect();
    await redis?.kill();
  });

  it('gives records back as they were remembered: ObjectIds, Dates and numbers as such', async () => {
    const sut = await open();
    const ada = teacher('Ada');
    const at = Date.now();
    sut.rememberRecords('teachers', [{ id: ada._id.toHexString(), value: ada, at }]);

    const recalled = await sut.recallRecord('teachers', ada._id.toHexString().toUpperCase());

    expect(recalled).toEqual({ value: ada, at });
    const value = recalled?.value as Teacher;
    expect(value._id).toBeInstanceOf(Types.ObjectId);
    expect(value.subjectIds[0]).toBeInstanceOf(Types.ObjectId);
    expect(value.hiredAt).toBeInstanceOf(Date);
    expect(typeof value.grades[1]).toBe('number');
  });

  it('shares what one instance remembers with another', async () => {
    const [first, second] = [await open(), await open()];
    const ada = teacher('Ada');
    const at = Date.now();
    first.rememberRecords('teachers', [{ id: ada._id.toHexString(), value: ada, at }]);
    first.rememberResult('teachers', 'find:{}', [ada], at);
    await first.recallRecord('teachers', ada._id.toHexString());

    expect(await second.recallRecord('teachers', ada._id.toHexString())).toEqual({ value: ada, at });
    expect(await second.recallResult('teachers', 'find:{}')).toEqual({ result: { value: [ada], at }, lastWriteAt: 0 });
  });

  it('does not serve a result older than the collection’s last write, from any instance', async () => {
    const [reader, writer] = [await open(), await open()];
    const ada = teacher('Ada');
    const readAt = Date.now() - 1000;
    reader.rememberResult('teachers', 'find:{}', [ada], readAt);
    writer.written('teachers', ada._id.toHexString(), { ...ada, name: 'Ada Moss' }, readAt + 500);
    await writer.recallRecord('teachers', ada._id.toHexString());

    expect(await reader.recallResult('teachers', 'find:{}')).toEqual({ lastWriteAt: readAt + 500 });

    reader.rememberResult('teachers', 'find:{}', [ada], readAt + 600);
    expect(await reader.recallResult('teachers', 'find:{}')).toMatchObject({ result: { at: readAt + 600 } });
  });

  it('remembers a delete as a tombstone that a read begun before it does not overwrite', async () => {
    const sut = await open();
    const ada = teacher('Ada');
    const id = ada._id.toHexString();
    const deletedAt = Date.now();
    sut.written('teachers', id, undefined, deletedAt);
    sut.rememberRecords('teachers', [{ id, value: ada, at: deletedAt - 10 }]);

    expect(await sut.recallRecord('teachers', id)).toEqual({ value: undefined, at: deletedAt });
  });

  it('keeps a snapshot with the writes of every instance applied, also those made while it was read', async () => {
    const [refresher, writer] = [await open(), await open()];
    const [ada, ben, cy] = [teacher('Ada'), teacher('Ben'), teacher('Cy')];
    const readBegan = Date.now() - 100;
    writer.written('teachers', ben._id.toHexString(), undefined, readBegan + 10);
    await writer.recallRecord('teachers', 'x');
    refresher.saveSnapshot('teachers', [ada, ben], readBegan);
    await refresher.recallRecord('teachers', 'x');
    writer.written('teachers', cy._id.toHexString(), cy, Date.now());
    // Stores are sent in the background: a read on the same connection comes back after the store is done.
    await writer.recallRecord('teachers', 'x');

    const loaded = await refresher.loadSnapshot('teachers');

    expect(loaded?.at).toBe(readBegan);
    expect(loaded?.records).toHaveLength(2);
    expect(loaded?.records).toEqual(expect.arrayContaining([ada, cy]));
  });

  it('neither keeps nor serves anything past its age', async () => {
    const sut = await open({ maxAgeMs: 300 });
    const ada = teacher('Ada');
    const id = ada._id.toHexString();
    sut.rememberRecords('teachers', [{ id, value: ada, at: Date.now() - 400 }]);
    expect(await sut.recallRecord('teachers', id)).toBeUndefined();

    sut.rememberRecords('teachers', [{ id, value: ada, at: Date.now() }]);
    sut.rememberResult('teachers', 'find:{}', [ada], Date.now());
    expect(await sut.recallRecord('teachers', id)).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 350));

    expect(await sut.recallRecord('teachers', id)).toBeUndefined();
    expect(await sut.recallResult('teachers', 'find:{}')).toEqual({ lastWriteAt: 0 });
    expect(await inspector.exists(`lkg:v1:teachers:record:${id}`)).toBe(0);
  });

  it('holds its size cap when several instances write more than it allows, dropping the oldest first', async () => {
    const capBytes = 64 * 1024;
    const instances = [await open({ redisMaxBytes: capBytes }), await open({ redisMaxBytes: capBytes })];
    const start = Date.now() - 10_000;
    const written: Teacher[] = [];
    for (let i = 0; i < 400; i += 1) {
      const record = { ...teacher(`Teacher ${i} ${'x'.repeat(200)}`) };
      written.push(record);
      instances[i % 2].rememberRecords('teachers', [{ id: record._id.toHexString(), value: record, at: start + i }]);
      if (i % 50 === 0) instances[i % 2].rememberResult('teachers', `find:${i}`, [record], start + i);
    }
    await Promise.all(instances.map((tier) => tier.recallRecord('teachers', 'x')));

    const keys = await inspector.keys('lkg:v1:teachers:*');
    const held = await Promise.all(keys.map(async (key) => key.length + (await inspector.strlen(key))));
    const heldBytes = held.reduce((sum, bytes) => sum + bytes, 0);
    expect(heldBytes).toBeLessThanOrEqual(capBytes);
    expect(heldBytes).toBeGreaterThan(capBytes / 2);
    expect(Number(await inspector.get('lkg:v1:bytes'))).toBe(heldBytes);
    expect(await instances[0].recallRecord('teachers', written[0]._id.toHexString())).toBeUndefined();
    expect(await instances[0].recallRecord('teachers', written[399]._id.toHexString())).toBeDefined();
  });

  it('answers undefined within its bound and never throws while Redis hangs, then while it is down', async () => {
    const sut = await open();
    const ada = teacher('Ada');
    const id = ada._id.toHexString();
    const every = () => [
      sut.recallRecord('teachers', id),
      sut.recallResult('teachers', 'find:{}'),
      sut.loadSnapshot('teachers'),
    ];
    sut.rememberRecords('teachers', [{ id, value: ada, at: Date.now() }]);
    expect(await sut.recallRecord('teachers', id)).toBeDefined();

    redis.pause();
    try {
      sut.rememberRecords('teachers', [{ id, value: ada, at: Date.now() }]);
      sut.written('teachers', id, ada, Date.now());
      const [record, result] = await Promise.all([
        timed(() => sut.recallRecord('teachers', id)),
        timed(() => sut.recallResult('teachers', 'find:{}')),
      ]);
      expect([record.value, result.value]).toEqual([undefined, undefined]);
      expect(Math.max(record.ms, result.ms)).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    } finally {
      redis.resume();
    }

    await redis.kill();
    await eventually(() => !sut.status().connected, 'the connection loss');
    sut.rememberResult('teachers', 'find:{}', [ada], Date.now());
    sut.saveSnapshot('teachers', [ada], Date.now());
    const answers = await timed(() => Promise.all(every()));
    expect(answers.value).toEqual([undefined, undefined, undefined]);
    expect(answers.ms).toBeLessThan(SLACK_MS);
    expect(sut.status()).toEqual({ configured: true, connected: false, lastError: expect.any(String) });

    await redis.launch();
    await eventually(() => sut.status().connected, 'the connection to come back');
    expect(sut.status().lastError).toBeNull();
  });
});
