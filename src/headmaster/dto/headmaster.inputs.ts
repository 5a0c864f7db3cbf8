import { ArgsType, Field, ID, InputType, PartialType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDate,
  IsEmail,
  IsMongoId,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PagingQuery } from '../../common/paging/paging';
import { PHONE_PATTERN } from '../../common/validation/contact-patterns';

@InputType('CreateHeadmasterInput')
export class CreateHeadmasterInput {
  @Field()
  @ApiProperty({ maxLength: 100 })
  @IsString()
  @Length(1, 100)
  firstName!: string;

  @Field()
  @ApiProperty({ maxLength: 100 })
  @IsString()
  @Length(1, 100)
  lastName!: string;

  @Field()
  @ApiProperty({ example: 'head@school.example.org' })
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email!: string;

  @Field()
  @ApiProperty({ example: '+1 555 0100' })
  @IsString()
  @Matches(PHONE_PATTERN, {
    message: 'phone must be a phone number of 5-20 digits, spaces, -, ( ) and an optional leading +',
  })
  phone!: string;

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
export class HeadmastersArgs extends PagingQuery {
  @Field(() => HeadmasterFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => HeadmasterFilterInput)
  filter?: HeadmasterFilterInput;
}
