import { applyDecorators } from '@nestjs/common';
import { Field, ID } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsEmail, IsIn, IsMongoId, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PHONE_PATTERN } from './contact-patterns';

/**
 * The kinds of input fields the features share, for inputs that serve REST and GraphQL alike: each decorator
 * states a field's GraphQL type, its OpenAPI description and its validation, with the messages clients see, in
 * one place. A field of a kind of its own keeps its decorators written out where it is declared.
 */

export interface InputFieldOptions {
  /** May be left out (nullable in GraphQL). */
  optional?: boolean;
  description?: string;
  example?: string;
}

/**
 * Applies the decorators as they would stand above a property, the last one first, as TypeScript applies them:
 * class-validator checks a property's rules in the order they were applied, and the client hears the first
 * message.
 */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(...[...decorators].reverse());
}

function documented({ optional, description, example }: InputFieldOptions, schema: object = {}): PropertyDecorator {
  const options = { ...schema, ...(description ? { description } : {}), ...(example ? { example } : {}) };
  return optional ? stacked(ApiPropertyOptional(options), IsOptional()) : ApiProperty(options);
}

/** Text of 1 to `maxLength` characters. */
export function TextField(maxLength: number, options: InputFieldOptions = {}): PropertyDecorator {
  return stacked(
    Field({ nullable: options.optional, description: options.description }),
    documented(options, { maxLength }),
    IsString(),
    Length(1, maxLength),
  );
}

/** The id of another record (a 24-hexadecimal-digit ObjectId), a GraphQL `ID`; the message names the field. */
export function IdField(options: InputFieldOptions = {}): PropertyDecorator {
  return (target, field) =>
    stacked(
      Field(() => ID, { nullable: options.optional }),
      documented(options),
      IsMongoId({ message: `${String(field)} must be a 24-character hexadecimal id` }),
    )(target, field);
}

/** One of `values`, a GraphQL enum (registered with registerEnumType); `defaultValue` when it is left out. */
export function EnumField<T extends string>(
  graphqlEnum: object,
  values: readonly T[],
  options: InputFieldOptions & { defaultValue?: T } = {},
): PropertyDecorator {
  const { defaultValue } = options;
  return stacked(
    Field(() => graphqlEnum, { nullable: options.optional, ...(defaultValue ? { defaultValue } : {}) }),
    documented(options, { enum: values, ...(defaultValue ? { default: defaultValue } : {}) }),
    IsIn(values),
  );
}

/** A date and time, written in ISO 8601; the message names the field. */
export function DateField(options: InputFieldOptions = {}): PropertyDecorator {
  return (target, field) =>
    stacked(
      Field({ nullable: options.optional, description: options.description }),
      documented(options, { type: String, format: 'date-time' }),
      Type(() => Date),
      IsDate({ message: `${String(field)} must be an ISO 8601 date` }),
    )(target, field);
}

/** An e-mail address (stored in lower case, see EmailProp). */
export function EmailField(example: string): PropertyDecorator {
  return stacked(
    Field(),
    ApiProperty({ example }),
    IsEmail({}, { message: 'email must be an e-mail address' }),
    MaxLength(254),
  );
}

/** A phone number as people write it. */
export function PhoneField(): PropertyDecorator {
  return stacked(
    Field(),
    ApiProperty({ example: '+1 555 0100' }),
    IsString(),
    Matches(PHONE_PATTERN, {
      message: 'phone must be a phone number of 5-20 digits, spaces, -, ( ) and an optional leading +',
    }),
  );
}
