import { ArgsType, Field, InputType, PartialType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsMongoId,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PagingArgs, PagingQuery } from '../../common/paging/paging';
import { PHONE_PATTERN } from '../../common/validation/contact-patterns';
import { SCHOOL_TYPES, type SchoolType } from '../school';
import { SchoolTypeEnum } from '../models/school.model';

@InputType('AddressInput')
export class AddressInput {
  @Field()
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @Length(1, 200)
  street!: string;

  @Field()
  @ApiProperty({ maxLength: 100 })
  @IsString()
  @Length(1, 100)
  city!: string;

  @Field()
  @ApiProperty({ maxLength: 100 })
  @IsString()
  @Length(1, 100)
  region!: string;

  @Field()
  @ApiProperty({ maxLength: 20 })
  @IsString()
  @Length(1, 20)
  postalCode!: string;
}

@InputType('CreateSchoolInput')
export class CreateSchoolInput {
  @Field()
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @Field()
  @ApiProperty({ example: 'SCH-0042', description: 'Unique school code' })
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9-]{1,31}$/, { message: 'code must be 2-32 upper-case letters, digits or -' })
  code!: string;

  @Field(() => SchoolTypeEnum)
  @ApiProperty({ enum: SCHOOL_TYPES })
  @IsIn(SCHOOL_TYPES)
  type!: SchoolType;

  @Field(() => AddressInput)
  @ApiProperty({ type: AddressInput })
  @ValidateNested()
  @Type(() => AddressInput)
  address!: AddressInput;

  @Field()
  @ApiProperty({ example: '+1 555 0100' })
  @IsString()
  @Matches(PHONE_PATTERN, {
    message: 'phone must be a phone number of 5-20 digits, spaces, -, ( ) and an optional leading +',
  })
  phone!: string;

  @Field()
  @ApiProperty({ example: 'office@school.example.org' })
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email!: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ description: 'Id of the headmaster' })
  @IsOptional()
  @IsMongoId({ message: 'headmasterId must be a 24-character hexadecimal id' })
  headmasterId?: string;
}

/**
 * Every field of CreateSchoolInput, each optional. The GraphQL PartialType carries validation and GraphQL
 * metadata; REST documents the body with the Swagger equivalent (see SchoolController.update).
 */
@InputType('UpdateSchoolInput')
export class UpdateSchoolInput extends PartialType(CreateSchoolInput, InputType) {}

@InputType('SchoolFilter')
export class SchoolFilterInput {
  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  city?: string;

  @Field(() => SchoolTypeEnum, { nullable: true })
  @ApiPropertyOptional({ enum: SCHOOL_TYPES })
  @IsOptional()
  @IsIn(SCHOOL_TYPES)
  type?: SchoolType;
}

export class ListSchoolsQuery extends IntersectionType(SchoolFilterInput, PagingQuery) {}

@ArgsType()
export class SchoolsArgs extends PagingArgs(SchoolFilterInput) {}
