import { Injectable } from '@nestjs/common';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-errors';
import type { Page, PageRequest } from '../common/paging/paging';
import { SchoolService } from '../school/school.service';
import type { HireTeacherInput } from './dto/teacher.inputs';
import { TeacherRepository } from './persistence/teacher.repository';
import type { NewTeacher, Teacher, TeacherChanges, TeacherFilter, TeacherStatistics } from './teacher';

@Injectable()
export class TeacherService {
  constructor(
    private readonly teachers: TeacherRepository,
    private readonly schools: SchoolService,
  ) {}

  async get(id: string): Promise<Teacher> {
    const teacher = await this.teachers.findById(id);
    if (!teacher) throw new NotFoundError('teacher', id);
    return teacher;
  }

  async list(filter: TeacherFilter, page: PageRequest): Promise<Page<Teacher>> {
    return this.teachers.findPage(filter, page);
  }

  async create(input: HireTeacherInput & { schoolId: string }): Promise<Teacher> {
    await this.assertSchoolExists(input.schoolId);
    const teacher: NewTeacher = {
      ...input,
      status: input.status ?? 'active',
      hiredAt: input.hiredAt ?? new Date(),
    };
    return this.teachers.create(teacher);
  }

  async update(id: string, changes: TeacherChanges): Promise<Teacher> {
    if (changes.schoolId !== undefined) await this.assertSchoolExists(changes.schoolId);
    const teacher = await this.teachers.update(id, changes);
    if (!teacher) throw new NotFoundError('teacher', id);
    return teacher;
  }

  async delete(id: string): Promise<Teacher> {
    const teacher = await this.teachers.delete(id);
    if (!teacher) throw new NotFoundError('teacher', id);
    return teacher;
  }

  async countBySchools(schoolIds: readonly string[]): Promise<Map<string, number>> {
    return this.teachers.countBySchools(schoolIds);
  }

  async statisticsForSchool(schoolId: string): Promise<TeacherStatistics> {
    return this.teachers.statisticsForSchool(schoolId);
  }

  private async assertSchoolExists(schoolId: string): Promise<void> {
    const [school] = await this.schools.getMany([schoolId]);
    if (!school) throw new InvalidInputError(`schoolId ${schoolId} is not a known school`, 'schoolId');
  }
}
