import { Injectable } from '@nestjs/common';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-errors';
import type { Page, PageRequest } from '../common/paging/paging';
import { assertMayListSchools, assertMayWriteSchools, schoolAccess } from './school.policy';
import type { Principal } from '../common/principal';
import { withhold } from '../security/withheld-fields';
import { SchoolRepository } from './persistence/school.repository';
import {
  ADDRESS_PRIVATE_FIELDS,
  SCHOOL_PRIVATE_FIELDS,
  type NewSchool,
  type School,
  type SchoolChanges,
  type SchoolFilter,
  type SchoolView,
} from './school';

@Injectable()
export class SchoolService {
  constructor(private readonly schools: SchoolRepository) {}

  /** The school as `principal` may see it: in full, or its public directory entry. */
  async get(principal: Principal, id: string): Promise<SchoolView> {
    return this.viewFor(principal, await this.find(id));
  }

  async getMany(principal: Principal, ids: readonly string[]): Promise<SchoolView[]> {
    return (await this.schools.findByIds(ids)).map((school) => this.viewFor(principal, school));
  }

  async list(principal: Principal, filter: SchoolFilter, page: PageRequest): Promise<Page<SchoolView>> {
    assertMayListSchools(principal, page.sort);
    const { items, total } = await this.schools.findPage(filter, page);
    return { items: items.map((school) => this.viewFor(principal, school)), total };
  }

  async create(principal: Principal, school: NewSchool): Promise<School> {
    assertMayWriteSchools(principal);
    return this.schools.create(school);
  }

  async update(principal: Principal, id: string, changes: SchoolChanges): Promise<School> {
    assertMayWriteSchools(principal);
    return this.schools.update(id, changes);
  }

  async delete(principal: Principal, id: string): Promise<School> {
    assertMayWriteSchools(principal);
    return this.schools.delete(id);
  }

  /** The whole record, for callers that have already been allowed to see it (a headmaster's dashboard). */
  async find(id: string): Promise<School> {
    return this.schools.getOrThrow(id);
  }

  /**
   * For records that refer to a school: a school that does not exist is the client's mistake (400,
   * naming the field). During an outage a school missing from the backup data cannot be confirmed
   * absent, so that answer (503) passes through.
   */
  async assertExists(id: string, field = 'schoolId'): Promise<void> {
    try {
      await this.find(id);
    } catch (error) {
      if (error instanceof NotFoundError) throw new InvalidInputError(`${field} ${id} is not a known school`, field);
      throw error;
    }
  }

  private viewFor(principal: Principal, school: School): SchoolView {
    if (schoolAccess(principal, school.id) === 'full') return school;
    return {
      ...withhold(school, SCHOOL_PRIVATE_FIELDS),
      address: withhold(school.address, ADDRESS_PRIVATE_FIELDS),
    };
  }
}
