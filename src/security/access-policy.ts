import { type DomainError, ForbiddenError, UnauthenticatedError } from '../common/errors/domain-errors';
import type { SortSpec } from '../common/paging/paging';
import { isMemberOf, type Principal } from '../common/principal';

/**
 * Who may see and change what: the one place where the service's access rules are written down.
 * Services apply these rules to every read and write, so REST, GraphQL (nested fields and
 * subscriptions included) and answers from backup data during an outage follow the same rules.
 *
 * | caller     | schools                                   | headmasters                        | teachers                                                        |
 * | ---------- | ----------------------------------------- | ---------------------------------- | --------------------------------------------------------------- |
 * | anonymous  | the public directory (name, code, type, city) | –                              | –                                                               |
 * | teacher    | the directory; own school in full          | –                                  | own profile in full; colleagues' names and subjects             |
 * | headmaster | the directory; own school in full          | those of own school (own profile)  | own school's: read, hire, update, remove; the school's dashboard |
 * | admin      | everything                                 | everything                         | everything                                                      |
 *
 * Subjects (what a school teaches) are public; the school's headmasters and admins write them.
 *
 * Denials never describe the data withheld: UNAUTHENTICATED (401) for anonymous callers, FORBIDDEN (403) otherwise.
 */

export function accessDenied(principal: Principal): DomainError {
  return principal.role === 'anonymous'
    ? new UnauthenticatedError('sign in for this: send Authorization: Bearer <token>')
    : new ForbiddenError(`not allowed for a ${principal.role} of this school`);
}

function deny(principal: Principal): never {
  throw accessDenied(principal);
}

export function assertAdmin(principal: Principal): void {
  if (principal.role !== 'admin') deny(principal);
}

/** Only the fields every caller may see may be sorted on by those who cannot see the rest. */
function assertSortWithin(principal: Principal, sort: SortSpec | undefined, visibleFields: readonly string[]): void {
  for (const field of Object.keys(sort ?? {})) {
    if (!visibleFields.includes(field)) deny(principal);
  }
}

// ---------------------------------------------------------------- schools

export type SchoolAccess = 'full' | 'directory';

/** Fields of the public school directory; everything else about a school is for its members and admins. */
export const SCHOOL_DIRECTORY_SORT_FIELDS = ['name', 'code', 'type', 'address.city'] as const;

export function schoolAccess(principal: Principal, schoolId: string): SchoolAccess {
  return principal.role === 'admin' || isMemberOf(principal, schoolId) ? 'full' : 'directory';
}

/** Anyone may list the directory; sorting on what the directory does not show is for admins. */
export function assertMayListSchools(principal: Principal, sort: SortSpec | undefined): void {
  if (principal.role !== 'admin') assertSortWithin(principal, sort, SCHOOL_DIRECTORY_SORT_FIELDS);
}

export const assertMayWriteSchools = assertAdmin;

// ---------------------------------------------------------------- headmasters

function isHeadmasterOf(principal: Principal, schoolId: string): boolean {
  return principal.role === 'headmaster' && isMemberOf(principal, schoolId);
}

/** A headmaster record (and through it the school's teachers, dashboard and hiring) is for its school's headmasters. */
export function mayReadHeadmaster(principal: Principal, headmaster: { schoolId: string }): boolean {
  return principal.role === 'admin' || isHeadmasterOf(principal, headmaster.schoolId);
}

export function assertMayReadHeadmaster(principal: Principal, headmaster: { schoolId: string }): void {
  if (!mayReadHeadmaster(principal, headmaster)) deny(principal);
}

/** The school a headmaster list is limited to: the requested one for admins, the caller's own for headmasters. */
export function headmasterListSchool(principal: Principal, requestedSchoolId: string | undefined): string | undefined {
  if (principal.role === 'admin') return requestedSchoolId;
  if (principal.role !== 'headmaster') deny(principal);
  if (requestedSchoolId !== undefined && requestedSchoolId !== principal.schoolId) deny(principal);
  return principal.schoolId;
}

export const assertMayWriteHeadmasters = assertAdmin;

// ---------------------------------------------------------------- teachers

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

/** Hiring, changing and removing teachers: the school's headmasters and admins. */
export function assertMayManageTeachersOf(principal: Principal, schoolId: string): void {
  if (principal.role !== 'admin' && !isHeadmasterOf(principal, schoolId)) deny(principal);
}

/** Following the writes of a school's teachers (a subscription): its members and admins. */
export function assertMayFollowTeachersOf(principal: Principal, schoolId: string): void {
  if (!mayCountTeachers(principal, schoolId)) deny(principal);
}

// ---------------------------------------------------------------- subjects

/**
 * What a school teaches is public, like its directory entry: anyone may read subjects, anonymous callers
 * included. Nothing to check; the rule stays here so that it changes here.
 */
export function assertMayReadSubjects(_principal: Principal): void {}

/** Creating, changing and removing a school's subjects: its headmasters and admins. */
export function assertMayWriteSubjectsOf(principal: Principal, schoolId: string): void {
  if (principal.role !== 'admin' && !isHeadmasterOf(principal, schoolId)) deny(principal);
}

// npm run generate:module adds the rules of new modules above this line.
