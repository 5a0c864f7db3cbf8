/** Where an answer's data came from, as its client saw it: X-Data-Source, or a 503. */
export const ANSWER_SOURCES = ['database', 'stale', 'fallback', 'unavailable'] as const;
export type AnswerSource = (typeof ANSWER_SOURCES)[number];

/** Fifteen minutes of seconds. */
export const WINDOW_SECONDS = 900;

/**
 * Latencies kept per second to work out its percentiles: every one up to this many, a uniform sample of them
 * beyond (reservoir sampling), so a busy second costs no more memory than a quiet one.
 */
const SAMPLES_PER_SECOND = 1024;

/** Answers per second by source and their latency, oldest second first, one entry per second. */
export interface AnswerSeries {
  /** The first second of the series, in seconds since the epoch. */
  start: number;
  counts: Record<AnswerSource, number[]>;
  /** Latency percentiles of each second's answers in milliseconds; null for a second without answers. */
  p50Ms: (number | null)[];
  p99Ms: (number | null)[];
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)];
}

function rounded(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * Per-second counters of the last `windowSeconds` seconds in fixed arrays (a ring, with a slot more for the second
 * still counting): each slot holds the answers of
 * one second by source and the p50 and p99 of their latencies, worked out when the second is over. Recording is a
 * few array writes; nothing grows with traffic or time.
 */
export class AnswerCounters {
  /** The second (since the epoch) each slot holds, or -1. */
  private readonly slotSeconds: Float64Array;
  private readonly counts: Record<AnswerSource, Uint32Array>;
  private readonly p50: Float64Array;
  private readonly p99: Float64Array;
  private readonly samples = new Float64Array(SAMPLES_PER_SECOND);
  /** Latencies recorded in the current second (the sample holds at most SAMPLES_PER_SECOND of them). */
  private seen = 0;
  private currentSecond = -1;

  constructor(
    readonly windowSeconds = WINDOW_SECONDS,
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    // The window's complete seconds and the one still counting.
    const slots = windowSeconds + 1;
    this.slotSeconds = new Float64Array(slots).fill(-1);
    this.counts = Object.fromEntries(ANSWER_SOURCES.map((source) => [source, new Uint32Array(slots)])) as Record<
      AnswerSource,
      Uint32Array
    >;
    this.p50 = new Float64Array(slots).fill(NaN);
    this.p99 = new Float64Array(slots).fill(NaN);
  }

  record(source: AnswerSource, latencyMs: number): void {
    // A clock set back counts into the current second rather than over seconds already closed.
    const second = Math.max(this.currentSecond, Math.floor(this.clock() / 1000));
    if (second !== this.currentSecond) this.moveTo(second);
    const slot = this.slotOf(second);
    this.counts[source][slot]++;
    if (this.seen < SAMPLES_PER_SECOND) this.samples[this.seen] = latencyMs;
    else {
      const index = Math.floor(this.random() * (this.seen + 1));
      if (index < SAMPLES_PER_SECOND) this.samples[index] = latencyMs;
    }
    this.seen++;
  }

  /** The last `windowSeconds` complete seconds (the current one is still counting). */
  series(): AnswerSeries {
    const now = Math.max(this.currentSecond, Math.floor(this.clock() / 1000));
    if (now !== this.currentSecond && this.currentSecond !== -1) this.moveTo(now);
    const start = now - this.windowSeconds;
    const counts = Object.fromEntries(ANSWER_SOURCES.map((source) => [source, [] as number[]])) as Record<
      AnswerSource,
      number[]
    >;
    const p50Ms: (number | null)[] = [];
    const p99Ms: (number | null)[] = [];
    for (let second = start; second < now; second++) {
      const slot = this.slotOf(second);
      const held = this.slotSeconds[slot] === second;
      for (const source of ANSWER_SOURCES) counts[source].push(held ? this.counts[source][slot] : 0);
      p50Ms.push(held && !Number.isNaN(this.p50[slot]) ? rounded(this.p50[slot]) : null);
      p99Ms.push(held && !Number.isNaN(this.p99[slot]) ? rounded(this.p99[slot]) : null);
    }
    return { start, counts, p50Ms, p99Ms };
  }

  /** Closes the current second (its percentiles) and clears the slot `second` takes over. */
  private moveTo(second: number): void {
    if (this.currentSecond !== -1 && this.seen > 0) {
      const slot = this.slotOf(this.currentSecond);
      const sorted = this.samples.slice(0, Math.min(this.seen, SAMPLES_PER_SECOND)).sort();
      this.p50[slot] = percentile(sorted, 0.5);
      this.p99[slot] = percentile(sorted, 0.99);
    }
    this.currentSecond = second;
    this.seen = 0;
    const slot = this.slotOf(second);
    this.slotSeconds[slot] = second;
    for (const source of ANSWER_SOURCES) this.counts[source][slot] = 0;
    this.p50[slot] = NaN;
    this.p99[slot] = NaN;
  }

  private slotOf(second: number): number {
    return second % this.slotSeconds.length;
  }
}
