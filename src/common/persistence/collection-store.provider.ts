import { Provider, Type } from '@nestjs/common';
import { getModelToken, type ModelDefinition } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { EdgeStores } from '../../edge/edge.module';
import { FallbackRegistry } from '../../fallback/fallback-registry';
import type { StoredRecord } from './collection-store';

/**
 * What a feature declares about one collection when it opts in to fallback: its model, its backup
 * data and how its records reach clients. The backup data is checked against all of it by the
 * schema-drift test, and `npm run fixtures:refresh` finds the collections to sample here.
 */
export interface CollectionRegistration<TRecord = unknown, TEntity = unknown> {
  /** The model as given to `MongooseModule.forFeature`; references between collections are its `ref`s. */
  model: ModelDefinition;
  /** The entity name used in edge-cache keys (`school`). */
  entity: string;
  /** The backup data: `<module>/persistence/fixtures/<collection>.json`. */
  fixtureFile: string;
  /** The repository's mapper from a stored record to the domain entity. */
  toEntity(record: StoredRecord<TRecord>): TEntity;
  /** How REST answers with an entity: the response class (its `@ApiProperty`s) and the mapper. */
  rest: { type: Type<unknown>; from(entity: TEntity): unknown };
  /** The GraphQL object type resolved from an entity. */
  graphql: Type<unknown>;
}

const registrations = new WeakMap<Provider, CollectionRegistration>();

/**
 * Registers the CollectionStore a feature repository reads and writes through: the feature's
 * Mongoose model, decorated by the FallbackInterceptor with the given backup data (an Extended JSON
 * fixture file) and by edge-cache tagging. The single place where a feature opts in to both.
 */
export function collectionStoreProvider<TRecord, TEntity>(
  token: symbol,
  registration: CollectionRegistration<TRecord, TEntity>,
): Provider {
  const provider: Provider = {
    provide: token,
    inject: [getModelToken(registration.model.name), FallbackRegistry, EdgeStores],
    useFactory: (model: Model<unknown>, fallback: FallbackRegistry, edge: EdgeStores) =>
      edge.wrap(fallback.register(model, registration.entity, registration.fixtureFile), registration.entity),
  };
  registrations.set(provider, registration);
  return provider;
}

/** The registration behind a provider made by collectionStoreProvider. */
export function collectionRegistrationOf(provider: Provider): CollectionRegistration | undefined {
  return registrations.get(provider);
}
