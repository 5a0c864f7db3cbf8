import { Injectable } from '@nestjs/common';
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

/**
 * Who heads a school is held by the headmaster's record (its schoolId) alone; the headmaster module answers for it
 * here (a school's `headmasterId` is derived on every read), so this module needs none of it.
 */
export interface HeadmasterDirectory {
  /** The headmaster of each of the schools that has one, by school id. */
  headmasterIdsOf(schoolIds: readonly string[]): Promise<Map<string, string>>;
}

@Injectable()
export class SchoolService {
  private headmasters?: HeadmasterDirectory;

  constructor(private readonly schools: SchoolRepository) {}

  /** Called once by the module that holds headmasters. */
  useHeadmasterDirectory(directory: HeadmasterDirectory): void {
    this.headmasters = directory;
  }

  /** The school as `principal` may see it: in full, or its public directory entry. */
  async get(principal: Principal, id: string): Promise<SchoolView> {
    const school = await this.schools.getOrThrow(id);
    return this.viewFor(principal, schoolAccess(principal, id) === 'full' ? await this.withHeadmaster(school) : school);
  }

  async getMany(principal: Principal, ids: readonly string[]): Promise<SchoolView[]> {
    return this.viewsFor(principal, await this.schools.findByIds(ids));
  }

  async list(principal: Principal, filter: SchoolFilter, page: PageRequest): Promise<Page<SchoolView>> {
    assertMayListSchools(principal, page.sort);
    const { items, total } = await this.schools.findPage(filter, page);
    return { items: await this.viewsFor(principal, items), total };
  }

  async create(principal: Principal, school: NewSchool): Promise<School> {
    assertMayWriteSchools(principal);
    return this.schools.create(school);
  }

  async update(principal: Principal, id: string, changes: SchoolChanges): Promise<School> {
    assertMayWriteSchools(principal);
    return this.withHeadmaster(await this.schools.update(id, changes));
  }

  /** Refused (409) while teachers, a headmaster or subjects belong to the school: the store chain checks. */
  async delete(principal: Principal, id: string): Promise<School> {
    assertMayWriteSchools(principal);
    return this.schools.delete(id);
  }

  /**
   * The whole record, for callers that have already been allowed to see it (a headmaster's dashboard); they pass
   * `headmasterId` when they know who heads it.
   */
  async find(id: string, headmasterId?: string): Promise<School> {
    const school = await this.schools.getOrThrow(id);
    return headmasterId === undefined ? this.withHeadmaster(school) : { ...school, headmasterId };
  }

  private async withHeadmaster(school: School): Promise<School> {
    return (await this.withHeadmasters([school]))[0];
  }

  private async withHeadmasters(schools: School[]): Promise<School[]> {
    if (!this.headmasters || schools.length === 0) return schools;
    const heads = await this.headmasters.headmasterIdsOf(schools.map((school) => school.id));
    return schools.map((school) => ({ ...school, headmasterId: heads.get(school.id) }));
  }

  /** Views in the order given; the headmaster is looked up only for the schools the caller sees in full. */
  private async viewsFor(principal: Principal, schools: School[]): Promise<SchoolView[]> {
    const full = schools.filter((school) => schoolAccess(principal, school.id) === 'full');
    const enriched = new Map((await this.withHeadmasters(full)).map((school) => [school.id, school]));
    return schools.map((school) => this.viewFor(principal, enriched.get(school.id) ?? school));
  }

  private viewFor(principal: Principal, school: School): SchoolView {
    if (schoolAccess(principal, school.id) === 'full') return school;
    return {
      ...withhold(school, SCHOOL_PRIVATE_FIELDS),
      address: withhold(school.address, ADDRESS_PRIVATE_FIELDS),
    };
  }
}
