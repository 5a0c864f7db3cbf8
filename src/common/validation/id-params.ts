import { Param } from '@nestjs/common';
import { Args, ID } from '@nestjs/graphql';
import { ParseObjectIdPipe } from './validation';

/** A REST path parameter holding an ObjectId (`:id` unless named otherwise); anything else answers 400 naming it. */
export function IdParam(name = 'id'): ParameterDecorator {
  return Param(name, new ParseObjectIdPipe(name));
}

/** A GraphQL `ID!` argument holding an ObjectId (`id` unless named otherwise); anything else is BAD_USER_INPUT naming it. */
export function IdArg(name = 'id'): ParameterDecorator {
  return Args(name, { type: () => ID }, new ParseObjectIdPipe(name));
}
