import { readFileSync } from 'node:fs';

/**
 * The refresh command's settings file (fixtures.config.json at the project root): the seed, the
 * sample sizes and, per collection, the prefix of its backup ids and how each field is sanitized.
 * Fields not listed get a strategy from their name (defaultRuleFor); everything else is kept.
 */

export const FIELD_STRATEGIES = [
  'keep',
  'first-name',
  'last-name',
  'full-name',
  'organisation-name',
  'email',
  'phone',
  'street',
  'postal-code',
  'sequence',
] as const;
export type FieldStrategy = (typeof FIELD_STRATEGIES)[number];

/** `email` takes an optional template of the local part; `sequence` requires one. */
export interface FieldRule {
  strategy: FieldStrategy;
  /**
   * `{n}` is the record's number in its file (`{n:3}` zero-padded to 3 digits); `{field}` is the
   * record's sanitized value of that field (for `email`, turned into a lowercase slug).
   */
  template?: string;
}

export interface CollectionSettings {
  /** Two hex digits after `fb` in the collection's backup ids (schools `fb00…`). */
  idPrefix?: string;
  /**
   * The collection's own perParent; `all` takes every record of a sampled parent, for reference data that
   * must be whole in the backup data (a school's subjects, so a teacher's subjects can be checked against it).
   */
  perParent?: number | 'all';
  /** Keyed by dotted field path, array indexes left out (`address.street`). */
  fields: Record<string, FieldRule>;
}

export interface RefreshSettings {
  seed: string;
  /** Records of the root collection to sample. */
  perCollection: number;
  /** At most this many records referring to one sampled record, per reference. */
  perParent: number;
  /** The collection sampled first; by default the one most referred to. */
  root?: string;
  collections: Record<string, CollectionSettings>;
}

export class InvalidSettingsError extends Error {
  override readonly name = 'InvalidSettingsError';
}

export const DEFAULT_SETTINGS: RefreshSettings = {
  seed: 'backup-fixtures',
  perCollection: 5,
  perParent: 8,
  collections: {},
};

/** The strategy of a field nobody configured, from its name; `keep` when the name says nothing. */
export function defaultRuleFor(fieldPath: string): FieldRule {
  const name = fieldPath.split('.').at(-1) ?? '';
  if (/^e-?mail(address)?$/i.test(name)) return { strategy: 'email' };
  if (/(?:phone|mobile|fax|telephone|^tel)$/i.test(name)) return { strategy: 'phone' };
  if (/^(?:first|given)name$/i.test(name)) return { strategy: 'first-name' };
  if (/^(?:last|family|sur)name$/i.test(name)) return { strategy: 'last-name' };
  if (/^(?:full)?name$/i.test(name) && /person|contact/i.test(fieldPath)) return { strategy: 'full-name' };
  if (/^(?:street|address(?:line)?\d?)$/i.test(name)) return { strategy: 'street' };
  if (/^(?:postal_?code|post_?code|zip(?:code)?)$/i.test(name)) return { strategy: 'postal-code' };
  return { strategy: 'keep' };
}

export function readRefreshSettings(file: string): RefreshSettings {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidSettingsError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseRefreshSettings(json, file);
}

/** Validates the settings' shape; whether collections and fields exist is checked against the schemas later. */
export function parseRefreshSettings(json: unknown, source: string): RefreshSettings {
  const fail = (where: string, problem: string): never => {
    throw new InvalidSettingsError(`${source}: ${where} ${problem}`);
  };
  if (!isObject(json)) return fail('the settings', 'must be a JSON object');
  const settings: RefreshSettings = { ...DEFAULT_SETTINGS, collections: {} };
  for (const [key, value] of Object.entries(json)) {
    switch (key) {
      case '$comment':
        break;
      case 'seed':
        if (typeof value !== 'string' || value === '') fail('seed', 'must be a non-empty string');
        settings.seed = value as string;
        break;
      case 'perCollection':
      case 'perParent':
        if (!Number.isInteger(value) || (value as number) < 1) fail(key, 'must be a whole number of at least 1');
        settings[key] = value as number;
        break;
      case 'root':
        if (typeof value !== 'string') fail('root', 'must be a collection name');
        settings.root = value as string;
        break;
      case 'collections':
        if (!isObject(value)) fail('collections', 'must be an object keyed by collection name');
        for (const [collection, collectionValue] of Object.entries(value as object)) {
          settings.collections[collection] = parseCollection(collectionValue, `collections.${collection}`, fail);
        }
        break;
      default:
        fail(key, 'is not a setting (seed, perCollection, perParent, root, collections)');
    }
  }
  return settings;
}

function parseCollection(
  value: unknown,
  where: string,
  fail: (where: string, problem: string) => never,
): CollectionSettings {
  if (!isObject(value)) return fail(where, 'must be an object with idPrefix, perParent and fields');
  const settings: CollectionSettings = { fields: {} };
  for (const [key, entry] of Object.entries(value)) {
    if (key === 'idPrefix') {
      if (typeof entry !== 'string' || !/^[0-9a-f]{2}$/.test(entry))
        fail(`${where}.idPrefix`, 'must be two hex digits');
      settings.idPrefix = entry;
    } else if (key === 'perParent') {
      if (entry !== 'all' && (!Number.isInteger(entry) || (entry as number) < 1)) {
        fail(`${where}.perParent`, 'must be a whole number of at least 1, or "all"');
      }
      settings.perParent = entry as number | 'all';
    } else if (key === 'fields') {
      if (!isObject(entry)) fail(`${where}.fields`, 'must be an object keyed by field path');
      for (const [field, rule] of Object.entries(entry as object)) {
        settings.fields[field] = parseRule(rule, `${where}.fields.${field}`, fail);
      }
    } else {
      fail(`${where}.${key}`, 'is not a collection setting (idPrefix, perParent, fields)');
    }
  }
  return settings;
}

function parseRule(value: unknown, where: string, fail: (where: string, problem: string) => never): FieldRule {
  const rule = typeof value === 'string' ? { strategy: value } : value;
  if (!isObject(rule) || typeof rule.strategy !== 'string') {
    return fail(where, `must be a strategy (${FIELD_STRATEGIES.join(', ')}) or { "strategy": …, "template": … }`);
  }
  if (!(FIELD_STRATEGIES as readonly string[]).includes(rule.strategy)) {
    fail(where, `has an unknown strategy "${rule.strategy}" (${FIELD_STRATEGIES.join(', ')})`);
  }
  const extra = Object.keys(rule).find((key) => key !== 'strategy' && key !== 'template');
  if (extra !== undefined) fail(`${where}.${extra}`, 'is not a rule setting (strategy, template)');
  if (rule.template !== undefined && typeof rule.template !== 'string') fail(`${where}.template`, 'must be a string');
  if (rule.template !== undefined && rule.strategy !== 'email' && rule.strategy !== 'sequence') {
    fail(`${where}.template`, `does not apply to strategy ${rule.strategy}`);
  }
  if (rule.strategy === 'sequence' && (typeof rule.template !== 'string' || !/\{n(?::\d+)?\}/.test(rule.template))) {
    fail(where, 'needs a template with {n}, e.g. "BKP-{n:3}"');
  }
  return {
    strategy: rule.strategy as FieldStrategy,
    ...(rule.template === undefined ? {} : { template: rule.template }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
