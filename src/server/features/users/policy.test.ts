import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGENCY_TYPES,
  GRANTABLE_ROLES,
  grantableRoles,
  type MembershipLike,
  PERMISSIONS,
  ROLE_PERMISSIONS,
  ROLES,
} from '../../../shared/domain/access.js';
import { grantableFor, mayManageAccount, normaliseRoles, roleChanges, roleFitsAgency } from './policy.js';

const AGENCIES = ['a1', 'a2', 'a3'];
const membership = fc.record({ agencyId: fc.constantFrom(...AGENCIES), roles: fc.subarray([...ROLES]) });
const memberships = fc.array(membership, { maxLength: 3 });

describe('role data (G08)', () => {
  it('keeps the system administrator to administration: agencies and accounts, no audit trail, no case data', () => {
    const held = Object.keys(ROLE_PERMISSIONS.system_admin);
    expect(held.every((p) => p.startsWith('agency.') || p.startsWith('user.'))).toBe(true);
    expect(held).not.toContain('audit.read');
  });

  it('lets an agency administrator grant no system-wide role and nothing system-wide', () => {
    for (const r of ['system_admin', 'dpo', 'national_coordinator', 'analyst'] as const)
      expect(GRANTABLE_ROLES.agency_admin).not.toContain(r);
    for (const role of GRANTABLE_ROLES.agency_admin)
      for (const permission of PERMISSIONS)
        expect(ROLE_PERMISSIONS[role][permission] ?? 'agency').toBe('agency');
  });
});

describe('grant policy', () => {
  it('offers only grantable roles that fit the agency type', () => {
    fc.assert(
      fc.property(
        memberships,
        fc.constantFrom(...AGENCIES),
        fc.constantFrom(...AGENCY_TYPES),
        (ms, agency, type) => {
          const offered = grantableFor(ms, agency, type);
          const grantable = grantableRoles(ms, agency);
          expect(offered.every((r) => grantable.includes(r) && roleFitsAgency(r, type))).toBe(true);
        },
      ),
    );
  });

  it('lets an actor manage an account only when they could grant every role it holds', () => {
    fc.assert(
      fc.property(memberships, memberships, (actor: MembershipLike[], target: MembershipLike[]) => {
        if (!mayManageAccount(actor, target)) return;
        for (const m of target)
          for (const r of m.roles) expect(grantableRoles(actor, m.agencyId)).toContain(r);
      }),
    );
  });

  it('an agency administrator never manages a system administrator or a DPO', () => {
    const admin = [{ agencyId: 'a1', roles: ['agency_admin' as const] }];
    expect(mayManageAccount(admin, [{ agencyId: 'a1', roles: ['system_admin'] }])).toBe(false);
    expect(mayManageAccount(admin, [{ agencyId: 'a1', roles: ['dpo'] }])).toBe(false);
    expect(
      mayManageAccount(admin, [
        { agencyId: 'a1', roles: ['case_manager'] },
        { agencyId: 'a2', roles: ['trainer'] },
      ]),
    ).toBe(false);
    expect(mayManageAccount(admin, [{ agencyId: 'a1', roles: ['case_manager', 'agency_admin'] }])).toBe(true);
  });

  it('normalises roles (no duplicates, canonical order) and computes changes both ways', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ROLES)), fc.array(fc.constantFrom(...ROLES)), (a, b) => {
        const [na, nb] = [normaliseRoles(a), normaliseRoles(b)];
        expect(normaliseRoles(na)).toEqual(na);
        expect(new Set(na).size).toBe(na.length);
        const { added, removed } = roleChanges(na, nb);
        expect([...na.filter((r) => !removed.includes(r)), ...added].sort()).toEqual([...nb].sort());
      }),
    );
  });
});
