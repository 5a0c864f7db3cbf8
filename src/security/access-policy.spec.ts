import { ForbiddenError, UnauthenticatedError } from '../common/errors/domain-errors';
import {
  assertMayListSchools,
  assertMayManageTeachersOf,
  assertMayReadHeadmaster,
  headmasterListSchool,
  mayCountTeachers,
  schoolAccess,
  teacherAccess,
  teacherListSchool,
} from './access-policy';
import { ANONYMOUS, type Principal } from '../common/principal';

const OWN = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const SELF = 'cccccccccccccccccccccccc';
const COLLEAGUE = 'dddddddddddddddddddddddd';

const admin: Principal = { role: 'admin', sub: 'root' };
const headmaster: Principal = { role: 'headmaster', sub: 'h1', schoolId: OWN };
const teacher: Principal = { role: 'teacher', sub: SELF, schoolId: OWN };

describe('access policy', () => {
  describe(schoolAccess.name, () => {
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

  describe('headmasters', () => {
    it('are for the headmasters of their school and admins', () => {
      expect(() => assertMayReadHeadmaster(headmaster, { schoolId: OWN })).not.toThrow();
      expect(() => assertMayReadHeadmaster(headmaster, { schoolId: OTHER })).toThrow(ForbiddenError);
      expect(() => assertMayReadHeadmaster(teacher, { schoolId: OWN })).toThrow(ForbiddenError);
      expect(() => assertMayReadHeadmaster(ANONYMOUS, { schoolId: OWN })).toThrow(UnauthenticatedError);
      expect(() => assertMayReadHeadmaster(admin, { schoolId: OTHER })).not.toThrow();
    });

    it('lists are limited to the own school', () => {
      expect(headmasterListSchool(headmaster, undefined)).toBe(OWN);
      expect(headmasterListSchool(headmaster, OWN)).toBe(OWN);
      expect(() => headmasterListSchool(headmaster, OTHER)).toThrow(ForbiddenError);
      expect(() => headmasterListSchool(teacher, undefined)).toThrow(ForbiddenError);
      expect(headmasterListSchool(admin, undefined)).toBeUndefined();
      expect(headmasterListSchool(admin, OTHER)).toBe(OTHER);
    });
  });

  describe('teachers', () => {
    it.each([
      [admin, { id: COLLEAGUE, schoolId: OTHER }, 'full'],
      [headmaster, { id: COLLEAGUE, schoolId: OWN }, 'full'],
      [teacher, { id: SELF, schoolId: OWN }, 'full'],
      [teacher, { id: COLLEAGUE, schoolId: OWN }, 'colleague'],
    ] as const)('%o sees %o in %s', (principal, target, expected) => {
      expect(teacherAccess(principal, target)).toBe(expected);
    });

    it.each([
      [headmaster, { id: COLLEAGUE, schoolId: OTHER }, ForbiddenError],
      [teacher, { id: COLLEAGUE, schoolId: OTHER }, ForbiddenError],
      [ANONYMOUS, { id: COLLEAGUE, schoolId: OWN }, UnauthenticatedError],
    ] as const)('%o may not see %o', (principal, target, error) => {
      expect(() => teacherAccess(principal, target)).toThrow(error);
    });

    it('lists are limited to the own school, and a teacher filters and sorts only on what colleagues show', () => {
      expect(teacherListSchool(teacher, {}, { lastName: 1 })).toBe(OWN);
      expect(teacherListSchool(headmaster, { status: 'left' }, { hiredAt: -1 })).toBe(OWN);
      expect(teacherListSchool(admin, {}, undefined)).toBeUndefined();
      expect(() => teacherListSchool(teacher, { status: 'left' }, undefined)).toThrow(ForbiddenError);
      expect(() => teacherListSchool(teacher, {}, { email: 1 })).toThrow(ForbiddenError);
      expect(() => teacherListSchool(headmaster, { schoolId: OTHER }, undefined)).toThrow(ForbiddenError);
      expect(() => teacherListSchool(ANONYMOUS, {}, undefined)).toThrow(UnauthenticatedError);
    });

    it('are managed by their headmaster and admins, counted by members', () => {
      expect(() => assertMayManageTeachersOf(headmaster, OWN)).not.toThrow();
      expect(() => assertMayManageTeachersOf(headmaster, OTHER)).toThrow(ForbiddenError);
      expect(() => assertMayManageTeachersOf(teacher, OWN)).toThrow(ForbiddenError);
      expect(() => assertMayManageTeachersOf(admin, OTHER)).not.toThrow();
      expect(mayCountTeachers(teacher, OWN)).toBe(true);
      expect(mayCountTeachers(teacher, OTHER)).toBe(false);
      expect(mayCountTeachers(ANONYMOUS, OWN)).toBe(false);
    });
  });

  it('never names the data in a denial', () => {
    expect(() => teacherAccess(headmaster, { id: COLLEAGUE, schoolId: OTHER })).toThrow(
      /^not allowed for a headmaster of this school$/,
    );
  });
});
