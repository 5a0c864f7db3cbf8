export const ROLES = ['admin', 'headmaster', 'teacher'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is asking: the verified claims of a bearer token, or nobody. Headmasters and teachers belong to
 * one school; a teacher's `sub` is their teacher id.
 */
export type Principal =
  | { readonly role: 'anonymous' }
  | { readonly role: 'admin'; readonly sub: string; readonly expiresAt?: number }
  | {
      readonly role: 'headmaster' | 'teacher';
      readonly sub: string;
      readonly schoolId: string;
      /** Seconds since the epoch (the token's `exp`), when it has one. */
      readonly expiresAt?: number;
    };

export type SchoolMember = Extract<Principal, { schoolId: string }>;

export const ANONYMOUS: Principal = Object.freeze({ role: 'anonymous' });

export function isMemberOf(principal: Principal, schoolId: string): principal is SchoolMember {
  return 'schoolId' in principal && principal.schoolId === schoolId;
}
