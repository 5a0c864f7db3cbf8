import { stableIndex, stablePick } from './deterministic';
import {
  INVENTED_FIRST_NAMES,
  INVENTED_LAST_NAMES,
  INVENTED_PLACE_NAMES,
  INVENTED_STREET_KINDS,
  INVENTED_STREET_NAMES,
  ORGANISATION_KIND_WORDS,
  POSTCODE_LETTERS,
} from './invented-names';
import { defaultRuleFor, type CollectionSettings, type FieldRule, type FieldStrategy } from './sanitize-config';
import { isPlainObject } from './plain-object';

/** The domain of every invented e-mail address. */
export const SANITIZED_EMAIL_DOMAIN = 'example.org';

/** One sampled record on its way to the backup data. */
export interface SanitizeEntry {
  /** The record's `_id` in the database, as hex: invented values are derived from it. */
  originalId: string;
  /** The record's 1-based number in its fixture file (`{n}` in templates). */
  n: number;
  /** Rewritten in place. */
  record: Record<string, unknown>;
}

export interface SanitizeOptions {
  seed: string;
  collection: string;
  /** The entity name, for e-mail addresses of records without names (`school.3@example.org`). */
  entity: string;
  settings?: CollectionSettings;
}

/** Per field (dotted path without array indexes): its strategy and how many values it rewrote. */
export type SanitizeReport = Map<string, { strategy: FieldStrategy; rewritten: number }>;

/**
 * Templates build on other fields' sanitized values: sequences run after the plain strategies,
 * e-mails last (`office.{code}` sees the new code).
 */
const PASSES: readonly ((strategy: FieldStrategy) => boolean)[] = [
  (strategy) => strategy !== 'sequence' && strategy !== 'email',
  (strategy) => strategy === 'sequence',
  (strategy) => strategy === 'email',
];

/**
 * Replaces personal data in the records with invented values, deterministically: the same seed,
 * collection, original `_id` and field always give the same value. Each string value's strategy is
 * the collection's configured rule for its field, else the default for the field's name (`email`,
 * `phone`, `firstName`, …), else `keep`. E-mail addresses stay unique within their field.
 */
export function sanitizeRecords(entries: readonly SanitizeEntry[], options: SanitizeOptions): SanitizeReport {
  const report: SanitizeReport = new Map();
  const ruleFor = (field: string): FieldRule => options.settings?.fields[field] ?? defaultRuleFor(field);
  const usedEmails = new Map<string, Set<string>>();

  for (const inPass of PASSES) {
    for (const entry of entries) {
      forEachString(entry.record, [], (path, value, write) => {
        if (path[0] === '_id') return;
        const field = path.filter((segment) => !/^\d+$/.test(segment)).join('.');
        const rule = ruleFor(field);
        if (rule.strategy === 'keep' || !inPass(rule.strategy)) return;
        const key = [options.seed, options.collection, entry.originalId, path.join('.')];
        let replacement = invent(rule, value, key, entry, options);
        if (rule.strategy === 'email') {
          let used = usedEmails.get(field);
          if (used === undefined) usedEmails.set(field, (used = new Set()));
          replacement = uniqueEmail(replacement, used);
        }
        write(replacement);
        const counted = report.get(field) ?? { strategy: rule.strategy, rewritten: 0 };
        if (replacement !== value) counted.rewritten++;
        report.set(field, counted);
      });
    }
  }
  return report;
}

