import mongoose, { type Schema } from 'mongoose';
import { type CollectionReference, isKeyReference, valuesAtPath } from '../common/persistence/schema-references';
import { stableRank } from './deterministic';

/**
 * Draws a representative, self-contained sample from the database along the reference graph the
 * schemas declare (`ref`):
 *
 * 1. `perCollection` records of the root collection (by default the one most referred to: schools);
 * 2. the records that refer to sampled records (a school's headmaster and teachers), recursively,
 *    at most `perParent` per sampled record and reference, in proportion to how many there are
 *    (the largest family gets `perParent`, a family a quarter its size a quarter of that);
 * 3. every record a sampled record refers to, recursively, so no reference dangles: by `_id`, or by key
 *    (a teacher's subject codes: the subjects with those codes of the teacher's school). References by
 *    key are followed this way only, from the referring record: a teacher does not join the sample
 *    because a sampled subject is taught by them.
 *
 * Within a group the choice covers every value of the collection's enum fields that the group has
 * (every school type, every teacher status), then takes records in a seeded order. That order
 * depends only on the seed and each record's id, so the same data and seed give the same sample,
 * and a record stays in it when unrelated records change.
 */

const { EJSON } = mongoose.mongo.BSON;

export type SourceRecord = Record<string, unknown> & { _id: unknown };

/** Where the sample comes from: a MongoDB database, or records in memory for tests. */
export interface SampleSource {
  /** The records matching `filter`, ordered by `_id`; with a projection, only those fields and `_id`. */
  find(collection: string, filter: Record<string, unknown>, projection?: Record<string, 1>): Promise<SourceRecord[]>;
}

export interface SampledCollection {
  collection: string;
  schema: Schema;
}

export interface SampleOptions {
  seed: string;
  /** Defaults to chooseRoot's choice. */
  root?: string;
  perCollection: number;
  perParent: number;
  /** Another perParent for some collections; Infinity: every record of a sampled parent (reference data). */
  perParentOf?: Readonly<Record<string, number>>;
}

export interface DroppedRecord {
  collection: string;
  id: string;
  field: string;
  /** The referenced collection in which the value was not found. */
  missingFrom: string;
}

export interface Sample {
  root: string;
  /** The sampled records in full, per collection (every given collection, possibly empty), ordered by `_id`. */
  records: Map<string, SourceRecord[]>;
  /** Records left out because a reference of theirs points at nothing in the database itself. */
  dropped: DroppedRecord[];
}

/** The collection most referred to by the others; on a tie, the first given. */
export function chooseRoot(
  collections: readonly SampledCollection[],
  references: readonly CollectionReference[],
): string {
  if (collections.length === 0) throw new Error('there is no registered collection to sample');
  const incoming = (collection: string) =>
    references.filter(
      (reference) => reference.to === collection && reference.from !== collection && !isKeyReference(reference),
    ).length;
  return collections.reduce((best, candidate) =>
    incoming(candidate.collection) > incoming(best.collection) ? candidate : best,
  ).collection;
}

