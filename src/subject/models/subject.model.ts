import { Field, ID, ObjectType } from '@nestjs/graphql';
import { PageType } from '../../common/paging/paging';
import type { Subject } from '../subject';

/** The Subject GraphQL type. */
@ObjectType('Subject')
export class SubjectModel implements Subject {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => ID)
  schoolId!: string;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export const SubjectPage = PageType(SubjectModel, 'SubjectPage');
