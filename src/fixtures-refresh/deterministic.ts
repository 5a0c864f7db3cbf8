import { createHash } from 'node:crypto';

/**
 * Choices that depend only on a seed and what they are about (a collection, a record's original id,
 * a field), never on a random generator's position: a record keeps its invented name and its place
 * in the sample when other records come or go, so refreshes change only what must change.
 */

/** A hex digest of the parts; equal parts, equal digest. */
export function stableRank(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** A whole number in [0, modulo) drawn from the parts. */
export function stableIndex(modulo: number, ...parts: readonly string[]): number {
  return Number(BigInt(`0x${stableRank(...parts).slice(0, 12)}`) % BigInt(modulo));
}

/** One of the options, drawn from the parts. */
export function stablePick<T>(options: readonly T[], ...parts: readonly string[]): T {
  return options[stableIndex(options.length, ...parts)];
}
