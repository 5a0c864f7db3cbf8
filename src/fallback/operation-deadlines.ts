/** How many recent latencies of one operation its deadline is learned from. */
const WINDOW = 256;
/** Fewer samples than this say too little: the deadline is the ceiling until then. */
const MIN_SAMPLES = 20;
/** The high percentile a deadline is a multiple of, unless the settings say otherwise. */
const PERCENTILE = 0.99;
/** The percentile is worked out again after this many new samples (sorting a window costs a few microseconds). */
const RECOMPUTE_EVERY = 16;

export interface DeadlineSettings {
  /** A deadline is this multiple of the operation's recent high percentile... */
  multiple: number;
  /** ...at least this... */
  floorMs: number;
  /** ...and at most this (FALLBACK_OPERATION_TIMEOUT_MS). */
  ceilingMs: number;
  /** The deadline until enough samples are in (default: the ceiling). */
  unlearnedMs?: number;
  /** The percentile a deadline is a multiple of (default 0.99). */
  percentile?: number;
  /** How many recent samples it is learned from (default 256). */
  window?: number;
}

/** One operation's recent latencies (a ring) and the percentile last worked out from them. */
class LatencyWindow {
  private readonly samples: Float64Array;

  constructor(
    private readonly percentile: number,
    private readonly capacity: number,
  ) {
    this.samples = new Float64Array(capacity);
  }

  private count = 0;
  private next = 0;
  private sinceComputed = 0;
  percentileMs = 0;

  add(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    if (++this.sinceComputed >= RECOMPUTE_EVERY || this.count === MIN_SAMPLES) this.compute();
  }

  get learned(): boolean {
    return this.count >= MIN_SAMPLES;
  }

  get size(): number {
    return this.count;
  }

  private compute(): void {
    this.sinceComputed = 0;
    const sorted = this.samples.slice(0, this.count).sort();
    this.percentileMs = sorted[Math.min(this.count - 1, Math.floor(this.count * this.percentile))];
  }
}

export interface LearnedDeadline {
  /** `<collection>.<operation>`. */
  operation: string;
  deadlineMs: number;
  /** The recent 99th percentile it is learned from. */
  p99Ms: number;
  samples: number;
}

/**
 * Deadlines learned per database operation (collection and kind): what counts as too slow is a multiple of how
 * long the operation has recently taken under the current load, between a floor and the ceiling. Work as slow as it
 * always is under this load stays within its deadline; a hung database leaves every operation past it. Every
 * completed operation teaches its window, those that finished after their caller stopped waiting included, so a
 * slower steady state raises the deadline instead of failing over for good.
 */
export class OperationDeadlines {
  private readonly windows = new Map<string, LatencyWindow>();

  constructor(private readonly settings: DeadlineSettings) {}

  observe(operation: string, ms: number): void {
    let window = this.windows.get(operation);
    if (!window) {
      window = new LatencyWindow(this.settings.percentile ?? PERCENTILE, this.settings.window ?? WINDOW);
      this.windows.set(operation, window);
    }
    window.add(ms);
  }

  /** How long `operation` may take before it counts as too slow. */
  deadlineMs(operation: string): number {
    const window = this.windows.get(operation);
    if (!window?.learned) return this.settings.unlearnedMs ?? this.settings.ceilingMs;
    return this.bounded(window.percentileMs);
  }

  all(): LearnedDeadline[] {
    return [...this.windows]
      .map(([operation, window]) => ({
        operation,
        deadlineMs: Math.round(this.deadlineMs(operation)),
        p99Ms: Math.round(window.percentileMs * 10) / 10,
        samples: window.size,
      }))
      .sort((a, b) => a.operation.localeCompare(b.operation));
  }

  private bounded(percentileMs: number): number {
    const { multiple, floorMs, ceilingMs } = this.settings;
    return Math.min(ceilingMs, Math.max(floorMs, percentileMs * multiple));
  }
}