function invent(
  rule: FieldRule,
  value: string,
  key: readonly string[],
  entry: SanitizeEntry,
  options: SanitizeOptions,
): string {
  switch (rule.strategy) {
    case 'keep':
      return value;
    case 'first-name':
      return stablePick(INVENTED_FIRST_NAMES, ...key);
    case 'last-name':
      return stablePick(INVENTED_LAST_NAMES, ...key);
    case 'full-name':
      return `${stablePick(INVENTED_FIRST_NAMES, ...key, 'first')} ${stablePick(INVENTED_LAST_NAMES, ...key, 'last')}`;
    case 'organisation-name':
      return organisationName(value, key);
    case 'phone':
      return `+1 555 01${String(stableIndex(100, ...key)).padStart(2, '0')}`;
    case 'street':
      return (
        `${1 + stableIndex(98, ...key, 'number')} ${stablePick(INVENTED_STREET_NAMES, ...key, 'name')} ` +
        stablePick(INVENTED_STREET_KINDS, ...key, 'kind')
      );
    case 'postal-code':
      return postalCode(value, key);
    case 'email':
      return `${emailLocalPart(rule.template, entry, options)}@${SANITIZED_EMAIL_DOMAIN}`;
    case 'sequence':
      return fillTemplate(rule.template ?? '{n}', entry, (text) => text);
  }
}

/** `Oakfield Primary School` → `Larchmere Primary School`: the proper name invented, the kind kept. */
function organisationName(value: string, key: readonly string[]): string {
  const words = value.trim().split(/\s+/);
  let kindStart = words.length;
  while (kindStart > 0 && ORGANISATION_KIND_WORDS.has(words[kindStart - 1].toLowerCase())) kindStart--;
  return [stablePick(INVENTED_PLACE_NAMES, ...key), ...words.slice(kindStart)].join(' ');
}

/**
 * Keeps the area (`NR2` of `NR2 4QT`; the first half of a code without a space) and invents the
 * rest with the same shape: digits for digits, letters for letters.
 */
function postalCode(value: string, key: readonly string[]): string {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  const keep = space > 0 ? space : Math.ceil(trimmed.length / 2);
  let position = 0;
  const rest = trimmed.slice(keep).replace(/[0-9A-Za-z]/g, (character) => {
    position++;
    if (/\d/.test(character)) return String(stableIndex(10, ...key, String(position)));
    const letter = stablePick([...POSTCODE_LETTERS], ...key, String(position));
    return character === character.toLowerCase() ? letter.toLowerCase() : letter;
  });
  return trimmed.slice(0, keep) + rest;
}

function emailLocalPart(template: string | undefined, entry: SanitizeEntry, options: SanitizeOptions): string {
  if (template !== undefined) return fillTemplate(template, entry, slug);
  const { firstName, lastName } = entry.record;
  if (typeof firstName === 'string' && typeof lastName === 'string') return `${slug(firstName)}.${slug(lastName)}`;
  return `${slug(options.entity)}.${entry.n}`;
}

/** `{n}`, `{n:3}` (zero-padded) and `{field.path}` (the record's current value, passed through `format`). */
function fillTemplate(template: string, entry: SanitizeEntry, format: (text: string) => string): string {
  return template.replace(/\{([^{}:]+)(?::(\d+))?\}/g, (_match, name: string, width?: string) => {
    if (name === 'n') return String(entry.n).padStart(Number(width ?? 0), '0');
    const value = name
      .split('.')
      .reduce<unknown>((current, segment) => (current as Record<string, unknown>)?.[segment], entry.record);
    return format(typeof value === 'string' || typeof value === 'number' ? String(value) : '');
  });
}

function uniqueEmail(email: string, used: Set<string>): string {
  const at = email.lastIndexOf('@');
  let candidate = email;
  for (let suffix = 2; used.has(candidate); suffix++) candidate = `${email.slice(0, at)}.${suffix}${email.slice(at)}`;
  used.add(candidate);
  return candidate;
}

/** Lowercase ASCII letters, digits, dots and dashes, as an e-mail local part can carry them. */
function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
}

function forEachString(
  value: unknown,
  path: string[],
  visit: (path: string[], value: string, write: (replacement: string) => void) => void,
): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      if (typeof item === 'string')
        visit([...path, String(index)], item, (replacement) => (value[index] = replacement));
      else forEachString(item, [...path, String(index)], visit);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (typeof child === 'string') visit([...path, key], child, (replacement) => (value[key] = replacement));
    else forEachString(child, [...path, key], visit);
  }
}
