import type { Type } from '@nestjs/common';
import type { ModelDefinition } from '@nestjs/mongoose';
import mongoose from 'mongoose';
import type { StoredRecord } from './collection-store';

/**
 * What a feature declares about one of its collections (src/persistence/collection-store.module.ts): its model,
 * its backup data, how long edges may keep it and how its records reach clients. The backup data is checked
 * against all of it by the schema-drift test, and `npm run fixtures:refresh` finds the collections to sample here.
 */
export interface CollectionRegistration<TRecord = unknown, TEntity = unknown> {
  /** The model as given to `MongooseModule.forFeature`; references between collections are its `ref`s. */
  model: ModelDefinition;
  /** The entity name used in edge-cache keys (`school`). */
  entity: string;
  /** The backup data: `<module>/persistence/fixtures/<collection>.json`. */
  fixtureFile: string;
  /** Seconds an edge may keep answers containing these records (unless EDGE_TTL_<COLLECTION> says otherwise). */
  edgeTtlSeconds?: number;
  /** The repository's mapper from a stored record to the domain entity. */
  toEntity(record: StoredRecord<TRecord>): TEntity;
  /** How REST answers with an entity: the response class (its `@ApiProperty`s) and the mapper. */
  rest: { type: Type<unknown>; from(entity: TEntity): unknown };
  /** The GraphQL object type resolved from an entity. */
  graphql: Type<unknown>;
}

/** The MongoDB collection of a registered model, named as Mongoose names it. */
export function collectionNameOf(registration: CollectionRegistration): string {
  const { name, collection } = registration.model;
  const schema = registration.model.schema as mongoose.Schema;
  return collection ?? schema.get('collection') ?? mongoose.pluralize()!(name);
}
