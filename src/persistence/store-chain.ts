import { Injectable } from '@nestjs/common';
import type { Model } from 'mongoose';
import type { CollectionRegistration } from '../common/persistence/collection-registration';
import type { CollectionStore } from '../common/persistence/collection-store';
import { MongooseCollectionStore } from '../common/persistence/mongoose-collection-store';
import { AppConfig } from '../config/app-config';
import { EdgeStores } from '../edge/edge.module';
import { FallbackRegistry } from '../fallback/fallback-registry';

/**
 * Assembles each collection's store chain, the one path between a repository and its data:
 *
 *     repository → EdgeTaggedStore → FallbackInterceptor → MongooseCollectionStore → MongoDB
 *                  (tags reads,      (circuit breaker;      (lean reads, validated
 *                   purges writes)    backup data, journal)   writes)
 *
 * Writes journalled during an outage are replayed through the same chain, so the edge purges what they change.
 */
@Injectable()
export class StoreChain {
  constructor(
    private readonly config: AppConfig,
    private readonly fallback: FallbackRegistry,
    private readonly edge: EdgeStores,
  ) {}

  build<T>(model: Model<T>, registration: CollectionRegistration): CollectionStore<T> {
    const { entity, fixtureFile, edgeTtlSeconds } = registration;
    const database = new MongooseCollectionStore(model, entity, this.config.database.operationTimeoutMs);
    const guarded = this.fallback.guard(database, model, entity, fixtureFile);
    const tagged = this.edge.tag(guarded, entity, edgeTtlSeconds);
    this.fallback.replayThrough(database.collectionName, tagged);
    return tagged;
  }
}
