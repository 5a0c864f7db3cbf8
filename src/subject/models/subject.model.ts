import { Field, ID, ObjectType } from '@nestjs/graphql';
import { PageType } from '../../common/paging/paging';
import type { Subject } from '../subject';

/** The Subject GraphQL type: a subject a school teaches; public. */
@ObjectType('Subject')
export class SubjectModel implements Subject {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'Unique within the school; what Teacher.subjects lists' })
  code!: string;

  @Field(() => ID)
  schoolId!: string;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export const SubjectPage = PageType(SubjectModel, 'SubjectPage');
