import { Injectable, Logger } from '@nestjs/common';
import { PubSubEngine } from 'graphql-subscriptions';
import type { DomainError } from '../common/errors/domain-errors';
import type { Page, PageRequest } from '../common/paging/paging';
import { accessDenied } from '../security/access-policy';
import type { Principal } from '../common/principal';
import { withhold } from '../security/withheld-fields';
import type { HireTeacherInput } from './dto/teacher.inputs';
import { TeacherRepository } from './persistence/teacher.repository';
import {
  assertMayFollowTeachersOf,
  assertMayManageTeacher,
  assertMayManageTeachers,
  assertMayManageTeachersOf,
  assertMayReadTeacher,
  assertMayReadTeachers,
  mayCountTeachers,
  teacherAccess,
  teacherListAccess,
  teacherListSchool,
  type TeacherAccess,
} from './teacher.policy';
import {
  TEACHER_PRIVATE_FIELDS,
  type NewTeacher,
  type Teacher,
  type TeacherChange,
  type TeacherChangeKind,
  type TeacherChanges,
  type TeacherFilter,
  type TeacherStatistics,
  type TeacherView,
} from './teacher';
import { teacherChangedTrigger, toTeacherChange, type TeacherChangedEvent } from './teacher-changes';

/** A teacher as a caller with this access sees them. */
function seenWith(access: TeacherAccess, teacher: Teacher): TeacherView {
  return access === 'full' ? teacher : withhold(teacher, TEACHER_PRIVATE_FIELDS);
}

@Injectable()
export class TeacherService {
  private readonly logger = new Logger(TeacherService.name);

  constructor(
    private readonly teachers: TeacherRepository,
    private readonly pubSub: PubSubEngine,
  ) {}

  async get(principal: Principal, id: string): Promise<TeacherView> {
    assertMayReadTeachers(principal);
    const teacher = await this.teachers.getOrThrow(id);
    assertMayReadTeacher(principal, teacher);
    return this.viewFor(principal, teacher);
  }

  /**
   * Lists are limited to what the caller may see: their own school, unless an admin asks. A teacher sees every
   * member of the list as a colleague, themselves included: one list for every teacher of the school.
   */
  async list(principal: Principal, filter: TeacherFilter, page: PageRequest): Promise<Page<TeacherView>> {
    const schoolId = teacherListSchool(principal, filter, page.sort);
    const { items, total } = await this.teachers.findPage({ ...filter, schoolId }, page);
    return { items: items.map((teacher) => seenWith(teacherListAccess(principal, teacher), teacher)), total };
  }

  async create(principal: Principal, input: HireTeacherInput & { schoolId: string }): Promise<Teacher> {
    // The school and the subjects (codes of that school's subjects) are checked by the store chain on every write.
    assertMayManageTeachersOf(principal, input.schoolId);
    const teacher: NewTeacher = {
      ...input,
      status: input.status ?? 'active',
      hiredAt: input.hiredAt ?? new Date(),
    };
    const created = await this.teachers.create(teacher);
    this.publishChange('created', created);
    return created;
  }

  async update(principal: Principal, id: string, changes: TeacherChanges): Promise<Teacher> {
    // Who may change a teacher depends on their school; a move between schools is heard of by the subscribers of
    // both.
    assertMayManageTeachers(principal);
    const needsBefore = principal.role !== 'admin' || changes.schoolId !== undefined;
    const before = needsBefore ? await this.teachers.getOrThrow(id) : undefined;
    if (before) assertMayManageTeacher(principal, before);
    if (changes.schoolId !== undefined) assertMayManageTeachersOf(principal, changes.schoolId);
    const teacher = await this.teachers.update(id, changes);
    this.publishChange('updated', teacher, before?.schoolId);
    return teacher;
  }

  async delete(principal: Principal, id: string): Promise<Teacher> {
    assertMayManageTeachers(principal);
    if (principal.role !== 'admin') assertMayManageTeacher(principal, await this.teachers.getOrThrow(id));
    const teacher = await this.teachers.delete(id);
    this.publishChange('deleted', teacher);
    return teacher;
  }

  /** Teacher counts of many schools in one round trip, in the order asked; a school the caller may not count gets its denial. */
  async countBySchools(principal: Principal, schoolIds: readonly string[]): Promise<(number | DomainError)[]> {
    const allowed = schoolIds.filter((schoolId) => mayCountTeachers(principal, schoolId));
    const counts = allowed.length > 0 ? await this.teachers.countBySchools(allowed) : new Map<string, number>();
    return schoolIds.map((schoolId) =>
      allowed.includes(schoolId) ? (counts.get(schoolId) ?? 0) : accessDenied(principal),
    );
  }

  /** The statistics of a school's teaching staff; callers check access (a headmaster's dashboard). */
  async statisticsForSchool(schoolId: string): Promise<TeacherStatistics> {
    return this.teachers.statisticsForSchool(schoolId);
  }

  /** The writes of a school's teachers as they happen, for its members and admins. */
  follow(principal: Principal, schoolId: string): AsyncIterableIterator<TeacherChangedEvent> {
    assertMayFollowTeachersOf(principal, schoolId);
    return this.pubSub.asyncIterableIterator<TeacherChangedEvent>(teacherChangedTrigger(schoolId));
  }

  /** An event as the subscriber may see it (a colleague's contact data withheld). */
  changeFor(principal: Principal, event: TeacherChangedEvent): TeacherChange {
    const { kind, teacher } = toTeacherChange(event);
    return { kind, teacher: this.viewFor(principal, teacher) };
  }

  private viewFor(principal: Principal, teacher: Teacher): TeacherView {
    return seenWith(teacherAccess(principal, teacher), teacher);
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
