import { Injectable } from '@nestjs/common';
import { ConflictError, InvalidInputError } from '../common/errors/domain-errors';
import { byKeys } from '../common/graphql/request-loaders';
import type { Page, PageRequest } from '../common/paging/paging';
import { SchoolService } from '../school/school.service';
import { assertMayReadSubjects, assertMayWriteSubjects, assertMayWriteSubjectsOf } from './subject.policy';
import type { Principal } from '../common/principal';
import { SubjectRepository } from './persistence/subject.repository';
import type { NewSubject, Subject, SubjectChanges, SubjectFilter, SubjectKey } from './subject';

/**
 * Records elsewhere that name subjects by code (teachers' subjects). A subject they name keeps its code
 * and stays: the modules that own such records register here, so this module needs none of them.
 */
export interface SubjectUsage {
  /** Who uses subjects, for messages: `teachers`. */
  readonly users: string;
  count(subject: SubjectKey): Promise<number>;
}

const keyOf = ({ schoolId, code }: SubjectKey): string => `${schoolId}/${code}`;

/** Subjects: every read and write applies the rules of subject.policy.ts. */
@Injectable()
export class SubjectService {
  private readonly usages: SubjectUsage[] = [];

  constructor(
    private readonly subjects: SubjectRepository,
    private readonly schools: SchoolService,
  ) {}

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
    await this.schools.assertExists(input.schoolId);
    return this.subjects.create(input);
  }

  async update(principal: Principal, id: string, changes: SubjectChanges): Promise<Subject> {
    assertMayWriteSubjects(principal);
    const subject = await this.subjects.getOrThrow(id);
    assertMayWriteSubjectsOf(principal, subject.schoolId);
    if (changes.code !== undefined && changes.code !== subject.code) await this.assertUnused(subject, 'recoded');
    return this.subjects.update(id, changes);
  }

  async delete(principal: Principal, id: string): Promise<Subject> {
    assertMayWriteSubjects(principal);
    const subject = await this.subjects.getOrThrow(id);
    assertMayWriteSubjectsOf(principal, subject.schoolId);
    await this.assertUnused(subject, 'removed');
    return this.subjects.delete(id);
  }

  /**
   * For records that name subjects by code: every code must be a subject of the school, else the client's
   * mistake (400 naming the field). During an outage the backup data answers, which holds every subject
   * of each school it holds (fixtures.config.json: subjects perParent all).
   */
  async assertTaughtAt(schoolId: string, codes: readonly string[], field = 'subjects'): Promise<void> {
    if (codes.length === 0) return;
    const found = await this.subjects.findByKeys(codes.map((code) => ({ schoolId, code })));
    const taught = new Set(found.map(({ code }) => code));
    const unknown = codes.filter((code) => !taught.has(code));
    if (unknown.length === 0) return;
    const what = unknown.length === 1 ? 'is not a subject' : 'are not subjects';
    throw new InvalidInputError(`${field}: ${unknown.join(', ')} ${what} of school ${schoolId}`, field);
  }

  /** Registers records that name subjects by code (see SubjectUsage). */
  addUsage(usage: SubjectUsage): void {
    this.usages.push(usage);
  }

  private async assertUnused(subject: Subject, change: 'recoded' | 'removed'): Promise<void> {
    for (const usage of this.usages) {
      const count = await usage.count({ schoolId: subject.schoolId, code: subject.code });
      if (count > 0) {
        throw new ConflictError(
          `code: subject ${subject.code} is taught by ${count} ${usage.users} of its school; ` +
            `change their subjects before it is ${change}`,
          'code',
        );
      }
    }
  }
}
