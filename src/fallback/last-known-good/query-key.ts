import { Types } from 'mongoose';

/** Where the order of an object's keys means something: the fields of a sort. */
const ORDERED_KEYS = new Set(['sort', '$sort']);

function canonicalValue(value: unknown, keepKeyOrder: boolean): unknown {
  if (value instanceof Types.ObjectId) return { $oid: value.toHexString() };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (value instanceof RegExp) return { $regex: value.source, $options: [...value.flags].sort().join('') };
  if (Array.isArray(value)) return value.map((item: unknown) => canonicalValue(item, false));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (!keepKeyOrder) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, canonicalValue(item, ORDERED_KEYS.has(key))]));
  }
  return value;
}

/**
 * One string for a query's arguments, the same for every way of writing the same query: object keys in order of
 * name (except in sorts, where their order is the query's), ObjectIds and Dates written as values, undefined fields
 * left out. Two queries with one key may differ only in what cannot change their answer.
 */
export function canonicalKey(operation: string, argument: unknown): string {
  return `${operation}:${JSON.stringify(canonicalValue(argument, false))}`;
}
