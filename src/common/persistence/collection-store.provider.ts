import { Provider } from '@nestjs/common';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { EdgeStores } from '../../edge/edge.module';
import { FallbackRegistry } from '../../fallback/fallback-registry';

/**
 * Registers the CollectionStore a feature repository reads and writes through: the feature's
 * Mongoose model, decorated by the FallbackInterceptor with the given backup data (an Extended JSON
 * fixture file) and by edge-cache tagging. The single place where a feature opts in to both.
 */
export function collectionStoreProvider(
  token: symbol,
  modelName: string,
  entity: string,
  fixtureFile: string,
): Provider {
  return {
    provide: token,
    inject: [getModelToken(modelName), FallbackRegistry, EdgeStores],
    useFactory: (model: Model<unknown>, fallback: FallbackRegistry, edge: EdgeStores) =>
      edge.wrap(fallback.register(model, entity, fixtureFile), entity),
  };
}
