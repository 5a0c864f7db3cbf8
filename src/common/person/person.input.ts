import { Field, InputType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PHONE_PATTERN } from '../validation/contact-patterns';
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
  @Field()
  @ApiProperty({ maxLength: 100 })
  @IsString()
  @Length(1, 100)
  firstName!: string;

  @Field()
  @ApiProperty({ maxLength: 100 })
  @IsString()
  @Length(1, 100)
  lastName!: string;

  @Field()
  @ApiProperty({ example: 'ada.lovelace@example.org' })
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email!: string;

  @Field()
  @ApiProperty({ example: '+1 555 0100' })
  @IsString()
  @Matches(PHONE_PATTERN, {
    message: 'phone must be a phone number of 5-20 digits, spaces, -, ( ) and an optional leading +',
  })
  phone!: string;
}
