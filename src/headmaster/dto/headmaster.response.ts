import { ApiProperty } from '@nestjs/swagger';
import { PageResponse } from '../../common/paging/paging';
import { PersonResponse } from '../../common/person/person.response';
import { SchoolResponse, toSchoolResponse } from '../../school/dto/school.response';
import { TEACHER_STATUSES, type TeacherStatus } from '../../teacher/teacher';
import type { Headmaster, HeadmasterDashboard } from '../headmaster';

/** A headmaster as REST returns it. */
export class HeadmasterResponse extends PersonResponse {
  @ApiProperty()
  email!: string;

  @ApiProperty()
  phone!: string;

  @ApiProperty()
  schoolId!: string;

  @ApiProperty()
  appointedAt!: string;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty()
  updatedAt!: string;
}

export class HeadmasterPageResponse extends PageResponse(HeadmasterResponse) {}

class SubjectCount {
  @ApiProperty()
  subject!: string;

  @ApiProperty()
  count!: number;
}

class StatusCount {
  @ApiProperty({ enum: TEACHER_STATUSES })
  status!: TeacherStatus;

  @ApiProperty()
  count!: number;
}

export class HeadmasterDashboardResponse {
  @ApiProperty({ type: SchoolResponse })
  school!: SchoolResponse;

  @ApiProperty()
  teacherCount!: number;

  @ApiProperty({ type: [SubjectCount] })
  teachersBySubject!: SubjectCount[];

  @ApiProperty({ type: [StatusCount] })
  teachersByStatus!: StatusCount[];
}

export function toHeadmasterResponse(headmaster: Headmaster): HeadmasterResponse {
  return {
    id: headmaster.id,
    firstName: headmaster.firstName,
    lastName: headmaster.lastName,
    email: headmaster.email,
    phone: headmaster.phone,
    schoolId: headmaster.schoolId,
    appointedAt: headmaster.appointedAt.toISOString(),
    createdAt: headmaster.createdAt.toISOString(),
    updatedAt: headmaster.updatedAt.toISOString(),
  };
}

export function toDashboardResponse(dashboard: HeadmasterDashboard): HeadmasterDashboardResponse {
  return {
    school: toSchoolResponse(dashboard.school),
    teacherCount: dashboard.teacherCount,
    teachersBySubject: dashboard.teachersBySubject.map(({ subject, count }) => ({ subject, count })),
    teachersByStatus: dashboard.teachersByStatus.map(({ status, count }) => ({ status, count })),
  };
}
