import { AnswerCounters } from './answer-counters';

const START_MS = Date.parse('2026-12-01T08:00:00Z');
const START_SECOND = START_MS / 1000;

describe(AnswerCounters.name, () => {
  let now: number;

  function newTestCounters(windowSeconds = 900) {
    now = START_MS;
    const sut = new AnswerCounters(windowSeconds, () => now);
    return { sut };
  }

  const at = (seconds: number) => (now = START_MS + seconds * 1000);

  it('counts the answers of each second by source, oldest first, up to the last complete second', () => {
    const { sut } = newTestCounters(5);
    sut.record('database', 3);
    sut.record('database', 4);
    at(1.5);
    sut.record('stale', 1);
    sut.record('unavailable', 2);
    at(2.2);
    sut.record('fallback', 7);

    const series = sut.series();

    expect(series.start).toBe(START_SECOND + 2 - 5);
    expect(series.counts).toEqual({
      database: [0, 0, 0, 2, 0],
      stale: [0, 0, 0, 0, 1],
      fallback: [0, 0, 0, 0, 0],
      unavailable: [0, 0, 0, 0, 1],
    });
    at(3);
    expect(sut.series().counts.fallback).toEqual([0, 0, 0, 0, 1]);
  });

  it('works out p50 and p99 of each second, and null for seconds without answers', () => {
    const { sut } = newTestCounters(3);
    for (let ms = 1; ms <= 100; ms++) sut.record('database', ms);
    at(2);
    sut.record('database', 42);
    at(3);

    const { p50Ms, p99Ms } = sut.series();

    expect(p50Ms).toEqual([50, null, 42]);
    expect(p99Ms).toEqual([99, null, 42]);
  });

  it('forgets seconds older than its window, however long nothing was recorded', () => {
    const { sut } = newTestCounters(10);
    sut.record('database', 1);
    at(4);
    sut.record('stale', 1);
    at(12);
    expect(sut.series().counts.database.reduce((a, b) => a + b)).toBe(0);
    expect(sut.series().counts.stale.reduce((a, b) => a + b)).toBe(1);

    at(1000);
    sut.record('fallback', 1);
    at(1001);
    const series = sut.series();
    expect(series.counts.stale.every((count) => count === 0)).toBe(true);
    expect(series.counts.fallback).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(series.p50Ms.filter((value) => value !== null)).toEqual([1]);
  });

  it('reuses a slot for the second that wraps onto it, without the old counts', () => {
    const { sut } = newTestCounters(4);
    sut.record('database', 10);
    // Five slots: the window's four complete seconds and the one counting.
    at(5);
    sut.record('stale', 20);
    at(6);

    const series = sut.series();

    expect(series.counts.database).toEqual([0, 0, 0, 0]);
    expect(series.counts.stale).toEqual([0, 0, 0, 1]);
    expect(series.p50Ms).toEqual([null, null, null, 20]);
  });

  it('keeps a busy second within a bounded sample, its percentiles still close', () => {
    const { sut } = newTestCounters(2);
    // 10 000 answers: 1..10 000 ms in a shuffled order.
    const latencies = Array.from({ length: 10_000 }, (_, index) => index + 1);
    for (let i = latencies.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [latencies[i], latencies[j]] = [latencies[j], latencies[i]];
    }
    for (const ms of latencies) sut.record('database', ms);
    at(1);

    const { counts, p50Ms, p99Ms } = sut.series();

    expect(counts.database[1]).toBe(10_000);
    expect(p50Ms[1]).toBeGreaterThan(4_000);
    expect(p50Ms[1]).toBeLessThan(6_000);
    expect(p99Ms[1]).toBeGreaterThan(9_500);
  });

  it('counts into the current second when the clock is set back', () => {
    const { sut } = newTestCounters(3);
    at(2);
    sut.record('database', 5);
    at(1);
    sut.record('database', 5);
    at(3);

    expect(sut.series().counts.database).toEqual([0, 0, 2]);
  });
});
