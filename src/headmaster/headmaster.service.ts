import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-errors';
import type { Page, PageRequest } from '../common/paging/paging';
import type { School } from '../school/school';
import { SchoolService } from '../school/school.service';
import type { HireTeacherInput, SchoolTeacherFilterInput } from '../teacher/dto/teacher.inputs';
import type { Teacher } from '../teacher/teacher';
import { TeacherService } from '../teacher/teacher.service';
import type { Headmaster, HeadmasterChanges, HeadmasterDashboard, HeadmasterFilter, NewHeadmaster } from './headmaster';
import { HeadmasterRepository } from './persistence/headmaster.repository';

@Injectable()
export class HeadmasterService {
  constructor(
    private readonly headmasters: HeadmasterRepository,
    private readonly schools: SchoolService,
    private readonly teachers: TeacherService,
  ) {}

  async get(id: string): Promise<Headmaster> {
    const headmaster = await this.headmasters.findById(id);
    if (!headmaster) throw new NotFoundError('headmaster', id);
    return headmaster;
  }

  async getMany(ids: readonly string[]): Promise<Headmaster[]> {
    return this.headmasters.findByIds(ids);
  }

  async list(filter: HeadmasterFilter, page: PageRequest): Promise<Page<Headmaster>> {
    return this.headmasters.findPage(filter, page);
  }

  async create(input: Omit<NewHeadmaster, 'appointedAt'> & { appointedAt?: Date }): Promise<Headmaster> {
    await this.schools.assertExists(input.schoolId);
    return this.headmasters.create({ ...input, appointedAt: input.appointedAt ?? new Date() });
  }

  async update(id: string, changes: HeadmasterChanges): Promise<Headmaster> {
    if (changes.schoolId !== undefined) await this.schools.assertExists(changes.schoolId);
    const headmaster = await this.headmasters.update(id, changes);
    if (!headmaster) throw new NotFoundError('headmaster', id);
    return headmaster;
  }

  async delete(id: string): Promise<Headmaster> {
    const headmaster = await this.headmasters.delete(id);
    if (!headmaster) throw new NotFoundError('headmaster', id);
    return headmaster;
  }

  async schoolOf(id: string): Promise<School> {
    const headmaster = await this.get(id);
    return this.schools.get(headmaster.schoolId);
  }

  async teachersOf(id: string, filter: SchoolTeacherFilterInput, page: PageRequest): Promise<Page<Teacher>> {
    const headmaster = await this.get(id);
    return this.teachers.list({ ...filter, schoolId: headmaster.schoolId }, page);
  }

  /** Hires a teacher into the headmaster's own school. */
  async hireTeacher(id: string, input: HireTeacherInput): Promise<Teacher> {
    const headmaster = await this.get(id);
    return this.teachers.create({ ...input, schoolId: headmaster.schoolId });
  }

  async dashboard(id: string): Promise<HeadmasterDashboard> {
    const headmaster = await this.get(id);
    return this.dashboardFor(headmaster);
  }

  async dashboardFor(headmaster: Headmaster): Promise<HeadmasterDashboard> {
    const [school, statistics] = await Promise.all([
      this.schools.get(headmaster.schoolId),
      this.teachers.statisticsForSchool(headmaster.schoolId),
    ]);
    return { school, ...statistics };
  }
}
