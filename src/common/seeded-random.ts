/** A value and its relative weight, for SeededRandom.weighted. */
export type WeightedOption<T> = readonly [value: T, weight: number];

/** mulberry32: tiny, fast and good enough for demo data and seeded tests; not for anything security related. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** True with the given probability. */
  chance(probability: number): boolean {
    return this.float() < probability;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  weighted<T>(options: readonly WeightedOption<T>[]): T {
    const total = options.reduce((sum, [, weight]) => sum + weight, 0);
    let remaining = this.float() * total;
    for (const [value, weight] of options) {
      remaining -= weight;
      if (remaining < 0) return value;
    }
    return options[options.length - 1][0];
  }

  /** Fisher–Yates on a copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }

  /** A whole-second instant in [fromMs, toMs]; whole seconds match ObjectId timestamp precision. */
  dateBetween(fromMs: number, toMs: number): Date {
    const fromSeconds = Math.ceil(fromMs / 1000);
    const toSeconds = Math.floor(toMs / 1000);
    return new Date(this.int(fromSeconds, toSeconds) * 1000);
  }
}
