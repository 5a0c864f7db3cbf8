import { type DomainError, ForbiddenError, UnauthenticatedError } from '../common/errors/domain-errors';
import type { SortSpec } from '../common/paging/paging';
import { isMemberOf, type Principal } from '../common/principal';

/**
 * What every feature's access rules are written with. Each feature keeps its rules beside its service, in
 * `src/<feature>/<feature>.policy.ts` (schools, headmasters, teachers, subjects), and its service applies them
 * to every read and write, so REST, GraphQL (nested fields and subscriptions included) and answers from backup
 * data during an outage follow the same rules. The README's Security section sums them up.
 *
 * Denials never describe the data withheld: UNAUTHENTICATED (401) for anonymous callers, FORBIDDEN (403) otherwise.
 */

export function accessDenied(principal: Principal): DomainError {
  return principal.role === 'anonymous'
    ? new UnauthenticatedError('sign in for this: send Authorization: Bearer <token>')
    : new ForbiddenError(`not allowed for a ${principal.role} of this school`);
}

export function deny(principal: Principal): never {
  throw accessDenied(principal);
}

export function assertAdmin(principal: Principal): void {
  if (principal.role !== 'admin') deny(principal);
}

/** Only the fields every caller may see may be sorted on by those who cannot see the rest. */
export function assertSortWithin(
  principal: Principal,
  sort: SortSpec | undefined,
  visibleFields: readonly string[],
): void {
  for (const field of Object.keys(sort ?? {})) {
    if (!visibleFields.includes(field)) deny(principal);
  }
}

export function isHeadmasterOf(principal: Principal, schoolId: string): boolean {
  return principal.role === 'headmaster' && isMemberOf(principal, schoolId);
}
