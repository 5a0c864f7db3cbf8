import { forwardRef, Module, type DynamicModule } from '@nestjs/common';
import mongoose from 'mongoose';
import { registeredCollections } from '../../app.module';
import { collectionNameOf, findCollectionRegistrations } from './collection-registrations';
import { collectionStoreProvider, type CollectionRegistration } from './collection-store.provider';

class ThingResponse {}
class ThingModel {}

function registration(name: string, schemaOptions: mongoose.SchemaOptions = {}): CollectionRegistration {
  return {
    model: { name, schema: new mongoose.Schema({ label: String }, schemaOptions) },
    entity: name.toLowerCase(),
    fixtureFile: `/fixtures/${name}.json`,
    toEntity: (record) => record,
    rest: { type: ThingResponse, from: (entity) => entity },
    graphql: ThingModel,
  };
}

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

    @Module({ providers: [collectionStoreProvider(Symbol('leaf'), leaf), { provide: 'other', useValue: 1 }] })
    class LeafModule {}

    @Module({ imports: [LeafModule], providers: [collectionStoreProvider(Symbol('late'), viaForwardRef)] })
    class LateModule {}

    @Module({})
    class ConfigurableModule {
      static forRoot(): DynamicModule {
        return {
          module: ConfigurableModule,
          imports: [LeafModule],
          providers: [collectionStoreProvider(Symbol('dynamic'), viaDynamic)],
        };
      }
    }

    @Module({ imports: [LeafModule, ConfigurableModule.forRoot(), forwardRef(() => LateModule)] })
    class RootModule {}

    expect(findCollectionRegistrations(RootModule)).toEqual([leaf, viaDynamic, viaForwardRef]);
  });
});

describe(collectionNameOf.name, () => {
  it('names the collection as Mongoose does: the schema option, else the plural of the model name', () => {
    expect(collectionNameOf(registration('SubjectRecord', { collection: 'subjects' }))).toBe('subjects');
    expect(collectionNameOf(registration('Subject'))).toBe('subjects');
    expect(
      collectionNameOf({
        ...registration('Subject'),
        model: { ...registration('Subject').model, collection: 'topics' },
      }),
    ).toBe('topics');
  });
});
