import { Field, ID, ObjectType } from '@nestjs/graphql';

/**
 * The GraphQL fields of a person that every caller who may see them gets: their id and names. Not a GraphQL
 * type itself: `Headmaster` and `Teacher` extend it with what their own rules allow.
 */
@ObjectType({ isAbstract: true })
export class PersonModel {
  @Field(() => ID)
  id!: string;

  @Field()
  firstName!: string;

  @Field()
  lastName!: string;
}
