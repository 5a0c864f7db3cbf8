import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageType } from '../../common/paging/paging';
import { PersonModel } from '../../common/person/person.model';
import { withholdableField } from '../../security/withheld-fields';
import {
  TEACHER_CHANGE_KINDS,
  TEACHER_STATUSES,
  type TeacherChange,
  type TeacherChangeKind,
  type TeacherStatus,
  type TeacherView,
} from '../teacher';

const PRIVATE = 'For the teacher, their headmaster and admins; colleagues get FORBIDDEN';

export const TeacherStatusEnum = Object.fromEntries(TEACHER_STATUSES.map((status) => [status, status])) as Record<
  TeacherStatus,
  TeacherStatus
>;
registerEnumType(TeacherStatusEnum, { name: 'TeacherStatus' });

/** The Teacher GraphQL type; `school` is resolved by the school module. */
@ObjectType('Teacher')
export class TeacherModel extends PersonModel implements TeacherView {
  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  email?: string;

  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  phone?: string;

  @Field(() => ID)
  schoolId!: string;

  @Field(() => [String])
  subjects!: string[];

  @Field(() => TeacherStatusEnum, { nullable: true, description: PRIVATE, middleware: [withholdableField] })
  status?: TeacherStatus;

  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  hiredAt?: Date;

  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  createdAt?: Date;

  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  updatedAt?: Date;
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
  teacher!: TeacherView;
}
