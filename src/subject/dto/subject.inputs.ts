import { ArgsType, Field, ID, InputType, PartialType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsMongoId, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { PagingQuery } from '../../common/paging/paging';

@InputType('CreateSubjectInput')
export class CreateSubjectInput {
  @Field()
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @Field(() => ID)
  @ApiProperty({ description: 'Id of the school' })
  @IsMongoId({ message: 'schoolId must be a 24-character hexadecimal id' })
  schoolId!: string;
}

/**
 * Every field of CreateSubjectInput, each optional. The GraphQL PartialType carries validation and GraphQL
 * metadata; REST documents the body with the Swagger equivalent (see SubjectController.update).
 */
@InputType('UpdateSubjectInput')
export class UpdateSubjectInput extends PartialType(CreateSubjectInput, InputType) {}

/** The filters of a subject list within one school: the school is given by the parent. */
@InputType('SchoolSubjectFilter')
export class SchoolSubjectFilterInput {
  @Field({ nullable: true, description: 'Name search: every word must occur in the name' })
  @ApiPropertyOptional({ description: 'Name search: every word must occur in the name' })
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
export class SubjectsArgs extends PagingQuery {
  @Field(() => SubjectFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SubjectFilterInput)
  filter?: SubjectFilterInput;
}

@ArgsType()
export class SchoolSubjectsArgs extends PagingQuery {
  @Field(() => SchoolSubjectFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SchoolSubjectFilterInput)
  filter?: SchoolSubjectFilterInput;
}
