import { ArgsType, Field, InputType, PartialType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsOptional, Matches } from 'class-validator';
import { PagingArgs, PagingQuery } from '../../common/paging/paging';
import { PersonInput } from '../../common/person/person.input';
import { DateField, EnumField, IdField, TextField } from '../../common/validation/input-fields';
import { TeacherStatusEnum } from '../models/teacher.model';
import { SUBJECT_CODE_PATTERN, SUBJECT_CODE_RULE } from '../../subject/subject';
import { TEACHER_STATUSES, type TeacherStatus } from '../teacher';

const SUBJECT_MESSAGE = `subjects must be codes of subjects: ${SUBJECT_CODE_RULE}`;

/** What a teacher is besides a person: what they teach, their status and since when (see PersonInput on the order). */
@InputType({ isAbstract: true })
class TeachingInput extends PersonInput {
  @Field(() => [String], { description: "Codes of subjects of the teacher's school" })
  @ApiProperty({
    type: [String],
    example: ['mathematics', 'physics'],
    description: "Codes of subjects of the teacher's school (GET /api/subjects?schoolId=…)",
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @Matches(SUBJECT_CODE_PATTERN, { each: true, message: SUBJECT_MESSAGE })
  subjects!: string[];

  @EnumField(TeacherStatusEnum, TEACHER_STATUSES, { optional: true, defaultValue: 'active' })
  status?: TeacherStatus;

  @DateField({ optional: true, description: 'Defaults to now' })
  hiredAt?: Date;
}

/** A teacher's own details; the school comes from the request (create) or the headmaster (hire). */
@InputType('HireTeacherInput')
export class HireTeacherInput extends TeachingInput {}

@InputType('CreateTeacherInput')
export class CreateTeacherInput extends HireTeacherInput {
  @IdField({ description: 'Id of the school' })
  schoolId!: string;
}

/**
 * Every field of CreateTeacherInput, each optional and without defaults, so an omitted status stays as it is
 * (REST documents it with the Swagger equivalent).
 */
@InputType('UpdateTeacherInput')
export class UpdateTeacherInput extends PartialType(CreateTeacherInput, {
  decorator: InputType,
  omitDefaultValues: true,
}) {}

/** The filters of a teacher list within one school: the school is given by the path or the parent. */
@InputType('SchoolTeacherFilter')
export class SchoolTeacherFilterInput {
  @Field({ nullable: true })
  @ApiPropertyOptional({ example: 'mathematics' })
  @IsOptional()
  @Matches(SUBJECT_CODE_PATTERN, { message: `subject must be a subject code: ${SUBJECT_CODE_RULE}` })
  subject?: string;

  @EnumField(TeacherStatusEnum, TEACHER_STATUSES, { optional: true })
  status?: TeacherStatus;

  @TextField(100, { optional: true, description: 'Name search: every word must match a first or last name' })
  q?: string;
}

@InputType('TeacherFilter')
export class TeacherFilterInput extends SchoolTeacherFilterInput {
  @IdField({ optional: true })
  schoolId?: string;
}

export class ListTeachersQuery extends IntersectionType(TeacherFilterInput, PagingQuery) {}

export class ListSchoolTeachersQuery extends IntersectionType(SchoolTeacherFilterInput, PagingQuery) {}

@ArgsType()
export class TeachersArgs extends PagingArgs(TeacherFilterInput) {}

@ArgsType()
export class SchoolTeachersArgs extends PagingArgs(SchoolTeacherFilterInput) {}
