import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/errors/domain-errors';
import type { SchoolService } from '../school/school.service';
import type { Principal } from '../security/principal';
import { toSubjectResponse } from './dto/subject.response';
import type { SubjectRepository } from './persistence/subject.repository';
import type { Subject } from './subject';
import { SubjectService } from './subject.service';

const SCHOOL = 'a0000000000000000000000a';
const OTHER_SCHOOL = 'b0000000000000000000000b';
const ID = 'c0000000000000000000000c';
const ADMIN: Principal = { role: 'admin', sub: 'admin' };
const HEADMASTER: Principal = { role: 'headmaster', sub: 'headmaster', schoolId: SCHOOL };
const TEACHER: Principal = { role: 'teacher', sub: 'teacher', schoolId: SCHOOL };
const OUTSIDER: Principal = { role: 'teacher', sub: 'outsider', schoolId: OTHER_SCHOOL };
const ANONYMOUS: Principal = { role: 'anonymous' };
const PAGE = { limit: 20, offset: 0 };

const stored: Subject = {
  id: ID,
  name: 'Example',
  schoolId: SCHOOL,
  createdAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-01-02T00:00:00Z'),
};

describe(SubjectService.name, () => {
  let repository: Record<'findById' | 'findPage' | 'create' | 'update' | 'delete', jest.Mock>;
  let schools: { assertExists: jest.Mock };
  let sut: SubjectService;

  beforeEach(() => {
    repository = {
      findById: jest.fn((id: string) => Promise.resolve(id === ID ? stored : undefined)),
      findPage: jest.fn(() => Promise.resolve({ items: [stored], total: 1 })),
      create: jest.fn((input: object) => Promise.resolve({ ...stored, ...input })),
      update: jest.fn((id: string, changes: object) =>
        Promise.resolve(id === ID ? { ...stored, ...changes } : undefined),
      ),
      delete: jest.fn((id: string) => Promise.resolve(id === ID ? stored : undefined)),
    };
    schools = { assertExists: jest.fn(() => Promise.resolve()) };
    sut = new SubjectService(repository as unknown as SubjectRepository, schools as unknown as SchoolService);
  });

  it('returns a subject to the members of its school and to admins', async () => {
    for (const principal of [ADMIN, HEADMASTER, TEACHER]) await expect(sut.get(principal, ID)).resolves.toEqual(stored);
  });

  it('refuses a subject to members of other schools and to anonymous callers', async () => {
    await expect(sut.get(OUTSIDER, ID)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sut.get(ANONYMOUS, ID)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it("limits a member's list to their own school, and refuses another school's", async () => {
    await sut.list(TEACHER, { q: 'ex' }, PAGE);
    expect(repository.findPage).toHaveBeenCalledWith({ q: 'ex', schoolId: SCHOOL }, PAGE);
    await expect(sut.list(TEACHER, { schoolId: OTHER_SCHOOL }, PAGE)).rejects.toBeInstanceOf(ForbiddenError);
    await sut.list(ADMIN, {}, PAGE);
    expect(repository.findPage).toHaveBeenLastCalledWith({ schoolId: undefined }, PAGE);
  });

  it('lets admins create subjects in a school that exists', async () => {
    await expect(sut.create(ADMIN, { name: 'New', schoolId: SCHOOL })).resolves.toMatchObject({ name: 'New' });
    expect(schools.assertExists).toHaveBeenCalledWith(SCHOOL);
  });

  it('refuses writes to everyone but admins (the generated default)', async () => {
    await expect(sut.create(HEADMASTER, { name: 'New', schoolId: SCHOOL })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sut.update(TEACHER, ID, { name: 'Renamed' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sut.delete(ANONYMOUS, ID)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(repository.create).not.toHaveBeenCalled();
    expect(repository.update).not.toHaveBeenCalled();
    expect(repository.delete).not.toHaveBeenCalled();
  });

  it('answers NotFoundError for an unknown id', async () => {
    const unknown = 'd0000000000000000000000d';
    await expect(sut.get(ADMIN, unknown)).rejects.toBeInstanceOf(NotFoundError);
    await expect(sut.update(ADMIN, unknown, { name: 'Renamed' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(sut.delete(ADMIN, unknown)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe(toSubjectResponse.name, () => {
  it('gives every field, dates as ISO 8601', () => {
    expect(toSubjectResponse(stored)).toEqual({
      id: ID,
      name: 'Example',
      schoolId: SCHOOL,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-02T00:00:00.000Z',
    });
  });
});
