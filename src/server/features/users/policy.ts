import type { ValidationIssue } from '../../../shared/contracts/errors.js';
import {
  type AgencyType,
  grantableRoles,
  type MembershipLike,
  ROLE_AGENCY_TYPES,
  ROLES,
  type Role,
} from '../../../shared/domain/access.js';
import type { Locale } from '../../../shared/domain/locales.js';
import { serverMessage } from '../../../shared/i18n/server/index.js';
import { AppError } from '../../platform/errors.js';

/**
 * Who may grant what, as pure functions over the role data in shared/domain/access.ts. The service asks
 * these before it writes; nothing here touches the database.
 */

/** Roles without duplicates, in the canonical order of ROLES. */
export function normaliseRoles(roles: readonly Role[]): Role[] {
  return ROLES.filter((r) => roles.includes(r));
}

/** Roles that a change from `before` to `after` adds and removes. */
export function roleChanges(
  before: readonly Role[],
  after: readonly Role[],
): { added: Role[]; removed: Role[] } {
  return {
    added: after.filter((r) => !before.includes(r)),
    removed: before.filter((r) => !after.includes(r)),
  };
}

/** Whether the actor holds any right to grant roles in this agency (an agency admin there, or a system admin). */
export function mayGrantIn(actor: readonly MembershipLike[], agencyId: string): boolean {
  return grantableRoles(actor, agencyId).length > 0;
}

/** Refuses (403 role_not_grantable) unless the actor may grant, or take away, every one of these roles here. */
export function assertGrantable(
  actor: readonly MembershipLike[],
  agencyId: string,
  roles: readonly Role[],
): void {
  const grantable = grantableRoles(actor, agencyId);
  if (grantable.length === 0 || roles.some((r) => !grantable.includes(r)))
    throw new AppError('role_not_grantable');
}

/** Roles the actor could grant in an agency of this type, in canonical order (what the role picker offers). */
export function grantableFor(actor: readonly MembershipLike[], agencyId: string, type: AgencyType): Role[] {
  const grantable = grantableRoles(actor, agencyId);
  return ROLES.filter((r) => grantable.includes(r) && roleFitsAgency(r, type));
}

export function roleFitsAgency(role: Role, type: AgencyType): boolean {
  const types = ROLE_AGENCY_TYPES[role];
  return !types || types.length === 0 || types.includes(type);
}

/** A validation issue on `roles` when some role is not meant for this type of agency (none otherwise). */
export function roleTypeIssues(roles: readonly Role[], type: AgencyType, locale: Locale): ValidationIssue[] {
  if (roles.every((r) => roleFitsAgency(r, type))) return [];
  return [{ path: 'roles', code: 'invalid_value', message: serverMessage(locale, 'issue.invalid_value') }];
}

/**
 * Whether the actor may act on an account as a whole (rename, deactivate, reset credentials, end sessions):
 * only if they could grant every role the user holds, in every agency. So an agency administrator can never
 * take over, lock out or rename a system administrator, a DPO or someone working in another agency.
 */
export function mayManageAccount(
  actor: readonly MembershipLike[],
  target: readonly MembershipLike[],
): boolean {
  return target.every((m) => {
    const grantable = grantableRoles(actor, m.agencyId);
    return m.roles.every((r) => grantable.includes(r));
  });
}
