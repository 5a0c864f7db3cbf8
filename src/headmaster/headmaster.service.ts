import { Injectable, OnModuleInit } from '@nestjs/common';
import type { DomainError } from '../common/errors/domain-errors';
import type { Page, PageRequest } from '../common/paging/paging';
import type { School } from '../school/school';
import { SchoolService } from '../school/school.service';
import { accessDenied } from '../security/access-policy';
import type { Principal } from '../common/principal';
import type { HireTeacherInput, SchoolTeacherFilterInput } from '../teacher/dto/teacher.inputs';
import type { Teacher, TeacherView } from '../teacher/teacher';
import { TeacherService } from '../teacher/teacher.service';
import type { Headmaster, HeadmasterChanges, HeadmasterDashboard, HeadmasterFilter, NewHeadmaster } from './headmaster';
import {
  assertMayReadHeadmaster,
  assertMayReadHeadmasters,
  assertMayWriteHeadmasters,
  headmasterListSchool,
  mayReadHeadmaster,
  mayReadHeadmasters,
} from './headmaster.policy';
import { HeadmasterRepository } from './persistence/headmaster.repository';

@Injectable()
export class HeadmasterService implements OnModuleInit {
  constructor(
    private readonly headmasters: HeadmasterRepository,
    private readonly schools: SchoolService,
    private readonly teachers: TeacherService,
  ) {}

  /** A school's headmaster is the headmaster whose schoolId names it (one per school): schools ask here. */
  onModuleInit(): void {
    this.schools.useHeadmasterDirectory({ headmasterIdsOf: (schoolIds) => this.headmasters.idsBySchool(schoolIds) });
  }

  async get(principal: Principal, id: string): Promise<Headmaster> {
    assertMayReadHeadmasters(principal);
    const headmaster = await this.headmasters.getOrThrow(id);
    assertMayReadHeadmaster(principal, headmaster);
    return headmaster;
  }

  /**
   * Headmasters by id in the order asked: null for an unknown id and for one of another school (not there, to the
   * caller), the denial for each when the caller may read no headmaster.
   */
  async getMany(principal: Principal, ids: readonly string[]): Promise<(Headmaster | DomainError | null)[]> {
    if (!mayReadHeadmasters(principal)) return ids.map(() => accessDenied(principal));
    const found = new Map((await this.headmasters.findByIds(ids)).map((headmaster) => [headmaster.id, headmaster]));
    return ids.map((id) => {
      const headmaster = found.get(id);
      return headmaster && mayReadHeadmaster(principal, headmaster) ? headmaster : null;
    });
  }

  async list(principal: Principal, filter: HeadmasterFilter, page: PageRequest): Promise<Page<Headmaster>> {
    const schoolId = headmasterListSchool(principal, filter.schoolId);
    return this.headmasters.findPage({ ...filter, schoolId }, page);
  }

  async create(
    principal: Principal,
    input: Omit<NewHeadmaster, 'appointedAt'> & { appointedAt?: Date },
  ): Promise<Headmaster> {
    assertMayWriteHeadmasters(principal);
    return this.headmasters.create({ ...input, appointedAt: input.appointedAt ?? new Date() });
  }

  async update(principal: Principal, id: string, changes: HeadmasterChanges): Promise<Headmaster> {
    assertMayWriteHeadmasters(principal);
    return this.headmasters.update(id, changes);
  }

  async delete(principal: Principal, id: string): Promise<Headmaster> {
    assertMayWriteHeadmasters(principal);
    return this.headmasters.delete(id);
  }

  async schoolOf(principal: Principal, id: string): Promise<School> {
    const headmaster = await this.get(principal, id);
    return this.schools.find(headmaster.schoolId, headmaster.id);
  }

  async teachersOf(
    principal: Principal,
    id: string,
    filter: SchoolTeacherFilterInput,
    page: PageRequest,
  ): Promise<Page<TeacherView>> {
    const headmaster = await this.get(principal, id);
    return this.teachers.list(principal, { ...filter, schoolId: headmaster.schoolId }, page);
  }

  /** Hires a teacher into the headmaster's own school. */
  async hireTeacher(principal: Principal, id: string, input: HireTeacherInput): Promise<Teacher> {
    const headmaster = await this.get(principal, id);
    return this.teachers.create(principal, { ...input, schoolId: headmaster.schoolId });
  }

  async dashboard(principal: Principal, id: string): Promise<HeadmasterDashboard> {
    return this.dashboardFor(principal, await this.get(principal, id));
  }

  async dashboardFor(principal: Principal, headmaster: Headmaster): Promise<HeadmasterDashboard> {
    assertMayReadHeadmaster(principal, headmaster);
    const [school, statistics] = await Promise.all([
      this.schools.find(headmaster.schoolId, headmaster.id),
      this.teachers.statisticsForSchool(headmaster.schoolId),
    ]);
    return { school, ...statistics };
  }
}
