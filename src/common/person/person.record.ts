import { Prop } from '@nestjs/mongoose';
import { EmailProp, PhoneProp } from '../persistence/contact-props';
import type { Person } from './person';

/**
 * The stored fields of a person, first in the records that extend it (`HeadmasterRecord`, `TeacherRecord`):
 * `SchemaFactory.createForClass` takes the props of the classes a record extends. Indexes (a unique e-mail)
 * stay with each collection's schema.
 */
export class PersonRecord implements Person {
  @Prop({ required: true, trim: true })
  firstName!: string;

  @Prop({ required: true, trim: true })
  lastName!: string;

  @EmailProp()
  email!: string;

  @PhoneProp()
  phone!: string;
}
