import { Injectable } from '@nestjs/common';
import type { QueryFilter } from 'mongoose';
import type { CollectionStore, StoredRecord } from '../../common/persistence/collection-store';
import { EntityRepository } from '../../common/persistence/entity-repository';
import { InjectCollectionStore } from '../../persistence/collection-store.module';
import type { School, SchoolChanges, SchoolFilter } from '../school';
import { SchoolRecord } from './school.schema';

export function toSchool(record: StoredRecord<SchoolRecord>): School {
  return {
    id: record._id.toHexString(),
    name: record.name,
    code: record.code,
    type: record.type,
    address: {
      street: record.address.street,
      city: record.address.city,
      region: record.address.region,
      postalCode: record.address.postalCode,
    },
    phone: record.phone,
    email: record.email,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function toRecord(school: SchoolChanges): Partial<SchoolRecord> {
  return school;
}

function toQueryFilter(filter: SchoolFilter): QueryFilter<SchoolRecord> {
  const query: QueryFilter<SchoolRecord> = {};
  if (filter.city !== undefined) query['address.city'] = filter.city;
  if (filter.type !== undefined) query.type = filter.type;
  return query;
}

@Injectable()
export class SchoolRepository extends EntityRepository<SchoolRecord, School, SchoolFilter, SchoolChanges> {
  constructor(@InjectCollectionStore(SchoolRecord.name) store: CollectionStore<SchoolRecord>) {
    super(store, 'school');
  }

  protected readonly toEntity = toSchool;
  protected readonly toRecord = toRecord;
  protected readonly toQueryFilter = toQueryFilter;
}