export async function sampleCollections(
  source: SampleSource,
  collections: readonly SampledCollection[],
  references: readonly CollectionReference[],
  options: SampleOptions,
): Promise<Sample> {
  const root = options.root ?? chooseRoot(collections, references);
  if (!collections.some(({ collection }) => collection === root)) {
    throw new Error(`the root collection ${root} is not a registered collection`);
  }
  const strata = new Map(collections.map(({ collection, schema }) => [collection, enumPaths(schema)]));
  const strataOf = (collection: string) => strata.get(collection) ?? [];
  const members = new Map<string, Map<string, unknown>>(collections.map(({ collection }) => [collection, new Map()]));
  const addMembers = (collection: string, records: readonly SourceRecord[]): unknown[] => {
    const known = members.get(collection)!;
    const added = records.filter((record) => !known.has(idKey(record._id)));
    for (const record of added) known.set(idKey(record._id), record._id);
    return added.map((record) => record._id);
  };
  const choose = (collection: string, candidates: readonly SourceRecord[], count: number) =>
    representative(candidates, count, strataOf(collection), (record) =>
      stableRank(options.seed, collection, idKey(record._id)),
    );

  const rootCandidates = await source.find(root, {}, projection(strataOf(root)));
  const queue: { collection: string; ids: unknown[] }[] = [
    { collection: root, ids: addMembers(root, choose(root, rootCandidates, options.perCollection)) },
  ];

  // Records referring to sampled records join the sample as members, and so do theirs in turn;
  // the root collection only gets the records it was sampled with.
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const parentKeys = new Set(next.ids.map(idKey));
    const referring = references.filter(
      (reference) => reference.to === next.collection && reference.from !== reference.to && !isKeyReference(reference),
    );
    for (const { from, field } of referring) {
      if (from === root) continue;
      const perParent = options.perParentOf?.[from] ?? options.perParent;
      const candidates = await source.find(
        from,
        { [field]: { $in: next.ids } },
        projection([field, ...strataOf(from)]),
      );
      const families = new Map<string, SourceRecord[]>();
      for (const candidate of candidates) {
        for (const parent of valuesAtPath(candidate, field).map(idKey)) {
          if (parentKeys.has(parent)) families.set(parent, [...(families.get(parent) ?? []), candidate]);
        }
      }
      const largest = Math.max(0, ...[...families.values()].map((family) => family.length));
      const chosen = [...families.values()].flatMap((family) => {
        const count =
          largest <= perParent ? family.length : Math.max(1, Math.round((family.length * perParent) / largest));
        return choose(from, family, count);
      });
      const added = addMembers(from, chosen);
      if (added.length > 0) queue.push({ collection: from, ids: added });
    }
  }

  const included = new Map<string, Map<string, SourceRecord>>();
  for (const [collection, ids] of members) {
    const records = ids.size === 0 ? [] : await source.find(collection, { _id: { $in: [...ids.values()] } });
    included.set(collection, new Map(records.map((record) => [idKey(record._id), record])));
  }

  // Everything the sample refers to comes along, whatever refers to it stays out.
  const unresolvable = new Map(references.map((reference) => [reference, new Set<string>()]));
  for (let fetched = true; fetched;) {
    fetched = false;
    for (const reference of references) {
      const targets = targetKeys(reference, included.get(reference.to)!);
      const wanted = new Map<string, { scope: unknown; value: unknown }>();
      forEachValue(included, reference, (record, value) => {
        const key = lookupKey(reference, record, value);
        if (targets.has(key) || unresolvable.get(reference)!.has(key)) return;
        wanted.set(key, { scope: scopeOf(reference, record), value });
      });
      if (wanted.size === 0) continue;
      const found = await source.find(reference.to, filterFor(reference, [...wanted.values()]));
      for (const record of found) included.get(reference.to)!.set(idKey(record._id), record);
      const now = targetKeys(reference, included.get(reference.to)!);
      for (const key of wanted.keys()) if (!now.has(key)) unresolvable.get(reference)!.add(key);
      fetched = true;
    }
  }

  const dropped: DroppedRecord[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (const reference of references) {
      const targets = targetKeys(reference, included.get(reference.to)!);
      const from = included.get(reference.from)!;
      forEachValue(included, reference, (record, value) => {
        if (targets.has(lookupKey(reference, record, value)) || !from.has(idKey(record._id))) return;
        from.delete(idKey(record._id));
        dropped.push({
          collection: reference.from,
          id: displayId(record._id),
          field: reference.field,
          missingFrom: reference.to,
        });
        changed = true;
      });
    }
  }

  const records = new Map(
    collections.map(({ collection }) => [
      collection,
      [...included.get(collection)!.values()].sort((a, b) => compareIds(a._id, b._id)),
    ]),
  );
  return { root, records, dropped };
}

