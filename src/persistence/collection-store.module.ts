import { type DynamicModule, Global, Inject, Module, type Provider } from '@nestjs/common';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { CollectionRegistration } from '../common/persistence/collection-registration';
import { ReferenceRules } from './reference-rules';
import { StoreChain } from './store-chain';

/** The injection token of a collection's store, by its model's name (like Mongoose's `getModelToken`). */
export function collectionStoreToken(modelName: string): string {
  return `${modelName}CollectionStore`;
}

/** Injects the CollectionStore of the model registered with `CollectionStoreModule.forFeature`. */
export const InjectCollectionStore = (modelName: string): PropertyDecorator & ParameterDecorator =>
  Inject(collectionStoreToken(modelName));

const registrations = new WeakMap<Provider, CollectionRegistration>();

@Global()
@Module({ providers: [StoreChain, ReferenceRules], exports: [StoreChain] })
class StoreChainModule {}

/**
 * Where a feature registers a collection: its Mongoose model, and the CollectionStore its repository reads and
 * writes through (injected with `@InjectCollectionStore(<Record>.name)`), assembled by the StoreChain with the
 * fallback's backup data and the edge's tagging. `forRoot()` once in AppModule; `forFeature()` in each feature.
 */
@Module({})
export class CollectionStoreModule {
  static forRoot(): DynamicModule {
    return { module: CollectionStoreModule, imports: [StoreChainModule] };
  }

  static forFeature<TRecord, TEntity>(registration: CollectionRegistration<TRecord, TEntity>): DynamicModule {
    const { model } = registration;
    const provider: Provider = {
      provide: collectionStoreToken(model.name),
      inject: [getModelToken(model.name), StoreChain],
      useFactory: (mongooseModel: Model<TRecord>, chain: StoreChain) => chain.build(mongooseModel, registration),
    };
    registrations.set(provider, registration);
    return {
      module: CollectionStoreModule,
      imports: [MongooseModule.forFeature([model])],
      providers: [provider],
      exports: [collectionStoreToken(model.name)],
    };
  }
}

/** The registration behind a provider made by `CollectionStoreModule.forFeature`. */
export function collectionRegistrationOf(provider: Provider): CollectionRegistration | undefined {
  return registrations.get(provider);
}
