import { collectionNameOf } from './collection-registration';
import { thingRegistration as registration } from '../testing/thing-registration';

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
