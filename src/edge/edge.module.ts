import { Global, Injectable, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { ReplayableStore } from '../common/persistence/collection-store';
import { CacheHintInterceptor } from './cache-hint';
import { EdgePurger } from './edge-purger';
import { EdgeScopeController, EdgeScopes } from './edge-scope.controller';
import { EdgeTaggedStore } from './edge-tagged-store';
import { EdgeTtls } from './edge-ttls';
import { ResponsePolicy } from './response-policy';

/** The edge's layer of the store chain (src/persistence/store-chain.ts). */
@Injectable()
export class EdgeStores {
  constructor(
    private readonly purger: EdgePurger,
    private readonly ttls: EdgeTtls,
  ) {}

  /** Tags what the store reads for edge caching (its collection's TTL as given) and purges what it writes. */
  tag<T>(store: ReplayableStore<T>, entity: string, ttlSeconds: number | undefined): ReplayableStore<T> {
    this.ttls.declare(store.collectionName, ttlSeconds);
    return new EdgeTaggedStore(store, entity, this.purger);
  }
}

/** What edge caches may do with each answer, and the purges after writes; see README, "Edge cache". */
@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [EdgeScopeController],
  providers: [EdgePurger, EdgeTtls, EdgeStores, ResponsePolicy, CacheHintInterceptor, EdgeScopes],
  exports: [EdgeStores, EdgePurger, ResponsePolicy, EdgeTtls],
})
export class EdgeModule {}
