import { Injectable } from '@nestjs/common';
import { QueryFilter, Types } from 'mongoose';
import type { CollectionStore, StoredRecord } from '../../common/persistence/collection-store';
import { EntityRepository } from '../../common/persistence/entity-repository';
import { InjectCollectionStore } from '../../persistence/collection-store.module';
import { everyWordIn } from '../../common/persistence/word-search';
import type { Subject, SubjectChanges, SubjectFilter, SubjectKey } from '../subject';
import { SubjectRecord } from './subject.schema';

export function toSubject(record: StoredRecord<SubjectRecord>): Subject {
  return {
    id: record._id.toHexString(),
    name: record.name,
    code: record.code,
    schoolId: record.schoolId.toHexString(),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function toRecord(changes: SubjectChanges & { schoolId?: string }): Partial<SubjectRecord> {
  const { schoolId, ...rest } = changes;
  return { ...rest, ...(schoolId !== undefined ? { schoolId: new Types.ObjectId(schoolId) } : {}) };
}

function toQueryFilter(filter: SubjectFilter): QueryFilter<SubjectRecord> {
  const query: QueryFilter<SubjectRecord> = {};
  if (filter.schoolId !== undefined) query.schoolId = new Types.ObjectId(filter.schoolId);
  return { ...query, ...everyWordIn<SubjectRecord>(filter.q, ['name', 'code']) };
}

@Injectable()
export class SubjectRepository extends EntityRepository<
  SubjectRecord,
  Subject,
  SubjectFilter,
  SubjectChanges & { schoolId?: string }
> {
  constructor(@InjectCollectionStore(SubjectRecord.name) store: CollectionStore<SubjectRecord>) {
    super(store, 'subject');
  }

  protected readonly toEntity = toSubject;
  protected readonly toRecord = toRecord;
  protected readonly toQueryFilter = toQueryFilter;

  /** The subjects with the given codes at the given schools, in one round trip. */
  async findByKeys(keys: readonly SubjectKey[]): Promise<Subject[]> {
    if (keys.length === 0) return [];
    const records = await this.store.find({
      filter: {
        schoolId: { $in: [...new Set(keys.map(({ schoolId }) => schoolId))].map((id) => new Types.ObjectId(id)) },
        code: { $in: [...new Set(keys.map(({ code }) => code))] },
      },
    });
    const wanted = new Set(keys.map(({ schoolId, code }) => `${schoolId}/${code}`));
    return records.map(toSubject).filter(({ schoolId, code }) => wanted.has(`${schoolId}/${code}`));
  }
}
