import { Injectable } from '@nestjs/common';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-errors';
import type { Page, PageRequest } from '../common/paging/paging';
import { SchoolRepository } from './persistence/school.repository';
import type { NewSchool, School, SchoolChanges, SchoolFilter } from './school';

@Injectable()
export class SchoolService {
  constructor(private readonly schools: SchoolRepository) {}

  async get(id: string): Promise<School> {
    const school = await this.schools.findById(id);
    if (!school) throw new NotFoundError('school', id);
    return school;
  }

  /**
   * For records that refer to a school: a school that does not exist is the client's mistake (400,
   * naming the field). During an outage a school missing from the backup data cannot be confirmed
   * absent, so that answer (503) passes through.
   */
  async assertExists(id: string, field = 'schoolId'): Promise<void> {
    try {
      await this.get(id);
    } catch (error) {
      if (error instanceof NotFoundError) throw new InvalidInputError(`${field} ${id} is not a known school`, field);
      throw error;
    }
  }

  async getMany(ids: readonly string[]): Promise<School[]> {
    return this.schools.findByIds(ids);
  }

  async list(filter: SchoolFilter, page: PageRequest): Promise<Page<School>> {
    return this.schools.findPage(filter, page);
  }

  async create(school: NewSchool): Promise<School> {
    return this.schools.create(school);
  }

  async update(id: string, changes: SchoolChanges): Promise<School> {
    const school = await this.schools.update(id, changes);
    if (!school) throw new NotFoundError('school', id);
    return school;
  }

  async delete(id: string): Promise<School> {
    const school = await this.schools.delete(id);
    if (!school) throw new NotFoundError('school', id);
    return school;
  }
}
