import { Injectable } from '@nestjs/common';
import type { Model } from 'mongoose';
import type { CollectionRegistration } from '../common/persistence/collection-registration';
import type { CollectionStore } from '../common/persistence/collection-store';
import { MongooseCollectionStore } from '../common/persistence/mongoose-collection-store';
import { AppConfig } from '../config/app-config';
import { EdgeStores } from '../edge/edge.module';
import { FallbackRegistry } from '../fallback/fallback-registry';
import { ReferenceCheckedStore } from './reference-checked-store';
import { ReferenceRules } from './reference-rules';

/**
 * Assembles each collection's store chain, the one path between a repository and its data:
 *
 *     repository → ReferenceCheckedStore → EdgeTaggedStore → FallbackInterceptor → MongooseCollectionStore → MongoDB
 *                  (references whole      (tags reads,      (circuit breaker;      (lean reads, validated
 *                   on every write)        purges writes)    backup data, journal)   writes)
 *
 * Writes journalled during an outage are replayed through the same chain: their references are checked again, now
 * against the database alone, and the edge purges what they change.
 */
@Injectable()
export class StoreChain {
  constructor(
    private readonly config: AppConfig,
    private readonly fallback: FallbackRegistry,
    private readonly edge: EdgeStores,
    private readonly references: ReferenceRules,
  ) {}

  build<T>(model: Model<T>, registration: CollectionRegistration): CollectionStore<T> {
    const { entity, fixtureFile, edgeTtlSeconds } = registration;
    const database = new MongooseCollectionStore(model, entity, this.config.database.operationTimeoutMs);
    const guarded = this.fallback.guard(database, model, entity, fixtureFile);
    const tagged = this.edge.tag(guarded, entity, edgeTtlSeconds);
    this.references.register({
      collection: database.collectionName,
      entity,
      modelName: model.modelName,
      schema: model.schema,
      live: guarded,
      database: guarded.database,
    });
    const checked = new ReferenceCheckedStore(tagged, this.references, { live: guarded, database: guarded.database });
    this.fallback.replayThrough(database.collectionName, checked);
    return checked;
  }
}
