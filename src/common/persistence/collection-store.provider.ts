import { Provider } from '@nestjs/common';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { FallbackRegistry } from '../../fallback/fallback-registry';

/**
 * Registers the CollectionStore a feature repository reads and writes through: the feature's
 * Mongoose model, decorated by the FallbackInterceptor with the given backup data (an Extended JSON
 * fixture file). The single place where a feature opts in to fallback.
 */
export function collectionStoreProvider(
  token: symbol,
  modelName: string,
  entity: string,
  fixtureFile: string,
): Provider {
  return {
    provide: token,
    inject: [getModelToken(modelName), FallbackRegistry],
    useFactory: (model: Model<unknown>, registry: FallbackRegistry) => registry.register(model, entity, fixtureFile),
  };
}
