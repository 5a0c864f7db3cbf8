import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/errors/domain-errors';
import { ANONYMOUS, type Principal } from '../common/principal';
import {
  accessDenied,
  assertAdmin,
  assertSignedIn,
  assertSortWithin,
  concealed,
  isHeadmasterOf,
} from './access-policy';

const SCHOOL = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const admin: Principal = { role: 'admin', sub: 'root' };
const headmaster: Principal = { role: 'headmaster', sub: 'h1', schoolId: SCHOOL };
const teacher: Principal = { role: 'teacher', sub: 't1', schoolId: SCHOOL };

describe(accessDenied.name, () => {
  it('answers anonymous callers UNAUTHENTICATED and the others FORBIDDEN, never naming the data', () => {
    expect(accessDenied(ANONYMOUS)).toEqual(
      new UnauthenticatedError('sign in for this: send Authorization: Bearer <token>'),
    );
    expect(accessDenied(headmaster)).toEqual(new ForbiddenError('not allowed for a headmaster of this school'));
  });
});

describe(concealed.name, () => {
  it('is what an unknown id answers: NOT_FOUND naming the id asked for, nothing about the record', () => {
    expect(concealed('teacher', SCHOOL)).toEqual(new NotFoundError('teacher', SCHOOL));
    expect(concealed('teacher', SCHOOL).message).toBe(`teacher ${SCHOOL} not found`);
  });
});

describe(assertSignedIn.name, () => {
  it('refuses anonymous callers only', () => {
    expect(() => assertSignedIn(ANONYMOUS)).toThrow(UnauthenticatedError);
    for (const principal of [admin, headmaster, teacher]) expect(() => assertSignedIn(principal)).not.toThrow();
  });
});

describe(assertAdmin.name, () => {
  it('lets admins through and denies everyone else', () => {
    expect(() => assertAdmin(admin)).not.toThrow();
    expect(() => assertAdmin(headmaster)).toThrow(ForbiddenError);
    expect(() => assertAdmin(ANONYMOUS)).toThrow(UnauthenticatedError);
  });
});

describe(assertSortWithin.name, () => {
  it('denies a sort on a field the caller cannot see', () => {
    expect(() => assertSortWithin(teacher, undefined, ['name'])).not.toThrow();
    expect(() => assertSortWithin(teacher, { name: -1 }, ['name'])).not.toThrow();
    expect(() => assertSortWithin(teacher, { email: 1 }, ['name'])).toThrow(ForbiddenError);
  });
});

describe(isHeadmasterOf.name, () => {
  it("holds for the school's headmasters only", () => {
    expect(isHeadmasterOf(headmaster, SCHOOL)).toBe(true);
    expect(isHeadmasterOf(headmaster, 'bbbbbbbbbbbbbbbbbbbbbbbb')).toBe(false);
    expect(isHeadmasterOf(teacher, SCHOOL)).toBe(false);
    expect(isHeadmasterOf(admin, SCHOOL)).toBe(false);
  });
});
