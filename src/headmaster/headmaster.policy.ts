import type { Principal } from '../common/principal';
import { assertAdmin, deny, isHeadmasterOf } from '../security/access-policy';

/**
 * Who may see and change headmasters. A headmaster record (and through it the school's teachers, dashboard and
 * hiring) is for the headmasters of its school and admins; admins write headmasters.
 */

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
