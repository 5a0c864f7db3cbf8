import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-errors';
import type { Page, PageRequest } from '../common/paging/paging';
import { SchoolService } from '../school/school.service';
import { assertMayReadSubjectsOf, assertMayWriteSubjectsOf, subjectListSchool } from '../security/access-policy';
import type { Principal } from '../security/principal';
import { SubjectRepository } from './persistence/subject.repository';
import type { Subject, SubjectChanges, SubjectFilter, NewSubject } from './subject';

/** Subjects: every read and write applies the rules of src/security/access-policy.ts. */
@Injectable()
export class SubjectService {
  constructor(
    private readonly subjects: SubjectRepository,
    private readonly schools: SchoolService,
  ) {}

  async get(principal: Principal, id: string): Promise<Subject> {
    const subject = await this.find(id);
    assertMayReadSubjectsOf(principal, subject.schoolId);
    return subject;
  }

  /** Lists are limited to what the caller may see: their own school, unless an admin asks. */
  async list(principal: Principal, filter: SubjectFilter, page: PageRequest): Promise<Page<Subject>> {
    const schoolId = subjectListSchool(principal, filter.schoolId);
    return this.subjects.findPage({ ...filter, schoolId }, page);
  }

  async create(principal: Principal, input: NewSubject): Promise<Subject> {
    assertMayWriteSubjectsOf(principal, input.schoolId);
    await this.schools.assertExists(input.schoolId);
    return this.subjects.create(input);
  }

  async update(principal: Principal, id: string, changes: SubjectChanges): Promise<Subject> {
    assertMayWriteSubjectsOf(principal, (await this.find(id)).schoolId);
    if (changes.schoolId !== undefined) {
      assertMayWriteSubjectsOf(principal, changes.schoolId);
      await this.schools.assertExists(changes.schoolId);
    }
    const subject = await this.subjects.update(id, changes);
    if (!subject) throw new NotFoundError('subject', id);
    return subject;
  }

  async delete(principal: Principal, id: string): Promise<Subject> {
    assertMayWriteSubjectsOf(principal, (await this.find(id)).schoolId);
    const subject = await this.subjects.delete(id);
    if (!subject) throw new NotFoundError('subject', id);
    return subject;
  }

  private async find(id: string): Promise<Subject> {
    const subject = await this.subjects.findById(id);
    if (!subject) throw new NotFoundError('subject', id);
    return subject;
  }
}
