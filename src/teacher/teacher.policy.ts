import type { SortSpec } from '../common/paging/paging';
import { isMemberOf, type Principal } from '../common/principal';
import { assertSignedIn, assertSortWithin, concealed, deny, isHeadmasterOf } from '../security/access-policy';

/**
 * Who may see and change teachers. A teacher sees their own profile in full and their colleagues' names and
 * subjects; in a list of the school's teachers they see every member, themselves included, as a colleague does, so
 * that one list serves every teacher of the school (and an edge cache keeps one copy of it per school, not one per
 * token). The school's headmasters read, hire, update and remove its teachers; admins may do everything.
 * Anonymous callers and other schools see no teacher: to another school a teacher is not there (404, as an
 * unknown id), and anonymous callers are refused (401) before any teacher is looked up.
 */

export type TeacherAccess = 'full' | 'colleague';

/** What a colleague sees of a teacher; contact data, status and dates are for the teacher, the headmaster and admins. */
export const TEACHER_COLLEAGUE_SORT_FIELDS = ['lastName', 'firstName'] as const;

export function teacherAccess(principal: Principal, teacher: { id: string; schoolId: string }): TeacherAccess {
  if (principal.role === 'admin' || isHeadmasterOf(principal, teacher.schoolId)) return 'full';
  if (principal.role === 'teacher' && isMemberOf(principal, teacher.schoolId)) {
    return principal.sub === teacher.id ? 'full' : 'colleague';
  }
  deny(principal);
}

/**
 * What a caller sees of each teacher of a list (limited to their school by `teacherListSchool`): in full for
 * admins and the school's headmasters, as a colleague sees them for its teachers. It reads the caller's role and
 * school only, never who they are.
 */
export function teacherListAccess(principal: Principal, teacher: { schoolId: string }): TeacherAccess {
  return principal.role === 'admin' || isHeadmasterOf(principal, teacher.schoolId) ? 'full' : 'colleague';
}

/** Before a teacher is looked up by id: who may read teachers at all (anyone signed in; the school decides then). */
export const assertMayReadTeachers = assertSignedIn;

/** A teacher looked up by id: one of a school the caller does not belong to is, to them, not there. */
export function assertMayReadTeacher(principal: Principal, teacher: { id: string; schoolId: string }): void {
  if (principal.role !== 'admin' && !isMemberOf(principal, teacher.schoolId)) throw concealed('teacher', teacher.id);
}

/**
 * The school a teacher list is limited to (admins: the requested one, or all). Teachers may filter and sort
 * only on what they see of their colleagues, so no filter reveals what the answer withholds.
 */
export function teacherListSchool(
  principal: Principal,
  filter: { schoolId?: string; status?: string },
  sort: SortSpec | undefined,
): string | undefined {
  if (principal.role === 'admin') return filter.schoolId;
  if (principal.role === 'anonymous') deny(principal);
  if (filter.schoolId !== undefined && filter.schoolId !== principal.schoolId) deny(principal);
  if (principal.role === 'teacher') {
    if (filter.status !== undefined) deny(principal);
    assertSortWithin(principal, sort, TEACHER_COLLEAGUE_SORT_FIELDS);
  }
  return principal.schoolId;
}

/** How many teachers a school has is for its members and admins. */
export function mayCountTeachers(principal: Principal, schoolId: string): boolean {
  return principal.role === 'admin' || isMemberOf(principal, schoolId);
}

/** Before a teacher to change or remove is looked up: only headmasters and admins ever do. */
export function assertMayManageTeachers(principal: Principal): void {
  if (principal.role !== 'admin' && principal.role !== 'headmaster') deny(principal);
}

/** A teacher to change or remove: one the caller may not read is not there; one they may read, theirs to manage or not. */
export function assertMayManageTeacher(principal: Principal, teacher: { id: string; schoolId: string }): void {
  assertMayReadTeacher(principal, teacher);
  assertMayManageTeachersOf(principal, teacher.schoolId);
}

/** Hiring, changing and removing teachers: the school's headmasters and admins. */
export function assertMayManageTeachersOf(principal: Principal, schoolId: string): void {
  if (principal.role !== 'admin' && !isHeadmasterOf(principal, schoolId)) deny(principal);
}

/** Following the writes of a school's teachers (a subscription): its members and admins. */
export function assertMayFollowTeachersOf(principal: Principal, schoolId: string): void {
  if (!mayCountTeachers(principal, schoolId)) deny(principal);
}
