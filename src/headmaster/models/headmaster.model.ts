import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { PageType } from '../../common/paging/paging';
import { PersonModel } from '../../common/person/person.model';
import { SchoolModel } from '../../school/models/school.model';
import { StatusCountModel, SubjectCountModel } from '../../teacher/models/teacher.model';
import type { Headmaster, HeadmasterDashboard } from '../headmaster';

/** The Headmaster GraphQL type; `school` and `teachers` are resolved by the modules that own them. */
@ObjectType('Headmaster')
export class HeadmasterModel extends PersonModel implements Headmaster {
  @Field()
  email!: string;

  @Field()
  phone!: string;

  @Field(() => ID)
  schoolId!: string;

  @Field()
  appointedAt!: Date;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export const HeadmasterPage = PageType(HeadmasterModel, 'HeadmasterPage');

@ObjectType('HeadmasterDashboard')
export class HeadmasterDashboardModel implements Omit<HeadmasterDashboard, 'school'> {
  @Field(() => SchoolModel)
  school!: SchoolModel;

  @Field(() => Int)
  teacherCount!: number;

  @Field(() => [SubjectCountModel])
  teachersBySubject!: SubjectCountModel[];

  @Field(() => [StatusCountModel])
  teachersByStatus!: StatusCountModel[];
}