/**
 * `count` records of the candidates: first, in ranked order, each that brings a value of an enum
 * field not yet covered; then the rest in ranked order.
 */
export function representative(
  candidates: readonly SourceRecord[],
  count: number,
  enumFields: readonly string[],
  rank: (record: SourceRecord) => string,
): SourceRecord[] {
  const ranked = [...candidates].sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
  const chosen = new Set<SourceRecord>();
  const covered = new Set<string>();
  for (const candidate of ranked) {
    if (chosen.size >= count) break;
    const values = enumFields.flatMap((field) =>
      valuesAtPath(candidate, field).map((value) => `${field}=${String(value)}`),
    );
    if (values.some((value) => !covered.has(value))) {
      chosen.add(candidate);
      values.forEach((value) => covered.add(value));
    }
  }
  for (const candidate of ranked) {
    if (chosen.size >= count) break;
    chosen.add(candidate);
  }
  return [...chosen];
}

function forEachValue(
  included: ReadonlyMap<string, ReadonlyMap<string, SourceRecord>>,
  { from, field }: CollectionReference,
  visit: (record: SourceRecord, value: unknown) => void,
): void {
  for (const record of [...(included.get(from)?.values() ?? [])]) {
    for (const value of valuesAtPath(record, field)) visit(record, value);
  }
}

/** The scope a reference by key is resolved in: the referring record's `within` value. */
function scopeOf({ within }: CollectionReference, record: SourceRecord): unknown {
  return within === undefined ? null : (valuesAtPath(record, within)[0] ?? null);
}

/** What a referenced value is looked up by: the `_id`, or the key within its scope. */
function lookupKey(reference: CollectionReference, record: SourceRecord, value: unknown): string {
  return isKeyReference(reference) ? idKey([scopeOf(reference, record), value]) : idKey(value);
}

/** What the records of the referenced collection are found by, as lookupKey makes it. */
function targetKeys(reference: CollectionReference, records: ReadonlyMap<string, SourceRecord>): Set<string> {
  const { key } = reference;
  if (key === undefined) return new Set(records.keys());
  return new Set(
    [...records.values()].flatMap((record) =>
      valuesAtPath(record, key).map((value) => idKey([scopeOf(reference, record), value])),
    ),
  );
}

/** The database query for the records the given values refer to. */
function filterFor(
  { key, within }: CollectionReference,
  wanted: readonly { scope: unknown; value: unknown }[],
): Record<string, unknown> {
  const values = wanted.map(({ value }) => value);
  if (key === undefined) return { _id: { $in: values } };
  if (within === undefined) return { [key]: { $in: values } };
  const byScope = new Map<string, { scope: unknown; values: unknown[] }>();
  for (const { scope, value } of wanted) {
    const entry = byScope.get(idKey(scope)) ?? { scope, values: [] };
    entry.values.push(value);
    byScope.set(idKey(scope), entry);
  }
  return { $or: [...byScope.values()].map(({ scope, values }) => ({ [within]: scope, [key]: { $in: values } })) };
}

/** Paths of string fields limited to a list of values: what makes records of a collection differ in kind. */
function enumPaths(schema: Schema): string[] {
  const paths: string[] = [];
  schema.eachPath((path, schemaType) => {
    const values = (schemaType as { enumValues?: unknown[] }).enumValues;
    if (Array.isArray(values) && values.length > 0) paths.push(path);
  });
  return paths;
}

function projection(fields: readonly string[]): Record<string, 1> {
  return Object.fromEntries(fields.map((field) => [field, 1]));
}

/** Equal for equal BSON values of the same type. */
export function idKey(id: unknown): string {
  return EJSON.stringify(id ?? null, { relaxed: false });
}

function displayId(id: unknown): string {
  return id instanceof mongoose.mongo.ObjectId ? id.toHexString() : idKey(id);
}

function compareIds(a: unknown, b: unknown): number {
  const [left, right] = [displayId(a), displayId(b)];
  return left < right ? -1 : left > right ? 1 : 0;
}
