import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageType } from '../../common/paging/paging';
import { SCHOOL_TYPES, type Address, type School, type SchoolType } from '../school';

export const SchoolTypeEnum = Object.fromEntries(SCHOOL_TYPES.map((type) => [type, type])) as Record<
  SchoolType,
  SchoolType
>;
registerEnumType(SchoolTypeEnum, { name: 'SchoolType' });

@ObjectType('Address')
export class AddressModel implements Address {
  @Field()
  street!: string;

  @Field()
  city!: string;

  @Field()
  region!: string;

  @Field()
  postalCode!: string;
}

/** The School GraphQL type; relations (headmaster, teachers, teacherCount) are resolved by the modules that own them. */
@ObjectType('School')
export class SchoolModel implements Omit<School, 'headmasterId'> {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  code!: string;

  @Field(() => SchoolTypeEnum)
  type!: SchoolType;

  @Field(() => AddressModel)
  address!: AddressModel;

  @Field()
  phone!: string;

  @Field()
  email!: string;

  @Field(() => ID, { nullable: true })
  headmasterId?: string;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export const SchoolPage = PageType(SchoolModel, 'SchoolPage');
