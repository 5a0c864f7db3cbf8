import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageResponse } from '../../common/paging/paging';
import { SCHOOL_TYPES, type SchoolType, type SchoolView } from '../school';

const PRIVATE = "Only for the school's members and admins: absent from the public directory entry";

export class AddressResponse {
  @ApiPropertyOptional({ description: PRIVATE })
  street?: string;

  @ApiProperty()
  city!: string;

  @ApiPropertyOptional({ description: PRIVATE })
  region?: string;

  @ApiPropertyOptional({ description: PRIVATE })
  postalCode?: string;
}

/** A school as REST returns it: in full, or its public directory entry (id, name, code, type, address.city). */
export class SchoolResponse {
  @ApiProperty({ example: '665f1c2ab3e4d5f6a7b8c9d0' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  code!: string;

  @ApiProperty({ enum: SCHOOL_TYPES })
  type!: SchoolType;

  @ApiProperty({ type: AddressResponse })
  address!: AddressResponse;

  @ApiPropertyOptional({ description: PRIVATE })
  phone?: string;

  @ApiPropertyOptional({ description: PRIVATE })
  email?: string;

  @ApiPropertyOptional({ description: `Absent when the school has none. ${PRIVATE}` })
  headmasterId?: string;

  @ApiPropertyOptional({ description: PRIVATE })
  createdAt?: string;

  @ApiPropertyOptional({ description: PRIVATE })
  updatedAt?: string;
}

export class SchoolPageResponse extends PageResponse(SchoolResponse) {}

export function toSchoolResponse(school: SchoolView): SchoolResponse {
  return {
    id: school.id,
    name: school.name,
    code: school.code,
    type: school.type,
    address: { ...school.address },
    phone: school.phone,
    email: school.email,
    headmasterId: school.headmasterId,
    createdAt: school.createdAt?.toISOString(),
    updatedAt: school.updatedAt?.toISOString(),
  };
}
