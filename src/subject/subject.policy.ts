import type { Principal } from '../common/principal';
import { deny, isHeadmasterOf } from '../security/access-policy';

/** Who may see and change subjects: what a school teaches is public; its headmasters and admins write it. */

/**
 * Anyone may read subjects, anonymous callers included, like a school's directory entry. Nothing to check; the
 * rule stays here so that it changes here.
 */
export function assertMayReadSubjects(_principal: Principal): void {}

/**
 * Before a subject to change or remove is looked up: only headmasters and admins ever do (anonymous callers 401,
 * teachers 403, whether or not the id exists).
 */
export function assertMayWriteSubjects(principal: Principal): void {
  if (principal.role !== 'admin' && principal.role !== 'headmaster') deny(principal);
}

/**
 * Creating, changing and removing a school's subjects: its headmasters and admins. Another school's subject is
 * public, so refusing it (403) tells nothing that reading it would not.
 */
export function assertMayWriteSubjectsOf(principal: Principal, schoolId: string): void {
  if (principal.role !== 'admin' && !isHeadmasterOf(principal, schoolId)) deny(principal);
}
