/**
 * Roles, permissions and agency types as data. The server enforces them; the web app reads them to
 * decide what to show. A country adapts them here (and, later, through configuration), not in code paths.
 */

export const AGENCY_TYPES = [
  'border_service',
  'police',
  'migration_service',
  'labour_inspection',
  'social_protection',
  'hotline_ngo',
  'rehabilitation_centre',
  'crisis_room',
  'ngo',
  'iom',
  'guardianship_authority',
  'court_prosecution',
  'statistics_office',
  'nrm_secretariat',
  'system_operator',
] as const;
export type AgencyType = (typeof AGENCY_TYPES)[number];

export const ROLES = [
  'system_admin',
  'agency_admin',
  'hotline_operator',
  'frontline_identifier',
  'competent_authority',
  'case_manager',
  'service_provider',
  'guardian',
  'national_coordinator',
  'nap_focal_point',
  'analyst',
  'trainer',
  'dpo',
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  /** See agencies (own agency for agency roles, all for the system administrator). */
  'agency.read',
  /** Create and change agencies. */
  'agency.manage',
  /** See user accounts in scope. */
  'user.read',
  /** Create users, change memberships and roles, deactivate, reset credentials, in scope. */
  'user.manage',
  /** Read the audit trail. */
  'audit.read',
  /** See persons in scope (own agency's, or shared with the agency by consent); fields by class rules. */
  'person.read',
  /** Register a person. */
  'person.create',
  /** Change a person's record (only the classes the role may write). */
  'person.update',
  /**
   * Break the glass: open one person outside the agency's scope, by reference, for a fixed window, with a
   * reason and a step-up; the DPO is alerted at once and every read is audited with the grant.
   */
  'person.break_glass',
  /** See and record consent, and record its withdrawal. */
  'consent.read',
  'consent.manage',
  /** Request or approve (as a second person) a disclosure without consent. */
  'consent.override',
  /** Review possible duplicates across agencies; link or merge records. */
  'duplicate.review',
  /** See alerts raised for the data protection officer (overrides, break-the-glass, bulk access). */
  'alert.read',
  /** Produce a data-subject access report (everything held about one person, GDPR Art. 15): DPO only. */
  'dsar.export',
  /** Ask for a person's erasure (GDPR Art. 17), with a reason. */
  'erasure.request',
  /**
   * Decide erasure requests: the DPO's approval plus a second approver's (another holder, never the
   * requester) crypto-shreds the person; either may reject.
   */
  'erasure.approve',
  /**
   * Export the agency's person records (CSV, XLSX) for a purpose; consent decides person by person which
   * classes are filled. Identifying exports wait for a second approver; only the requester downloads.
   */
  'person.export',
  /** Approve or reject another person's identifying export (never one's own). */
  'export.approve',
  /**
   * National aggregate statistics: counts only, small cells suppressed with secondary suppression (G23);
   * never a record, never an identity. Held with scope `all` (a national figure covers every agency).
   */
  'statistics.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Scope of a permission held through a membership:
 * - `agency`: records of the membership's own agency;
 * - `all`: every agency's records (an explicit, named cross-agency path).
 */
export type Scope = 'agency' | 'all';

export const ROLE_PERMISSIONS: Record<Role, Partial<Record<Permission, Scope>>> = {
  system_admin: { 'agency.read': 'all', 'agency.manage': 'all', 'user.read': 'all', 'user.manage': 'all' },
  agency_admin: { 'agency.read': 'agency', 'user.read': 'agency', 'user.manage': 'agency' },
  hotline_operator: {
    'agency.read': 'agency',
    'person.read': 'agency',
    'person.create': 'agency',
    'person.update': 'agency',
    'consent.read': 'agency',
    'consent.manage': 'agency',
  },
  frontline_identifier: {
    'agency.read': 'agency',
    'person.read': 'agency',
    'person.create': 'agency',
    'person.update': 'agency',
    'consent.read': 'agency',
    'consent.manage': 'agency',
  },
  competent_authority: {
    'agency.read': 'agency',
    'person.read': 'agency',
    'person.update': 'agency',
    'person.break_glass': 'agency',
    'consent.read': 'agency',
    'consent.override': 'agency',
    'person.export': 'agency',
    'export.approve': 'agency',
  },
  case_manager: {
    'agency.read': 'agency',
    'person.read': 'agency',
    'person.create': 'agency',
    'person.update': 'agency',
    'person.break_glass': 'agency',
    'consent.read': 'agency',
    'consent.manage': 'agency',
    'consent.override': 'agency',
    'erasure.request': 'agency',
    'person.export': 'agency',
    'export.approve': 'agency',
  },
  service_provider: { 'agency.read': 'agency', 'person.read': 'agency', 'person.update': 'agency' },
  guardian: {
    'agency.read': 'agency',
    'person.read': 'agency',
    'person.update': 'agency',
    'consent.read': 'agency',
    'consent.manage': 'agency',
  },
  national_coordinator: {
    'agency.read': 'all',
    'duplicate.review': 'all',
    'erasure.approve': 'all',
    'statistics.read': 'all',
  },
  nap_focal_point: { 'agency.read': 'agency' },
  analyst: { 'agency.read': 'agency', 'statistics.read': 'all' },
  trainer: { 'agency.read': 'agency' },
  dpo: {
    'agency.read': 'all',
    'user.read': 'all',
    'audit.read': 'all',
    'alert.read': 'all',
    'dsar.export': 'all',
    'erasure.request': 'all',
    'erasure.approve': 'all',
  },
};

/**
 * Which roles a holder of `user.manage` may grant. Nobody may grant a role they could not hold the right
 * to grant: an agency administrator grants agency roles inside their agency, never system-wide ones.
 */
export const GRANTABLE_ROLES: Record<'system_admin' | 'agency_admin', readonly Role[]> = {
  system_admin: ROLES,
  // national roles (system-wide permissions, such as national statistics) are granted by the system administrator
  agency_admin: ROLES.filter(
    (r) => r !== 'system_admin' && r !== 'dpo' && r !== 'national_coordinator' && r !== 'analyst',
  ),
};

/** Roles that are only meaningful in certain agency types. Empty list: any agency type. */
export const ROLE_AGENCY_TYPES: Partial<Record<Role, readonly AgencyType[]>> = {
  system_admin: ['system_operator'],
  national_coordinator: ['nrm_secretariat'],
  hotline_operator: ['hotline_ngo', 'ngo'],
};

export interface MembershipLike {
  agencyId: string;
  roles: readonly Role[];
}

/** The scope in which an actor holds a permission: 'all', a set of agency ids, or nothing. */
export function permissionScope(
  memberships: readonly MembershipLike[],
  permission: Permission,
): { all: true } | { all: false; agencyIds: string[] } {
  const agencyIds = new Set<string>();
  for (const m of memberships) {
    for (const role of m.roles) {
      const scope = ROLE_PERMISSIONS[role]?.[permission];
      if (scope === 'all') return { all: true };
      if (scope === 'agency') agencyIds.add(m.agencyId);
    }
  }
  return { all: false, agencyIds: [...agencyIds] };
}

export function holdsPermission(memberships: readonly MembershipLike[], permission: Permission): boolean {
  const scope = permissionScope(memberships, permission);
  return scope.all || scope.agencyIds.length > 0;
}

/** Roles the actor may grant in a given agency (empty when none). */
export function grantableRoles(memberships: readonly MembershipLike[], agencyId: string): Role[] {
  const out = new Set<Role>();
  for (const m of memberships) {
    if (m.roles.includes('system_admin')) for (const r of GRANTABLE_ROLES.system_admin) out.add(r);
    if (m.agencyId === agencyId && m.roles.includes('agency_admin'))
      for (const r of GRANTABLE_ROLES.agency_admin) out.add(r);
  }
  return [...out];
}
