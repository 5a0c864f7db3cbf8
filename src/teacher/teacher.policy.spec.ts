import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/errors/domain-errors';
import { ANONYMOUS, type Principal } from '../common/principal';
import {
  assertMayManageTeacher,
  assertMayManageTeachers,
  assertMayManageTeachersOf,
  assertMayReadTeacher,
  assertMayReadTeachers,
  mayCountTeachers,
  teacherAccess,
  teacherListAccess,
  teacherListSchool,
} from './teacher.policy';

const OWN = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const SELF = 'cccccccccccccccccccccccc';
const COLLEAGUE = 'dddddddddddddddddddddddd';

describe('teacher policy', () => {
  const admin: Principal = { role: 'admin', sub: 'root' };
  const headmaster: Principal = { role: 'headmaster', sub: 'h1', schoolId: OWN };
  const teacher: Principal = { role: 'teacher', sub: SELF, schoolId: OWN };

  it.each([
    [admin, { id: COLLEAGUE, schoolId: OTHER }, 'full'],
    [headmaster, { id: COLLEAGUE, schoolId: OWN }, 'full'],
    [teacher, { id: SELF, schoolId: OWN }, 'full'],
    [teacher, { id: COLLEAGUE, schoolId: OWN }, 'colleague'],
  ] as const)('%o sees %o in %s', (principal, target, expected) => {
    expect(teacherAccess(principal, target)).toBe(expected);
  });

  it.each([
    [admin, { id: COLLEAGUE, schoolId: OTHER }, 'full'],
    [headmaster, { id: COLLEAGUE, schoolId: OWN }, 'full'],
    [teacher, { id: SELF, schoolId: OWN }, 'colleague'],
    [teacher, { id: COLLEAGUE, schoolId: OWN }, 'colleague'],
  ] as const)(
    'in a list, %o sees %o in %s (a teacher sees themselves as a colleague does)',
    (principal, target, expected) => {
      expect(teacherListAccess(principal, target)).toBe(expected);
    },
  );

  it.each([
    [headmaster, { id: COLLEAGUE, schoolId: OTHER }, ForbiddenError],
    [teacher, { id: COLLEAGUE, schoolId: OTHER }, ForbiddenError],
    [ANONYMOUS, { id: COLLEAGUE, schoolId: OWN }, UnauthenticatedError],
  ] as const)('%o may not see %o', (principal, target, error) => {
    expect(() => teacherAccess(principal, target)).toThrow(error);
  });

  it('refuses anonymous callers before any teacher is looked up; to another school a teacher is not found', () => {
    expect(() => assertMayReadTeachers(ANONYMOUS)).toThrow(UnauthenticatedError);
    expect(() => assertMayReadTeachers(teacher)).not.toThrow();
    expect(() => assertMayReadTeacher(teacher, { id: COLLEAGUE, schoolId: OWN })).not.toThrow();
    expect(() => assertMayReadTeacher(admin, { id: COLLEAGUE, schoolId: OTHER })).not.toThrow();
    for (const principal of [teacher, headmaster]) {
      expect(() => assertMayReadTeacher(principal, { id: COLLEAGUE, schoolId: OTHER })).toThrow(
        new NotFoundError('teacher', COLLEAGUE),
      );
    }
  });

  it('refuses a change by role before the teacher is looked up, and hides another school’s teacher', () => {
    expect(() => assertMayManageTeachers(ANONYMOUS)).toThrow(UnauthenticatedError);
    expect(() => assertMayManageTeachers(teacher)).toThrow(ForbiddenError);
    expect(() => assertMayManageTeachers(headmaster)).not.toThrow();
    expect(() => assertMayManageTeacher(headmaster, { id: COLLEAGUE, schoolId: OWN })).not.toThrow();
    expect(() => assertMayManageTeacher(headmaster, { id: COLLEAGUE, schoolId: OTHER })).toThrow(NotFoundError);
  });

  it('limits lists to the own school, and lets a teacher filter and sort only on what colleagues show', () => {
    expect(teacherListSchool(teacher, {}, { lastName: 1 })).toBe(OWN);
    expect(teacherListSchool(headmaster, { status: 'left' }, { hiredAt: -1 })).toBe(OWN);
    expect(teacherListSchool(admin, {}, undefined)).toBeUndefined();
    expect(() => teacherListSchool(teacher, { status: 'left' }, undefined)).toThrow(ForbiddenError);
    expect(() => teacherListSchool(teacher, {}, { email: 1 })).toThrow(ForbiddenError);
    expect(() => teacherListSchool(headmaster, { schoolId: OTHER }, undefined)).toThrow(ForbiddenError);
    expect(() => teacherListSchool(ANONYMOUS, {}, undefined)).toThrow(UnauthenticatedError);
  });

  it('lets their headmaster and admins manage teachers, and members count them', () => {
    expect(() => assertMayManageTeachersOf(headmaster, OWN)).not.toThrow();
    expect(() => assertMayManageTeachersOf(headmaster, OTHER)).toThrow(ForbiddenError);
    expect(() => assertMayManageTeachersOf(teacher, OWN)).toThrow(ForbiddenError);
    expect(() => assertMayManageTeachersOf(admin, OTHER)).not.toThrow();
    expect(mayCountTeachers(teacher, OWN)).toBe(true);
    expect(mayCountTeachers(teacher, OTHER)).toBe(false);
    expect(mayCountTeachers(ANONYMOUS, OWN)).toBe(false);
  });

  it('never names the data in a denial', () => {
    expect(() => teacherAccess(headmaster, { id: COLLEAGUE, schoolId: OTHER })).toThrow(
      /^not allowed for a headmaster of this school$/,
    );
  });
});
