import { ArgsType, Field, InputType, PartialType } from '@nestjs/graphql';
import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsString, Matches, ValidateNested } from 'class-validator';
import { PagingArgs, PagingQuery } from '../../common/paging/paging';
import { EmailField, EnumField, PhoneField, TextField } from '../../common/validation/input-fields';
import { SCHOOL_TYPES, type SchoolType } from '../school';
import { SchoolTypeEnum } from '../models/school.model';

@InputType('AddressInput')
export class AddressInput {
  @TextField(200)
  street!: string;

  @TextField(100)
  city!: string;

  @TextField(100)
  region!: string;

  @TextField(20)
  postalCode!: string;
}

@InputType('CreateSchoolInput')
export class CreateSchoolInput {
  @TextField(200)
  name!: string;

  @Field()
  @ApiProperty({ example: 'SCH-0042', description: 'Unique school code' })
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9-]{1,31}$/, { message: 'code must be 2-32 upper-case letters, digits or -' })
  code!: string;

  @EnumField(SchoolTypeEnum, SCHOOL_TYPES)
  type!: SchoolType;

  @Field(() => AddressInput)
  @ApiProperty({ type: AddressInput })
  @ValidateNested()
  @Type(() => AddressInput)
  address!: AddressInput;

  @PhoneField()
  phone!: string;

  @EmailField('office@school.example.org')
  email!: string;
}

/**
 * Every field of CreateSchoolInput, each optional. The GraphQL PartialType carries validation and GraphQL
 * metadata; REST documents the body with the Swagger equivalent (see SchoolController.update).
 */
@InputType('UpdateSchoolInput')
export class UpdateSchoolInput extends PartialType(CreateSchoolInput, InputType) {}

@InputType('SchoolFilter')
export class SchoolFilterInput {
  @TextField(100, { optional: true })
  city?: string;

  @EnumField(SchoolTypeEnum, SCHOOL_TYPES, { optional: true })
  type?: SchoolType;
}

export class ListSchoolsQuery extends IntersectionType(SchoolFilterInput, PagingQuery) {}

@ArgsType()
export class SchoolsArgs extends PagingArgs(SchoolFilterInput) {}
