import type { Principal } from '../common/principal';
import { deny, isHeadmasterOf } from '../security/access-policy';

/** Who may see and change subjects: what a school teaches is public; its headmasters and admins write it. */

/**
 * Anyone may read subjects, anonymous callers included, like a school's directory entry. Nothing to check; the
 * rule stays here so that it changes here.
 */
export function assertMayReadSubjects(_principal: Principal): void {}

/** Creating, changing and removing a school's subjects: its headmasters and admins. */
export function assertMayWriteSubjectsOf(principal: Principal, schoolId: string): void {
  if (principal.role !== 'admin' && !isHeadmasterOf(principal, schoolId)) deny(principal);
}
