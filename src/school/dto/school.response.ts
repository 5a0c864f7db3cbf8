import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SCHOOL_TYPES, type School, type SchoolType } from '../school';
import { AddressInput } from './school.inputs';

/** A school as REST returns it. */
export class SchoolResponse {
  @ApiProperty({ example: '665f1c2ab3e4d5f6a7b8c9d0' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  code!: string;

  @ApiProperty({ enum: SCHOOL_TYPES })
  type!: SchoolType;

  @ApiProperty({ type: AddressInput })
  address!: AddressInput;

  @ApiProperty()
  phone!: string;

  @ApiProperty()
  email!: string;

  @ApiPropertyOptional()
  headmasterId?: string;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty()
  updatedAt!: string;
}

export class SchoolListResponse {
  @ApiProperty({ type: [SchoolResponse] })
  items!: SchoolResponse[];

  @ApiProperty()
  total!: number;

  @ApiProperty()
  limit!: number;

  @ApiProperty()
  offset!: number;
}

export function toSchoolResponse(school: School): SchoolResponse {
  return {
    id: school.id,
    name: school.name,
    code: school.code,
    type: school.type,
    address: { ...school.address },
    phone: school.phone,
    email: school.email,
    headmasterId: school.headmasterId,
    createdAt: school.createdAt.toISOString(),
    updatedAt: school.updatedAt.toISOString(),
  };
}
