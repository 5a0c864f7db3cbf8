import mongoose from 'mongoose';
import { collectionNameOf, type CollectionRegistration } from './collection-registration';

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
