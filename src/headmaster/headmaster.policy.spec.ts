import { ForbiddenError, UnauthenticatedError } from '../common/errors/domain-errors';
import { ANONYMOUS, type Principal } from '../common/principal';
import { assertMayReadHeadmaster, headmasterListSchool } from './headmaster.policy';

const OWN = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = 'bbbbbbbbbbbbbbbbbbbbbbbb';

describe('headmaster policy', () => {
  const admin: Principal = { role: 'admin', sub: 'root' };
  const headmaster: Principal = { role: 'headmaster', sub: 'h1', schoolId: OWN };
  const teacher: Principal = { role: 'teacher', sub: 't1', schoolId: OWN };

  it('gives headmasters to the headmasters of their school and admins', () => {
    expect(() => assertMayReadHeadmaster(headmaster, { schoolId: OWN })).not.toThrow();
    expect(() => assertMayReadHeadmaster(headmaster, { schoolId: OTHER })).toThrow(ForbiddenError);
    expect(() => assertMayReadHeadmaster(teacher, { schoolId: OWN })).toThrow(ForbiddenError);
    expect(() => assertMayReadHeadmaster(ANONYMOUS, { schoolId: OWN })).toThrow(UnauthenticatedError);
    expect(() => assertMayReadHeadmaster(admin, { schoolId: OTHER })).not.toThrow();
  });

  it("limits a headmaster's list to their own school", () => {
    expect(headmasterListSchool(headmaster, undefined)).toBe(OWN);
    expect(headmasterListSchool(headmaster, OWN)).toBe(OWN);
    expect(() => headmasterListSchool(headmaster, OTHER)).toThrow(ForbiddenError);
    expect(() => headmasterListSchool(teacher, undefined)).toThrow(ForbiddenError);
    expect(headmasterListSchool(admin, undefined)).toBeUndefined();
    expect(headmasterListSchool(admin, OTHER)).toBe(OTHER);
  });
});
