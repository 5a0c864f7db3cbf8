import { ForbiddenError, UnauthenticatedError } from '../common/errors/domain-errors';
import { ANONYMOUS, type Principal } from '../common/principal';
import { assertMayListSchools, schoolAccess } from './school.policy';

const OWN = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = 'bbbbbbbbbbbbbbbbbbbbbbbb';

const admin: Principal = { role: 'admin', sub: 'root' };
const headmaster: Principal = { role: 'headmaster', sub: 'h1', schoolId: OWN };
const teacher: Principal = { role: 'teacher', sub: 't1', schoolId: OWN };

describe('school policy', () => {
  it.each([
    [ANONYMOUS, OWN, 'directory'],
    [teacher, OWN, 'full'],
    [teacher, OTHER, 'directory'],
    [headmaster, OWN, 'full'],
    [headmaster, OTHER, 'directory'],
    [admin, OTHER, 'full'],
  ] as const)('%o sees school %s as %s', (principal, schoolId, expected) => {
    expect(schoolAccess(principal, schoolId)).toBe(expected);
  });

  it('lets only admins sort the directory by what it does not show', () => {
    expect(() => assertMayListSchools(teacher, { name: 1 })).not.toThrow();
    expect(() => assertMayListSchools(teacher, { createdAt: -1 })).toThrow(ForbiddenError);
    expect(() => assertMayListSchools(ANONYMOUS, { updatedAt: 1 })).toThrow(UnauthenticatedError);
    expect(() => assertMayListSchools(admin, { createdAt: -1 })).not.toThrow();
  });
});
