import { ArgsType, Field, ID, InputType, PartialType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsMongoId, IsOptional } from 'class-validator';
import { PagingArgs, PagingQuery } from '../../common/paging/paging';
import { PersonInput } from '../../common/person/person.input';

/** What a headmaster is besides a person: the head of a school since a date (see PersonInput on the order). */
@InputType({ isAbstract: true })
class HeadmasterAppointmentInput extends PersonInput {
  @Field(() => ID)
  @ApiProperty({ description: 'Id of the school' })
  @IsMongoId({ message: 'schoolId must be a 24-character hexadecimal id' })
  schoolId!: string;

  @Field({ nullable: true, description: 'Defaults to now' })
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Defaults to now' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'appointedAt must be an ISO 8601 date' })
  appointedAt?: Date;
}

@InputType('CreateHeadmasterInput')
export class CreateHeadmasterInput extends HeadmasterAppointmentInput {}

/** Every field of CreateHeadmasterInput, each optional (REST documents it with the Swagger equivalent). */
@InputType('UpdateHeadmasterInput')
export class UpdateHeadmasterInput extends PartialType(CreateHeadmasterInput, InputType) {}

@InputType('HeadmasterFilter')
export class HeadmasterFilterInput {
  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsMongoId({ message: 'schoolId must be a 24-character hexadecimal id' })
  schoolId?: string;
}

export class ListHeadmastersQuery extends IntersectionType(HeadmasterFilterInput, PagingQuery) {}

@ArgsType()
export class HeadmastersArgs extends PagingArgs(HeadmasterFilterInput) {}
