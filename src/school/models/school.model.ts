import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageType } from '../../common/paging/paging';
import { withholdableField } from '../../security/withheld-fields';
import { SCHOOL_TYPES, type SchoolType, type SchoolView } from '../school';

export const SchoolTypeEnum = Object.fromEntries(SCHOOL_TYPES.map((type) => [type, type])) as Record<
  SchoolType,
  SchoolType
>;
registerEnumType(SchoolTypeEnum, { name: 'SchoolType' });

const PRIVATE = "For the school's members and admins; others get FORBIDDEN (UNAUTHENTICATED without a token)";

@ObjectType('Address')
export class AddressModel implements Pick<SchoolView['address'], 'city'> {
  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  street?: string;

  @Field()
  city!: string;

  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  region?: string;

  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  postalCode?: string;
}

/**
 * The School GraphQL type: the public directory entry (id, name, code, type, address.city) for everyone, the rest
 * for the school's members and admins. Relations (headmaster, teachers, teacherCount) are resolved by the modules
 * that own them.
 */
@ObjectType('School')
export class SchoolModel implements Omit<SchoolView, 'headmasterId'> {
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

  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  phone?: string;

  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  email?: string;

  @Field(() => ID, { nullable: true, description: PRIVATE, middleware: [withholdableField] })
  headmasterId?: string;

  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  createdAt?: Date;

  @Field({ nullable: true, description: PRIVATE, middleware: [withholdableField] })
  updatedAt?: Date;
}

export const SchoolPage = PageType(SchoolModel, 'SchoolPage');
