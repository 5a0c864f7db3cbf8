import type { Principal } from '../common/principal';
import { assertAdmin, concealed, deny, isHeadmasterOf } from '../security/access-policy';

/**
 * Who may see and change headmasters. A headmaster record (and through it the school's teachers, dashboard and
 * hiring) is for the headmasters of its school and admins; admins write headmasters. To the headmaster of another
 * school a headmaster is not there (404, as an unknown id); anonymous callers (401) and teachers (403) are refused
 * before any headmaster is looked up.
 */

/** Only headmasters and admins ever read headmasters: decided before any is looked up. */
export function mayReadHeadmasters(principal: Principal): boolean {
  return principal.role === 'admin' || principal.role === 'headmaster';
}

export function assertMayReadHeadmasters(principal: Principal): void {
  if (!mayReadHeadmasters(principal)) deny(principal);
}

export function mayReadHeadmaster(principal: Principal, headmaster: { schoolId: string }): boolean {
  return principal.role === 'admin' || isHeadmasterOf(principal, headmaster.schoolId);
}

/** A headmaster looked up by id: one of another school is, to the caller, not there. */
export function assertMayReadHeadmaster(principal: Principal, headmaster: { id: string; schoolId: string }): void {
  if (!mayReadHeadmaster(principal, headmaster)) throw concealed('headmaster', headmaster.id);
}

/** The school a headmaster list is limited to: the requested one for admins, the caller's own for headmasters. */
export function headmasterListSchool(principal: Principal, requestedSchoolId: string | undefined): string | undefined {
  if (principal.role === 'admin') return requestedSchoolId;
  if (principal.role !== 'headmaster') deny(principal);
  if (requestedSchoolId !== undefined && requestedSchoolId !== principal.schoolId) deny(principal);
  return principal.schoolId;
}

export const assertMayWriteHeadmasters = assertAdmin;
