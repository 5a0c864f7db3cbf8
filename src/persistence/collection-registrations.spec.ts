import { forwardRef, Module, type DynamicModule } from '@nestjs/common';
import { registeredCollections } from '../bootstrap/app.module';
import { collectionNameOf } from '../common/persistence/collection-registration';
import { findCollectionRegistrations } from './collection-registrations';
import { CollectionStoreModule } from './collection-store.module';
import { thingRegistration as registration } from '../common/testing/thing-registration';

describe(findCollectionRegistrations.name, () => {
  it('finds the collections the service registers, each once, in import order', () => {
    const found = registeredCollections().map((found) => `${collectionNameOf(found)}/${found.entity}`);
    expect(new Set(found).size).toBe(found.length);
    // New modules add theirs: these three come first, in the order AppModule imports their modules.
    expect(
      found.filter((entry) => ['schools/school', 'teachers/teacher', 'headmasters/headmaster'].includes(entry)),
    ).toEqual(['schools/school', 'teachers/teacher', 'headmasters/headmaster']);
    expect(found[0]).toBe('schools/school');
  });

  it('walks static imports, dynamic modules and forward references, and ignores other providers', () => {
    const leaf = registration('Leaf');
    const viaDynamic = registration('ViaDynamic');
    const viaForwardRef = registration('ViaForwardRef');

    @Module({ imports: [CollectionStoreModule.forFeature(leaf)], providers: [{ provide: 'other', useValue: 1 }] })
    class LeafModule {}

    @Module({ imports: [LeafModule, CollectionStoreModule.forFeature(viaForwardRef)] })
    class LateModule {}

    @Module({})
    class ConfigurableModule {
      static forRoot(): DynamicModule {
        return {
          module: ConfigurableModule,
          imports: [LeafModule, CollectionStoreModule.forFeature(viaDynamic)],
        };
      }
    }

    @Module({ imports: [LeafModule, ConfigurableModule.forRoot(), forwardRef(() => LateModule)] })
    class RootModule {}

    expect(findCollectionRegistrations(RootModule)).toEqual([leaf, viaDynamic, viaForwardRef]);
  });
});
