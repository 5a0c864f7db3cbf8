/**
 * True for objects made by `{…}` or JSON (in any realm, so also in Jest's sandbox), false for
 * arrays, dates, ObjectIds and other class instances.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
