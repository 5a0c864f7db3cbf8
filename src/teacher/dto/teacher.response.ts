import { ApiProperty } from '@nestjs/swagger';
import { TEACHER_STATUSES, type Teacher, type TeacherStatus } from '../teacher';

/** A teacher as REST returns it. */
export class TeacherResponse {
  @ApiProperty({ example: '665f1c2ab3e4d5f6a7b8c9d0' })
  id!: string;

  @ApiProperty()
  firstName!: string;

  @ApiProperty()
  lastName!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty()
  phone!: string;

  @ApiProperty()
  schoolId!: string;

  @ApiProperty({ type: [String] })
  subjects!: string[];

  @ApiProperty({ enum: TEACHER_STATUSES })
  status!: TeacherStatus;

  @ApiProperty()
  hiredAt!: string;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty()
  updatedAt!: string;
}

export class TeacherListResponse {
  @ApiProperty({ type: [TeacherResponse] })
  items!: TeacherResponse[];

  @ApiProperty()
  total!: number;

  @ApiProperty()
  limit!: number;

  @ApiProperty()
  offset!: number;
}

export function toTeacherResponse(teacher: Teacher): TeacherResponse {
  return {
    id: teacher.id,
    firstName: teacher.firstName,
    lastName: teacher.lastName,
    email: teacher.email,
    phone: teacher.phone,
    schoolId: teacher.schoolId,
    subjects: [...teacher.subjects],
    status: teacher.status,
    hiredAt: teacher.hiredAt.toISOString(),
    createdAt: teacher.createdAt.toISOString(),
    updatedAt: teacher.updatedAt.toISOString(),
  };
}
