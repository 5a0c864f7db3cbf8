import { Prop } from '@nestjs/mongoose';
import { PHONE_PATTERN, STORED_EMAIL_PATTERN } from '../validation/contact-patterns';
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

  @Prop({
    required: true,
    lowercase: true,
    trim: true,
    match: [STORED_EMAIL_PATTERN, 'email must be an e-mail address'],
  })
  email!: string;

  @Prop({ required: true, match: [PHONE_PATTERN, 'phone must be a phone number'] })
  phone!: string;
}
