import { createServer, type Server } from 'node:net';
import { RedisThrottlerStorage } from './redis-throttler-storage';

/** A port on which nothing listens: Redis is down. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe(RedisThrottlerStorage.name, () => {
  let sut: RedisThrottlerStorage;

  afterEach(async () => {
    await sut.onApplicationShutdown();
  });

  it('counts in the instance, at once, while Redis is down, and still blocks past the limit', async () => {
    sut = new RedisThrottlerStorage({ url: `redis://127.0.0.1:${await closedPort()}`, timeoutMs: 50 });
    const started = Date.now();
    const records = [];
    for (let hit = 0; hit < 4; hit++) records.push(await sut.increment('address:a', 60_000, 3, 0, 'default'));
    expect(Date.now() - started).toBeLessThan(200);
    expect(records.map(({ totalHits, isBlocked }) => ({ totalHits, isBlocked }))).toEqual([
      { totalHits: 1, isBlocked: false },
      { totalHits: 2, isBlocked: false },
      { totalHits: 3, isBlocked: false },
      { totalHits: 4, isBlocked: true },
    ]);
    expect(records[3].timeToBlockExpire).toBe(60);
  });
});
