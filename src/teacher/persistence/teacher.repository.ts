import { Inject, Injectable } from '@nestjs/common';
import { QueryFilter, Types } from 'mongoose';
import type { CollectionStore, StoredRecord } from '../../common/persistence/collection-store';
import { EntityRepository } from '../../common/persistence/entity-repository';
import { everyWordIn } from '../../common/persistence/word-search';
import type { SubjectKey } from '../../subject/subject';
import type { Teacher, TeacherChanges, TeacherFilter, TeacherStatistics, TeacherStatus } from '../teacher';
import type { TeacherRecord } from './teacher.schema';

export const TEACHER_STORE = Symbol('TEACHER_STORE');

export function toTeacher(record: StoredRecord<TeacherRecord>): Teacher {
  return {
    id: record._id.toHexString(),
    firstName: record.firstName,
    lastName: record.lastName,
    email: record.email,
    phone: record.phone,
    schoolId: record.schoolId.toHexString(),
    subjects: [...record.subjects],
    status: record.status,
    hiredAt: record.hiredAt,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function toRecord(teacher: TeacherChanges): Partial<TeacherRecord> {
  const { schoolId, ...rest } = teacher;
  return { ...rest, ...(schoolId !== undefined ? { schoolId: new Types.ObjectId(schoolId) } : {}) };
}

function toQueryFilter(filter: TeacherFilter): QueryFilter<TeacherRecord> {
  const query: QueryFilter<TeacherRecord> = {};
  if (filter.schoolId !== undefined) query.schoolId = new Types.ObjectId(filter.schoolId);
  if (filter.subject !== undefined) query.subjects = filter.subject;
  if (filter.status !== undefined) query.status = filter.status;
  return { ...query, ...everyWordIn<TeacherRecord>(filter.q, ['firstName', 'lastName']) };
}

@Injectable()
export class TeacherRepository extends EntityRepository<TeacherRecord, Teacher, TeacherFilter, TeacherChanges> {
  constructor(@Inject(TEACHER_STORE) store: CollectionStore<TeacherRecord>) {
    super(store);
  }

  protected readonly toEntity = toTeacher;
  protected readonly toRecord = toRecord;
  protected readonly toQueryFilter = toQueryFilter;

  /** How many teachers of the school teach the subject. */
  async countTeaching({ schoolId, code }: SubjectKey): Promise<number> {
    return this.store.count({ schoolId: new Types.ObjectId(schoolId), subjects: code });
  }

  /** Teacher counts for many schools in one round trip; schools without teachers are absent. */
  async countBySchools(schoolIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.store.aggregate<{ _id: Types.ObjectId; count: number }>([
      { $match: { schoolId: { $in: schoolIds.map((id) => new Types.ObjectId(id)) } } },
      { $group: { _id: '$schoolId', count: { $sum: 1 } } },
    ]);
    return new Map(rows.map((row) => [row._id.toHexString(), row.count]));
  }
  async statisticsForSchool(schoolId: string): Promise<TeacherStatistics> {
    const match = { $match: { schoolId: new Types.ObjectId(schoolId) } };
    const [teacherCount, bySubject, byStatus] = await Promise.all([
      this.store.count({ schoolId: new Types.ObjectId(schoolId) }),
      this.store.aggregate<{ _id: string; count: number }>([
        match,
        { $unwind: '$subjects' },
        { $group: { _id: '$subjects', count: { $sum: 1 } } },
        { $sort: { count: -1, _id: 1 } },
      ]),
      this.store.aggregate<{ _id: TeacherStatus; count: number }>([
        match,
        { $group: { _id: '$status', count: { $sum: 1 } } },
        { $sort: { count: -1, _id: 1 } },
      ]),
    ]);
    return {
      teacherCount,
      teachersBySubject: bySubject.map((row) => ({ subject: row._id, count: row.count })),
      teachersByStatus: byStatus.map((row) => ({ status: row._id, count: row.count })),
    };
  }
}
