import type { SortSpec } from '../common/paging/paging';
import { isMemberOf, type Principal } from '../common/principal';
import { assertAdmin, assertSortWithin } from '../security/access-policy';

/**
 * Who may see and change schools. Everyone, anonymous callers included, sees the public directory entry of
 * every school (name, code, type, city); the school's members (its headmasters and teachers) and admins see it
 * in full. Admins write schools.
 */

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
