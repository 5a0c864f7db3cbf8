import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage';

describe(FixedWindowThrottlerStorage.name, () => {
  let sut: FixedWindowThrottlerStorage;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-30T12:00:00Z') });
    sut = new FixedWindowThrottlerStorage();
  });

  afterEach(() => {
    sut.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('blocks the hit after the limit within a window, saying when the window ends', async () => {
    for (let hit = 1; hit <= 3; hit++) {
      await expect(sut.increment('a', 2000, 3, 0, 'default')).resolves.toMatchObject({
        totalHits: hit,
        isBlocked: false,
      });
    }
    jest.advanceTimersByTime(500);
    await expect(sut.increment('a', 2000, 3, 0, 'default')).resolves.toEqual({
      totalHits: 4,
      timeToExpire: 2,
      isBlocked: true,
      timeToBlockExpire: 2,
    });
  });

  it('counts keys apart, and starts afresh when the window has passed', async () => {
    await sut.increment('a', 1000, 1, 0, 'default');
    await expect(sut.increment('a', 1000, 1, 0, 'default')).resolves.toMatchObject({ isBlocked: true });
    await expect(sut.increment('b', 1000, 1, 0, 'default')).resolves.toMatchObject({ isBlocked: false });
    jest.advanceTimersByTime(1000);
    await expect(sut.increment('a', 1000, 1, 0, 'default')).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
