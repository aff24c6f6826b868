import { z } from 'zod';
import { AGENCY_TYPES, ROLES } from '../domain/access.js';
import { LocaleSchema, Localized } from './common.js';

export const AgencyView = z.strictObject({
  id: z.uuid(),
  code: z.string(),
  type: z.enum(AGENCY_TYPES),
  name: Localized,
  region: z.string().nullable(),
  active: z.boolean(),
  version: z.number().int(),
});
export type AgencyView = z.infer<typeof AgencyView>;

/**
 * The directory of the mechanism's agencies: who they are, nothing more. Every signed-in user may read it,
 * so that a consent or a referral can name any recipient, whatever the user's own scope.
 */
export const AgencyDirectoryEntry = AgencyView.pick({
  id: true,
  code: true,
  type: true,
  name: true,
  active: true,
});
export type AgencyDirectoryEntry = z.infer<typeof AgencyDirectoryEntry>;

const AgencyCode = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,39}$/);

export const AgencyCreate = z.strictObject({
  code: AgencyCode,
  type: z.enum(AGENCY_TYPES),
  name: Localized,
  region: z.string().trim().min(1).max(100).nullable().optional(),
});
export const AgencyPatch = z.strictObject({
  name: Localized.optional(),
  region: z.string().trim().min(1).max(100).nullable().optional(),
  active: z.boolean().optional(),
});
export const AgencyListQuery = z.strictObject({
  q: z.string().trim().max(100).optional(),
  includeInactive: z.enum(['true', 'false']).optional(),
});

export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,39}$/);

export const UserMembership = z.strictObject({
  id: z.uuid(),
  agencyId: z.uuid(),
  agencyCode: z.string(),
  roles: z.array(z.enum(ROLES)),
});

export const UserView = z.strictObject({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  locale: LocaleSchema,
  active: z.boolean(),
  mfaEnrolled: z.boolean(),
  passwordSet: z.boolean(),
  lockedUntil: z.iso.datetime().nullable(),
  memberships: z.array(UserMembership),
  version: z.number().int(),
});
export type UserView = z.infer<typeof UserView>;

export const UserCreate = z.strictObject({
  username: Username,
  displayName: z.string().trim().min(1).max(120),
  locale: LocaleSchema.optional(),
  agencyId: z.uuid(),
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
});
/** Returned once: the one-time token the new user needs to choose a password. */
export const UserCreated = z.strictObject({
  user: UserView,
  setupToken: z.string(),
  setupExpiresAt: z.iso.datetime(),
});
export const SetupIssued = z.strictObject({ setupToken: z.string(), setupExpiresAt: z.iso.datetime() });

export const UserPatch = z.strictObject({
  displayName: z.string().trim().min(1).max(120).optional(),
  active: z.boolean().optional(),
});
export const UserListQuery = z.strictObject({
  q: z.string().trim().max(100).optional(),
  agencyId: z.uuid().optional(),
  /** Only active (`true`) or only deactivated (`false`) accounts; both when absent. */
  active: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const MembershipUpsert = z.strictObject({
  agencyId: z.uuid(),
  roles: z.array(z.enum(ROLES)).max(ROLES.length),
});
