import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-errors';
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
