import { Global, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { CollectionStore } from '../common/persistence/collection-store';
import { JournalReplayer } from '../fallback/journal-replayer';
import { EdgeCacheHeaders } from './edge-cache-headers';
import { EdgePurger } from './edge-purger';
import { EdgeTaggedStore, keysForWrite } from './edge-tagged-store';

/** Wraps collection stores for edge caching, and purges the edges for writes replayed from the journal. */
@Injectable()
export class EdgeStores implements OnApplicationBootstrap {
  private readonly entityByCollection = new Map<string, string>();

  constructor(
    private readonly purger: EdgePurger,
    private readonly replayer: JournalReplayer,
  ) {}

  wrap<T>(store: CollectionStore<T>, entity: string): CollectionStore<T> {
    this.entityByCollection.set(store.collectionName, entity);
    return new EdgeTaggedStore(store, entity, this.purger);
  }

  onApplicationBootstrap(): void {
    this.replayer.events.on('applied', (entry) => {
      const entity = this.entityByCollection.get(entry.collection);
      if (entity) void this.purger.purge(keysForWrite(entity, entry.collection, entry.documentId));
    });
  }
}

@Global()
@Module({
  providers: [EdgePurger, EdgeStores, EdgeCacheHeaders],
  exports: [EdgeStores, EdgePurger],
})
export class EdgeModule {}
