import type { QueryFilter } from 'mongoose';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The query of a name search: every word of `q` must occur, case-insensitively, in one of `fields`
 * (`ada love` finds Ada Lovelace). No condition when `q` has no words.
 */
export function everyWordIn<T>(q: string | undefined, fields: readonly string[]): QueryFilter<T> {
  const words = q?.trim().split(/\s+/).filter(Boolean) ?? [];
  if (words.length === 0) return {};
  return {
    $and: words.map((word) => {
      const pattern = new RegExp(escapeRegex(word), 'i');
      return { $or: fields.map((field) => ({ [field]: pattern })) };
    }),
  };
}
