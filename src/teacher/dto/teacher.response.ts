import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageResponse } from '../../common/paging/paging';
import { PersonResponse } from '../../common/person/person.response';
import { TEACHER_STATUSES, type TeacherStatus, type TeacherView } from '../teacher';

const PRIVATE = 'For the teacher, their headmaster and admins: absent from what colleagues see';

/** A teacher as REST returns it: in full, or as a colleague sees them (id, names, school, subjects). */
export class TeacherResponse extends PersonResponse {
  @ApiPropertyOptional({ description: PRIVATE })
  email?: string;

  @ApiPropertyOptional({ description: PRIVATE })
  phone?: string;

  @ApiProperty()
  schoolId!: string;

  @ApiProperty({ type: [String] })
  subjects!: string[];

  @ApiPropertyOptional({ enum: TEACHER_STATUSES, description: PRIVATE })
  status?: TeacherStatus;

  @ApiPropertyOptional({ description: PRIVATE })
  hiredAt?: string;

  @ApiPropertyOptional({ description: PRIVATE })
  createdAt?: string;

  @ApiPropertyOptional({ description: PRIVATE })
  updatedAt?: string;
}

export class TeacherPageResponse extends PageResponse(TeacherResponse) {}

export function toTeacherResponse(teacher: TeacherView): TeacherResponse {
  return {
    id: teacher.id,
    firstName: teacher.firstName,
    lastName: teacher.lastName,
    email: teacher.email,
    phone: teacher.phone,
    schoolId: teacher.schoolId,
    subjects: [...teacher.subjects],
    status: teacher.status,
    hiredAt: teacher.hiredAt?.toISOString(),
    createdAt: teacher.createdAt?.toISOString(),
    updatedAt: teacher.updatedAt?.toISOString(),
  };
}
