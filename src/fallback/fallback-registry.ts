import { Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import type { Model } from 'mongoose';
import type { ReplayableStore } from '../common/persistence/collection-store';
import type { MongooseCollectionStore } from '../common/persistence/mongoose-collection-store';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { DatabaseCircuit } from './database-circuit';
import { DatabaseHeartbeat } from './database-heartbeat';
import { FallbackInterceptor } from './fallback-interceptor';
import { checkFixtureReferences, loadFixtureFile } from './fixtures/fixture-loader';
import { collectionReferences } from '../common/persistence/schema-references';
import { FixtureCollectionStore } from './fixtures/fixture-store';
import { CollectionMemory } from './last-known-good/collection-memory';
import { LastKnownGood } from './last-known-good/last-known-good';
import { InjectSharedTier } from './last-known-good/last-known-good.providers';
import type { SharedTier } from './last-known-good/shared-tier';
import { WriteJournal } from './write-journal';

interface Registration {
  interceptor: FallbackInterceptor<unknown>;
  model: Model<unknown>;
  fixtureFile: string;
  /** Where its journalled writes are replayed: the top of its store chain. */
  replayTarget?: ReplayableStore<unknown>;
}

/**
 * The fallback's side of the store chain (src/persistence/store-chain.ts): each collection's MongoDB store gets
 * a FallbackInterceptor around it, with its view of the last-known-good tier and its backup data (loaded and
 * validated against its Mongoose schema at start); the journal replays each collection's writes through the whole
 * chain.
 */
@Injectable()
export class FallbackRegistry implements OnModuleInit, OnApplicationBootstrap {
  private readonly registrations = new Map<string, Registration>();

  constructor(
    private readonly config: AppConfig,
    private readonly circuit: DatabaseCircuit,
    private readonly journal: WriteJournal,
    private readonly metrics: MetricsService,
    private readonly tier: LastKnownGood,
    @InjectSharedTier() private readonly shared: SharedTier,
    private readonly heartbeat: DatabaseHeartbeat,
  ) {}

  guard<T>(
    primary: MongooseCollectionStore<T>,
    model: Model<T>,
    entity: string,
    fixtureFile: string,
  ): FallbackInterceptor<T> {
    // Empty until onModuleInit loads the backup data (validating it is asynchronous).
    const backup = new FixtureCollectionStore<T>(primary.collectionName, []);
    const interceptor = new FallbackInterceptor(
      primary,
      backup,
      model,
      entity,
      {
        settings: this.config.fallback,
        circuit: this.circuit,
        journal: this.journal,
        metrics: this.metrics,
        heartbeat: this.heartbeat,
      },
      new CollectionMemory<T>(primary.collectionName, this.tier, this.shared),
    );
    this.registrations.set(primary.collectionName, {
      interceptor: interceptor as FallbackInterceptor<unknown>,
      model: model as unknown as Model<unknown>,
      fixtureFile,
    });
    return interceptor;
  }

  /** The store a collection's journalled writes are replayed through. */
  replayThrough<T>(collection: string, store: ReplayableStore<T>): void {
    const registration = this.registrations.get(collection);
    if (!registration) throw new Error(`${collection} has no fallback: guard its store first`);
    registration.replayTarget = store;
  }

  replayTarget(collection: string): ReplayableStore<unknown> | undefined {
    return this.registrations.get(collection)?.replayTarget;
  }

  get collections(): string[] {
    return [...this.registrations.keys()];
  }

  interceptor(collection: string): FallbackInterceptor<unknown> | undefined {
    return this.registrations.get(collection)?.interceptor;
  }

  /** Loads and validates each registered collection's backup data, in order of registration. */
  async onModuleInit(): Promise<void> {
    for (const { interceptor, model, fixtureFile } of this.registrations.values()) {
      interceptor.backup.load(await loadFixtureFile(fixtureFile, model.schema));
    }
  }

  /** Checks that the backup data's references resolve, then replays pending journal entries onto the overlays. */
  onApplicationBootstrap(): void {
    this.checkReferences();
    this.rebuildOverlays();
  }

  /** Back to the backup data plus whatever writes are still pending. */
  rebuildOverlays(): void {
    for (const { interceptor } of this.registrations.values()) interceptor.backup.reset();
    for (const entry of this.journal.pending()) this.interceptor(entry.collection)?.applyToOverlay(entry);
  }

  /** References are the schema paths declared with `ref` to another registered model. */
  private checkReferences(): void {
    const collections: Parameters<typeof checkFixtureReferences>[0] = {};
    for (const [collection, { interceptor, fixtureFile }] of this.registrations) {
      collections[collection] = { file: fixtureFile, records: interceptor.backup.snapshot() };
    }
    const references = collectionReferences(
      [...this.registrations.entries()].map(([collection, { model }]) => ({
        collection,
        modelName: model.modelName,
        schema: model.schema,
      })),
    );
    checkFixtureReferences(collections, references);
  }
}
