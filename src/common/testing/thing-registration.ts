import mongoose from 'mongoose';
import type { CollectionRegistration } from '../persistence/collection-registration';

class ThingResponse {}
class ThingModel {}

/** A collection registration of a one-field model named `name`, for specs of what handles registrations. */
export function thingRegistration(name: string, schemaOptions: mongoose.SchemaOptions = {}): CollectionRegistration {
  return {
    model: { name, schema: new mongoose.Schema({ label: String }, schemaOptions) },
    entity: name.toLowerCase(),
    fixtureFile: `/fixtures/${name}.json`,
    toEntity: (record) => record,
    rest: { type: ThingResponse, from: (entity) => entity },
    graphql: ThingModel,
  };
}
