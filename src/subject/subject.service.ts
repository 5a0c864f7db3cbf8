import { Injectable } from '@nestjs/common';
import { byKeys } from '../common/graphql/request-loaders';
import type { Page, PageRequest } from '../common/paging/paging';
import { assertMayReadSubjects, assertMayWriteSubjects, assertMayWriteSubjectsOf } from './subject.policy';
import type { Principal } from '../common/principal';
import { SubjectRepository } from './persistence/subject.repository';
import type { NewSubject, Subject, SubjectChanges, SubjectFilter, SubjectKey } from './subject';

const keyOf = ({ schoolId, code }: SubjectKey): string => `${schoolId}/${code}`;

/** Subjects: every read and write applies the rules of subject.policy.ts. */
@Injectable()
export class SubjectService {
  constructor(private readonly subjects: SubjectRepository) {}

  async get(principal: Principal, id: string): Promise<Subject> {
    assertMayReadSubjects(principal);
    return this.subjects.getOrThrow(id);
  }

  async list(principal: Principal, filter: SubjectFilter, page: PageRequest): Promise<Page<Subject>> {
    assertMayReadSubjects(principal);
    return this.subjects.findPage(filter, page);
  }

  /** Subjects by school and code in the order asked, null where a school has no such subject. */
  async getByKeys(principal: Principal, keys: readonly SubjectKey[]): Promise<(Subject | null)[]> {
    assertMayReadSubjects(principal);
    return byKeys(keys.map(keyOf), await this.subjects.findByKeys(keys), keyOf, null);
  }

  async create(principal: Principal, input: NewSubject): Promise<Subject> {
    assertMayWriteSubjectsOf(principal, input.schoolId);
    return this.subjects.create(input);
  }

  async update(principal: Principal, id: string, changes: SubjectChanges): Promise<Subject> {
    assertMayWriteSubjects(principal);
    const subject = await this.subjects.getOrThrow(id);
    assertMayWriteSubjectsOf(principal, subject.schoolId);
    return this.subjects.update(id, changes);
  }

  async delete(principal: Principal, id: string): Promise<Subject> {
    assertMayWriteSubjects(principal);
    const subject = await this.subjects.getOrThrow(id);
    assertMayWriteSubjectsOf(principal, subject.schoolId);
    return this.subjects.delete(id);
  }
}
