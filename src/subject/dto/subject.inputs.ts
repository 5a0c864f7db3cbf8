import { ArgsType, Field, ID, InputType, OmitType, PartialType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsMongoId, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PagingArgs, PagingQuery } from '../../common/paging/paging';
import { SUBJECT_CODE_PATTERN, SUBJECT_CODE_RULE } from '../subject';

@InputType('CreateSubjectInput')
export class CreateSubjectInput {
  @Field()
  @ApiProperty({ maxLength: 200, example: 'Physical education' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @Field({ description: `Unique within the school; ${SUBJECT_CODE_RULE}` })
  @ApiProperty({ example: 'physical-education', description: `Unique within the school; ${SUBJECT_CODE_RULE}` })
  @IsString()
  @Matches(SUBJECT_CODE_PATTERN, { message: `code must be ${SUBJECT_CODE_RULE}` })
  code!: string;

  @Field(() => ID)
  @ApiProperty({ description: 'Id of the school' })
  @IsMongoId({ message: 'schoolId must be a 24-character hexadecimal id' })
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
  @Field({ nullable: true, description: 'Every word must occur in the name or the code' })
  @ApiPropertyOptional({ description: 'Every word must occur in the name or the code' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;
}

@InputType('SubjectFilter')
export class SubjectFilterInput extends SchoolSubjectFilterInput {
  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ description: 'Id of the school' })
  @IsOptional()
  @IsMongoId({ message: 'schoolId must be a 24-character hexadecimal id' })
  schoolId?: string;
}

export class ListSubjectsQuery extends IntersectionType(SubjectFilterInput, PagingQuery) {}

@ArgsType()
export class SubjectsArgs extends PagingArgs(SubjectFilterInput) {}

@ArgsType()
export class SchoolSubjectsArgs extends PagingArgs(SchoolSubjectFilterInput) {}
