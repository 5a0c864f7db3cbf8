import { Injectable } from '@nestjs/common';
import { QueryFilter, Types } from 'mongoose';
import { personOf } from '../../common/person/person';
import type { CollectionStore, StoredRecord } from '../../common/persistence/collection-store';
import { EntityRepository } from '../../common/persistence/entity-repository';
import { InjectCollectionStore } from '../../persistence/collection-store.module';
import type { Headmaster, HeadmasterChanges, HeadmasterFilter } from '../headmaster';
import { HeadmasterRecord } from './headmaster.schema';

export function toHeadmaster(record: StoredRecord<HeadmasterRecord>): Headmaster {
  return {
    id: record._id.toHexString(),
    ...personOf(record),
    schoolId: record.schoolId.toHexString(),
    appointedAt: record.appointedAt,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function toRecord(headmaster: HeadmasterChanges): Partial<HeadmasterRecord> {
  const { schoolId, ...rest } = headmaster;
  return { ...rest, ...(schoolId !== undefined ? { schoolId: new Types.ObjectId(schoolId) } : {}) };
}

function toQueryFilter(filter: HeadmasterFilter): QueryFilter<HeadmasterRecord> {
  return filter.schoolId !== undefined ? { schoolId: new Types.ObjectId(filter.schoolId) } : {};
}

@Injectable()
export class HeadmasterRepository extends EntityRepository<
  HeadmasterRecord,
  Headmaster,
  HeadmasterFilter,
  HeadmasterChanges
> {
  constructor(@InjectCollectionStore(HeadmasterRecord.name) store: CollectionStore<HeadmasterRecord>) {
    super(store, 'headmaster');
  }

  protected readonly toEntity = toHeadmaster;
  protected readonly toRecord = toRecord;
  protected readonly toQueryFilter = toQueryFilter;

  /** The headmaster of each of the schools that has one, by school id. */
  async idsBySchool(schoolIds: readonly string[]): Promise<Map<string, string>> {
    if (schoolIds.length === 0) return new Map();
    const records = await this.store.find({
      filter: { schoolId: { $in: schoolIds.map((id) => new Types.ObjectId(id)) } },
      projection: { schoolId: 1 },
    });
    return new Map(records.map((record) => [record.schoolId.toHexString(), record._id.toHexString()]));
  }
}
