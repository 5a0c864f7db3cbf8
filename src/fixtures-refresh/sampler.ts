import mongoose, { type Schema } from 'mongoose';
import type { FixtureReference } from '../fallback/fixtures/fixture-loader';
import { valuesAtPath } from '../fallback/fixtures/fixture-references';
import { stableRank } from './deterministic';

/**
 * Draws a representative, self-contained sample from the database along the reference graph the
 * schemas declare (`ref`):
 *
 * 1. `perCollection` records of the root collection (by default the one most referred to: schools);
 * 2. the records that refer to sampled records (a school's headmaster and teachers), recursively,
 *    at most `perParent` per sampled record and reference, in proportion to how many there are
 *    (the largest family gets `perParent`, a family a quarter its size a quarter of that);
 * 3. every record a sampled record refers to, recursively, so no reference dangles.
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
export function chooseRoot(collections: readonly SampledCollection[], references: readonly FixtureReference[]): string {
  if (collections.length === 0) throw new Error('there is no registered collection to sample');
  const incoming = (collection: string) =>
    references.filter(({ from, to }) => to === collection && from !== collection).length;
  return collections.reduce((best, candidate) =>
    incoming(candidate.collection) > incoming(best.collection) ? candidate : best,
  ).collection;
}

export async function sampleCollections(
  source: SampleSource,
  collections: readonly SampledCollection[],
  references: readonly FixtureReference[],
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
    for (const { from, field } of references.filter(({ to, from }) => to === next.collection && from !== to)) {
      if (from === root) continue;
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
          largest <= options.perParent
            ? family.length
            : Math.max(1, Math.round((family.length * options.perParent) / largest));
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
  const missing = new Map<string, Set<string>>(collections.map(({ collection }) => [collection, new Set()]));
  for (;;) {
    const wanted = new Map<string, Map<string, unknown>>();
    forEachReference(included, references, (_record, _field, to, value, key) => {
      if (included.get(to)!.has(key) || missing.get(to)!.has(key)) return;
      if (!wanted.has(to)) wanted.set(to, new Map());
      wanted.get(to)!.set(key, value);
    });
    if (wanted.size === 0) break;
    for (const [collection, ids] of wanted) {
      const found = await source.find(collection, { _id: { $in: [...ids.values()] } });
      for (const record of found) included.get(collection)!.set(idKey(record._id), record);
      for (const key of ids.keys()) if (!included.get(collection)!.has(key)) missing.get(collection)!.add(key);
    }
  }

  const dropped: DroppedRecord[] = [];
  for (let changed = true; changed;) {
    changed = false;
    forEachReference(included, references, (record, field, to, _value, key, from) => {
      if (included.get(to)!.has(key) || !included.get(from)!.has(idKey(record._id))) return;
      included.get(from)!.delete(idKey(record._id));
      dropped.push({ collection: from, id: displayId(record._id), field, missingFrom: to });
      changed = true;
    });
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

function forEachReference(
  included: ReadonlyMap<string, ReadonlyMap<string, SourceRecord>>,
  references: readonly FixtureReference[],
  visit: (record: SourceRecord, field: string, to: string, value: unknown, key: string, from: string) => void,
): void {
  for (const { from, field, to } of references) {
    for (const record of [...(included.get(from)?.values() ?? [])]) {
      for (const value of valuesAtPath(record, field)) visit(record, field, to, value, idKey(value), from);
    }
  }
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
