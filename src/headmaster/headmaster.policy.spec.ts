import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/errors/domain-errors';
import { ANONYMOUS, type Principal } from '../common/principal';
import { assertMayReadHeadmaster, assertMayReadHeadmasters, headmasterListSchool } from './headmaster.policy';

const OWN = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const ID = 'cccccccccccccccccccccccc';

describe('headmaster policy', () => {
  const admin: Principal = { role: 'admin', sub: 'root' };
  const headmaster: Principal = { role: 'headmaster', sub: 'h1', schoolId: OWN };
  const teacher: Principal = { role: 'teacher', sub: 't1', schoolId: OWN };

  it('refuses anonymous callers and teachers before any headmaster is looked up', () => {
    expect(() => assertMayReadHeadmasters(ANONYMOUS)).toThrow(UnauthenticatedError);
    expect(() => assertMayReadHeadmasters(teacher)).toThrow(ForbiddenError);
    expect(() => assertMayReadHeadmasters(headmaster)).not.toThrow();
    expect(() => assertMayReadHeadmasters(admin)).not.toThrow();
  });

  it('gives headmasters to the headmasters of their school and admins; to others they are not found', () => {
    expect(() => assertMayReadHeadmaster(headmaster, { id: ID, schoolId: OWN })).not.toThrow();
    expect(() => assertMayReadHeadmaster(admin, { id: ID, schoolId: OTHER })).not.toThrow();
    expect(() => assertMayReadHeadmaster(headmaster, { id: ID, schoolId: OTHER })).toThrow(
      new NotFoundError('headmaster', ID),
    );
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
