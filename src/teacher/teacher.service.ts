import { Injectable, Logger } from '@nestjs/common';
import { PubSubEngine } from 'graphql-subscriptions';
import { NotFoundError } from '../common/errors/domain-errors';
import type { Page, PageRequest } from '../common/paging/paging';
import { SchoolService } from '../school/school.service';
import type { HireTeacherInput } from './dto/teacher.inputs';
import { TeacherRepository } from './persistence/teacher.repository';
import type {
  NewTeacher,
  Teacher,
  TeacherChangeKind,
  TeacherChanges,
  TeacherFilter,
  TeacherStatistics,
} from './teacher';
import { teacherChangedTrigger, type TeacherChangedEvent } from './teacher-changes';

@Injectable()
export class TeacherService {
  private readonly logger = new Logger(TeacherService.name);

  constructor(
    private readonly teachers: TeacherRepository,
    private readonly schools: SchoolService,
    private readonly pubSub: PubSubEngine,
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
    await this.schools.assertExists(input.schoolId);
    const teacher: NewTeacher = {
      ...input,
      status: input.status ?? 'active',
      hiredAt: input.hiredAt ?? new Date(),
    };
    const created = await this.teachers.create(teacher);
    this.publishChange('created', created);
    return created;
  }

  async update(id: string, changes: TeacherChanges): Promise<Teacher> {
    if (changes.schoolId !== undefined) await this.schools.assertExists(changes.schoolId);
    // A move between schools is heard of by the subscribers of both.
    const before = changes.schoolId !== undefined ? await this.teachers.findById(id) : undefined;
    const teacher = await this.teachers.update(id, changes);
    if (!teacher) throw new NotFoundError('teacher', id);
    this.publishChange('updated', teacher, before?.schoolId);
    return teacher;
  }

  async delete(id: string): Promise<Teacher> {
    const teacher = await this.teachers.delete(id);
    if (!teacher) throw new NotFoundError('teacher', id);
    this.publishChange('deleted', teacher);
    return teacher;
  }

  async countBySchools(schoolIds: readonly string[]): Promise<Map<string, number>> {
    return this.teachers.countBySchools(schoolIds);
  }

  async statisticsForSchool(schoolId: string): Promise<TeacherStatistics> {
    return this.teachers.statisticsForSchool(schoolId);
  }

  /**
   * Tells the subscribers of the teacher's school (and of its previous one) of a write. Not awaited: a write
   * is answered whether or not the pub/sub takes the event; a failure is logged.
   */
  private publishChange(kind: TeacherChangeKind, teacher: Teacher, previousSchoolId?: string): void {
    const event: TeacherChangedEvent = { kind, teacher: { ...teacher, subjects: [...teacher.subjects] } };
    for (const schoolId of new Set([teacher.schoolId, previousSchoolId ?? teacher.schoolId])) {
      const published = (async () => this.pubSub.publish(teacherChangedTrigger(schoolId), event))();
      void published.catch((error: unknown) =>
        this.logger.warn(`Publishing the ${kind} event of teacher ${teacher.id} failed: ${(error as Error).message}`),
      );
    }
  }
}
