import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/errors/domain-errors';
import type { Principal } from '../common/principal';
import { toSubjectResponse } from './dto/subject.response';
import type { SubjectRepository } from './persistence/subject.repository';
import type { Subject, SubjectKey } from './subject';
import { SubjectService } from './subject.service';

const SCHOOL = 'a0000000000000000000000a';
const OTHER_SCHOOL = 'b0000000000000000000000b';
const ID = 'c0000000000000000000000c';
const ADMIN: Principal = { role: 'admin', sub: 'admin' };
const HEADMASTER: Principal = { role: 'headmaster', sub: 'headmaster', schoolId: SCHOOL };
const OTHER_HEADMASTER: Principal = { role: 'headmaster', sub: 'other', schoolId: OTHER_SCHOOL };
const TEACHER: Principal = { role: 'teacher', sub: 'teacher', schoolId: SCHOOL };
const ANONYMOUS: Principal = { role: 'anonymous' };
const PAGE = { limit: 20, offset: 0 };

const art: Subject = {
  id: ID,
  name: 'Art',
  code: 'art',
  schoolId: SCHOOL,
  createdAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-01-02T00:00:00Z'),
};
const latin: Subject = { ...art, id: 'e0000000000000000000000e', name: 'Latin', code: 'latin' };
/** What the repository answers for an id it does not hold. */
const notFound = (id: string) => Promise.reject(new NotFoundError('subject', id));

describe(SubjectService.name, () => {
  let repository: Record<'getOrThrow' | 'findPage' | 'findByKeys' | 'create' | 'update' | 'delete', jest.Mock>;
  let sut: SubjectService;

  beforeEach(() => {
    repository = {
      getOrThrow: jest.fn((id: string) => {
        const subject = [art, latin].find((candidate) => candidate.id === id);
        return subject ? Promise.resolve(subject) : notFound(id);
      }),
      findPage: jest.fn(() => Promise.resolve({ items: [art], total: 1 })),
      findByKeys: jest.fn((keys: SubjectKey[]) =>
        Promise.resolve(
          [art, latin].filter((s) => keys.some((key) => key.schoolId === s.schoolId && key.code === s.code)),
        ),
      ),
      create: jest.fn((input: object) => Promise.resolve({ ...art, ...input })),
      update: jest.fn((id: string, changes: object) =>
        id === ID ? Promise.resolve({ ...art, ...changes }) : notFound(id),
      ),
      delete: jest.fn((id: string) => (id === ID ? Promise.resolve(art) : notFound(id))),
    };
    sut = new SubjectService(repository as unknown as SubjectRepository);
  });

  it('lets anyone read subjects, anonymous callers included: what a school teaches is public', async () => {
    for (const principal of [ANONYMOUS, TEACHER, OTHER_HEADMASTER, ADMIN]) {
      await expect(sut.get(principal, ID)).resolves.toEqual(art);
      await expect(sut.list(principal, { schoolId: OTHER_SCHOOL }, PAGE)).resolves.toEqual({ items: [art], total: 1 });
    }
    expect(repository.findPage).toHaveBeenLastCalledWith({ schoolId: OTHER_SCHOOL }, PAGE);
  });

  it("lets the school's headmaster and admins write its subjects", async () => {
    const input = { name: 'Drama', code: 'drama', schoolId: SCHOOL };
    await expect(sut.create(HEADMASTER, input)).resolves.toMatchObject(input);
    await expect(sut.update(HEADMASTER, ID, { name: 'Fine art' })).resolves.toMatchObject({ name: 'Fine art' });
    await expect(sut.delete(ADMIN, ID)).resolves.toEqual(art);
  });

  it("refuses writes to teachers, another school's headmaster and anonymous callers", async () => {
    const input = { name: 'Drama', code: 'drama', schoolId: SCHOOL };
    await expect(sut.create(TEACHER, input)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sut.create(OTHER_HEADMASTER, input)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sut.update(OTHER_HEADMASTER, ID, { name: 'x' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sut.delete(ANONYMOUS, ID)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(repository.create).not.toHaveBeenCalled();
    expect(repository.update).not.toHaveBeenCalled();
    expect(repository.delete).not.toHaveBeenCalled();
  });

  it('refuses anonymous callers and teachers before looking the subject up: an unknown id answers the same', async () => {
    const unknown = 'f0000000000000000000000f';
    for (const id of [ID, unknown]) {
      await expect(sut.update(ANONYMOUS, id, { name: 'x' })).rejects.toBeInstanceOf(UnauthenticatedError);
      await expect(sut.delete(TEACHER, id)).rejects.toBeInstanceOf(ForbiddenError);
    }
    expect(repository.getOrThrow).not.toHaveBeenCalled();
  });

  it('finds subjects by school and code in the order asked, null for none', async () => {
    const keys = [
      { schoolId: SCHOOL, code: 'latin' },
      { schoolId: OTHER_SCHOOL, code: 'art' },
      { schoolId: SCHOOL, code: 'art' },
    ];
    await expect(sut.getByKeys(ANONYMOUS, keys)).resolves.toEqual([latin, null, art]);
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
    expect(toSubjectResponse(art)).toEqual({
      id: ID,
      name: 'Art',
      code: 'art',
      schoolId: SCHOOL,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-02T00:00:00.000Z',
    });
  });
});
