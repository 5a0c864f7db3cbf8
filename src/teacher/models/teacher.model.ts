import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageType } from '../../common/paging/paging';
import {
  TEACHER_CHANGE_KINDS,
  TEACHER_STATUSES,
  type Teacher,
  type TeacherChange,
  type TeacherChangeKind,
  type TeacherStatus,
} from '../teacher';

export const TeacherStatusEnum = Object.fromEntries(TEACHER_STATUSES.map((status) => [status, status])) as Record<
  TeacherStatus,
  TeacherStatus
>;
registerEnumType(TeacherStatusEnum, { name: 'TeacherStatus' });

/** The Teacher GraphQL type; `school` is resolved by the school module. */
@ObjectType('Teacher')
export class TeacherModel implements Teacher {
  @Field(() => ID)
  id!: string;

  @Field()
  firstName!: string;

  @Field()
  lastName!: string;

  @Field()
  email!: string;

  @Field()
  phone!: string;

  @Field(() => ID)
  schoolId!: string;

  @Field(() => [String])
  subjects!: string[];

  @Field(() => TeacherStatusEnum)
  status!: TeacherStatus;

  @Field()
  hiredAt!: Date;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export const TeacherPage = PageType(TeacherModel, 'TeacherPage');

@ObjectType('SubjectCount')
export class SubjectCountModel {
  @Field()
  subject!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType('StatusCount')
export class StatusCountModel {
  @Field(() => TeacherStatusEnum)
  status!: TeacherStatus;

  @Field(() => Int)
  count!: number;
}

export const TeacherChangeKindEnum = Object.fromEntries(TEACHER_CHANGE_KINDS.map((kind) => [kind, kind])) as Record<
  TeacherChangeKind,
  TeacherChangeKind
>;
registerEnumType(TeacherChangeKindEnum, { name: 'TeacherChangeKind' });

@ObjectType('TeacherChange', { description: 'A write of a teacher, as subscribers hear of it' })
export class TeacherChangeModel implements TeacherChange {
  @Field(() => TeacherChangeKindEnum)
  kind!: TeacherChangeKind;

  @Field(() => TeacherModel, { description: 'The teacher after the write; for deleted, as it was' })
  teacher!: Teacher;
}
