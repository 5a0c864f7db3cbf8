import { isMemberOf, type Principal } from './principal';
import { RequestContext } from './request-context';

const TEACHER: Principal = { role: 'teacher', sub: 't-1', schoolId: 'a'.repeat(24), expiresAt: 2_000_000_000 };

function contextOf(principal: Principal): RequestContext {
  const context = new RequestContext();
  context.principal = principal;
  return context;
}

describe('RequestContext.cacheScope: whom an answer is the same for, as far as its code read the caller', () => {
  it('is public while nothing reads the caller, however frameworks probe the value', async () => {
    const context = contextOf(TEACHER);
    const principal = context.principal;
    expect(await Promise.resolve(principal)).toBe(principal);
    expect(Object.prototype.toString.call(principal)).toBe('[object Object]');
    expect(context.cacheScope).toBe('public');
  });

  it("is scope once the caller's role or school is read, or their membership tested", () => {
    const byRole = contextOf(TEACHER);
    expect(byRole.principal.role).toBe('teacher');
    expect(byRole.cacheScope).toBe('scope');

    const byMembership = contextOf(TEACHER);
    expect(isMemberOf(byMembership.principal, 'b'.repeat(24))).toBe(false);
    expect(byMembership.cacheScope).toBe('scope');
  });

  it('is user once the caller themselves (sub), any other claim or the whole principal is read, and never narrows again', () => {
    const bySub = contextOf(TEACHER);
    expect((bySub.principal as { sub: string }).sub).toBe('t-1');
    void bySub.principal.role;
    expect(bySub.cacheScope).toBe('user');

    const byExpiry = contextOf(TEACHER);
    void (byExpiry.principal as { expiresAt?: number }).expiresAt;
    expect(byExpiry.cacheScope).toBe('user');

    const whole = contextOf(TEACHER);
    expect({ ...whole.principal }).toEqual(TEACHER);
    expect(whole.cacheScope).toBe('user');
  });

  it('reads nothing through untrackedPrincipal (for the headers of the answer); a declared dependence only ever widens', () => {
    const context = contextOf(TEACHER);
    expect(context.untrackedPrincipal.role).toBe('teacher');
    expect(context.cacheScope).toBe('public');
    context.dependOn('scope');
    context.dependOn('public');
    expect(context.cacheScope).toBe('scope');
  });
});
