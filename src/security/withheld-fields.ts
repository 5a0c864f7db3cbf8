import type { FieldMiddleware } from '@nestjs/graphql';
import type { GraphqlContext } from '../common/graphql/request-loaders';
import { accessDenied } from './access-policy';
import { ANONYMOUS } from '../common/principal';

const WITHHELD = Symbol('withheld fields');

/** `T` as a caller may see it: the fields `K` may be withheld. */
export type Withholdable<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/**
 * A copy of `entity` without `fields`, remembering which were withheld, so that the GraphQL field
 * middleware can answer FORBIDDEN for them (REST simply leaves them out). The mark is a symbol-keyed
 * property: it survives object spread and never reaches JSON.
 */
export function withhold<T extends object, K extends keyof T>(entity: T, fields: readonly K[]): Withholdable<T, K> {
  const copy = { ...entity } as Record<PropertyKey, unknown>;
  for (const field of fields) delete copy[field];
  copy[WITHHELD] = new Set<PropertyKey>(fields);
  return copy as Withholdable<T, K>;
}

export function isWithheld(source: unknown, field: PropertyKey): boolean {
  if (typeof source !== 'object' || source === null) return false;
  return (source as { [WITHHELD]?: Set<PropertyKey> })[WITHHELD]?.has(field) ?? false;
}

/**
 * For GraphQL fields that some callers may not see: a withheld field answers FORBIDDEN
 * (UNAUTHENTICATED for anonymous callers) at its path, never a silent null.
 */
export const withholdableField: FieldMiddleware = async (ctx, next): Promise<unknown> => {
  if (ctx.info && isWithheld(ctx.source, ctx.info.fieldName)) {
    throw accessDenied((ctx.context as Partial<GraphqlContext>).principal ?? ANONYMOUS);
  }
  return (await next()) as unknown;
};
