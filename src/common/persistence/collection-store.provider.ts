import { Provider } from '@nestjs/common';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { AppConfig } from '../../config/app-config';
import { MongooseCollectionStore } from './mongoose-collection-store';

/**
 * Registers the CollectionStore a feature repository reads and writes through,
 * bound to the feature's Mongoose model. The single place where that binding happens.
 */
export function collectionStoreProvider(token: symbol, modelName: string, entity: string): Provider {
  return {
    provide: token,
    inject: [getModelToken(modelName), AppConfig],
    useFactory: (model: Model<unknown>, config: AppConfig) =>
      new MongooseCollectionStore(model, entity, config.mongodbOperationTimeoutMs),
  };
}
