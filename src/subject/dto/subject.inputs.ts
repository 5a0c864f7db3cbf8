import { ArgsType, Field, InputType, OmitType, PartialType } from '@nestjs/graphql';
import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { PagingArgs, PagingQuery } from '../../common/paging/paging';
import { IdField, TextField } from '../../common/validation/input-fields';
import { SUBJECT_CODE_PATTERN, SUBJECT_CODE_RULE } from '../subject';

@InputType('CreateSubjectInput')
export class CreateSubjectInput {
  @TextField(200, { example: 'Physical education' })
  name!: string;

  @Field({ description: `Unique within the school; ${SUBJECT_CODE_RULE}` })
  @ApiProperty({ example: 'physical-education', description: `Unique within the school; ${SUBJECT_CODE_RULE}` })
  @IsString()
  @Matches(SUBJECT_CODE_PATTERN, { message: `code must be ${SUBJECT_CODE_RULE}` })
  code!: string;

  @IdField({ description: 'Id of the school' })
  schoolId!: string;
}

/**
 * The name and the code, each optional: a subject stays with its school. The GraphQL PartialType carries
 * validation and GraphQL metadata; REST documents the body with the Swagger equivalent (see SubjectController).
 */
@InputType('UpdateSubjectInput')
export class UpdateSubjectInput extends PartialType(OmitType(CreateSubjectInput, ['schoolId'], InputType), InputType) {}

/** The filters of a subject list within one school: the school is given by the parent. */
@InputType('SchoolSubjectFilter')
export class SchoolSubjectFilterInput {
  @TextField(100, { optional: true, description: 'Every word must occur in the name or the code' })
  q?: string;
}

@InputType('SubjectFilter')
export class SubjectFilterInput extends SchoolSubjectFilterInput {
  @IdField({ optional: true, description: 'Id of the school' })
  schoolId?: string;
}

export class ListSubjectsQuery extends IntersectionType(SubjectFilterInput, PagingQuery) {}

@ArgsType()
export class SubjectsArgs extends PagingArgs(SubjectFilterInput) {}

@ArgsType()
export class SchoolSubjectsArgs extends PagingArgs(SchoolSubjectFilterInput) {}
