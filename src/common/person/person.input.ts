import { InputType } from '@nestjs/graphql';
import { EmailField, PhoneField, TextField } from '../validation/input-fields';
import type { Person } from './person';

/**
 * A person's details as clients write them, validated, for REST bodies and GraphQL inputs alike. Not a GraphQL
 * type itself: the inputs of headmasters and teachers extend it (`CreateHeadmasterInput`, `HireTeacherInput`).
 *
 * The order matters: class-validator checks a class's own fields before those it inherits, and the client hears
 * of the first failure. An input that adds fields to a person declares them on an abstract class in between and
 * declares none itself, so that the person's fields are checked first, as they come first in the input.
 */
@InputType({ isAbstract: true })
export class PersonInput implements Person {
  @TextField(100)
  firstName!: string;

  @TextField(100)
  lastName!: string;

  @EmailField('ada.lovelace@example.org')
  email!: string;

  @PhoneField()
  phone!: string;
}
