import { ApiProperty } from '@nestjs/swagger';
import { PageResponse } from '../../common/paging/paging';
import type { Subject } from '../subject';

/** A subject as REST returns it; everything about a subject is public. */
export class SubjectResponse {
  @ApiProperty({ example: '665f1c2ab3e4d5f6a7b8c9d0' })
  id!: string;

  @ApiProperty({ example: 'Physical education' })
  name!: string;

  @ApiProperty({ example: 'physical-education' })
  code!: string;

  @ApiProperty({ description: 'Id of the school' })
  schoolId!: string;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty()
  updatedAt!: string;
}

export class SubjectPageResponse extends PageResponse(SubjectResponse) {}

export function toSubjectResponse(subject: Subject): SubjectResponse {
  return {
    id: subject.id,
    name: subject.name,
    code: subject.code,
    schoolId: subject.schoolId,
    createdAt: subject.createdAt.toISOString(),
    updatedAt: subject.updatedAt.toISOString(),
  };
}
