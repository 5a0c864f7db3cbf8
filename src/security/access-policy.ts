import { type DomainError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/errors/domain-errors';
import type { SortSpec } from '../common/paging/paging';
import { isMemberOf, type Principal } from '../common/principal';

/**
 * What every feature's access rules are written with. Each feature keeps its rules beside its service, in
 * `src/<feature>/<feature>.policy.ts` (schools, headmasters, teachers, subjects), and its service applies them
 * to every read and write, so REST, GraphQL (nested fields and subscriptions included) and answers from backup
 * data during an outage follow the same rules. The README's Security section sums them up.
 *
 * Access is decided before existence, so that no answer tells whether a record the caller may not read exists:
 * - what needs a token answers UNAUTHENTICATED (401) to anonymous callers, and what a role may never do FORBIDDEN
 *   (403), both before any record is looked up (also during an outage, without waiting on the database);
 * - a record the caller may not read (another school's teacher or headmaster) answers NOT_FOUND (404), word for word
 *   what an unknown id answers, for reads and writes alike (see `concealed`);
 * - a record the caller may read but not change (another school's subject, public) answers FORBIDDEN.
 * Denials never describe the data withheld.
 */

export function accessDenied(principal: Principal): DomainError {
  return principal.role === 'anonymous'
    ? new UnauthenticatedError('sign in for this: send Authorization: Bearer <token>')
    : new ForbiddenError(`not allowed for a ${principal.role} of this school`);
}

export function deny(principal: Principal): never {
  throw accessDenied(principal);
}

/**
 * What a record the caller may not read is to them: not there, the NotFoundError its repository gives an unknown
 * id (`<entity> <id> not found`), so that an existing and an unknown id get the same answer.
 */
export function concealed(entity: string, id: string): NotFoundError {
  return new NotFoundError(entity, id);
}

/** Before any lookup: anonymous callers are refused whatever they ask for. */
export function assertSignedIn(principal: Principal): void {
  if (principal.role === 'anonymous') deny(principal);
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
