import { Injectable } from '@nestjs/common';
import { QueryFilter, Types } from 'mongoose';
import { personOf } from '../../common/person/person';
import type { CollectionStore, StoredRecord } from '../../common/persistence/collection-store';
import { EntityRepository } from '../../common/persistence/entity-repository';
import { InjectCollectionStore } from '../../persistence/collection-store.module';
import { everyWordIn } from '../../common/persistence/word-search';
import type { Teacher, TeacherChanges, TeacherFilter, TeacherStatistics, TeacherStatus } from '../teacher';
import { TeacherRecord } from './teacher.schema';

export function toTeacher(record: StoredRecord<TeacherRecord>): Teacher {
  return {
    id: record._id.toHexString(),
    ...personOf(record),
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

/** Counts by value, most frequent first, ties by value ascending (as `$sort: { count: -1, _id: 1 }` orders strings). */
function countsDescending<K extends string>(counts: Map<K, number>): [K, number][] {
  return [...counts].sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0));
}

@Injectable()
export class TeacherRepository extends EntityRepository<TeacherRecord, Teacher, TeacherFilter, TeacherChanges> {
  constructor(@InjectCollectionStore(TeacherRecord.name) store: CollectionStore<TeacherRecord>) {
    super(store, 'teacher');
  }

  protected readonly toEntity = toTeacher;
  protected readonly toRecord = toRecord;
  protected readonly toQueryFilter = toQueryFilter;

  /** Teacher counts for many schools in one round trip; schools without teachers are absent. */
  async countBySchools(schoolIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.store.aggregate<{ _id: Types.ObjectId; count: number }>([
      { $match: { schoolId: { $in: schoolIds.map((id) => new Types.ObjectId(id)) } } },
      { $group: { _id: '$schoolId', count: { $sum: 1 } } },
    ]);
    return new Map(rows.map((row) => [row._id.toHexString(), row.count]));
  }

  /**
   * A school's teacher count and its teachers by subject and by status, counted here from one read of the
   * school's teachers (their subjects and status only). A count and two aggregations would each make FerretDB
   * (whose SQLite backend filters only by _id itself) read and decode the whole collection: one read is a third
   * of its work. MongoDB reads the same records through the schoolId index either way.
   */
  async statisticsForSchool(schoolId: string): Promise<TeacherStatistics> {
    const teachers = await this.store.aggregate<Pick<TeacherRecord, 'subjects' | 'status'>>([
      { $match: { schoolId: new Types.ObjectId(schoolId) } },
      { $project: { _id: 0, subjects: 1, status: 1 } },
    ]);
    const bySubject = new Map<string, number>();
    const byStatus = new Map<TeacherStatus, number>();
    for (const { subjects, status } of teachers) {
      for (const subject of subjects ?? []) bySubject.set(subject, (bySubject.get(subject) ?? 0) + 1);
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    }
    return {
      teacherCount: teachers.length,
      teachersBySubject: countsDescending(bySubject).map(([subject, count]) => ({ subject, count })),
      teachersByStatus: countsDescending(byStatus).map(([status, count]) => ({ status, count })),
    };
  }
}
