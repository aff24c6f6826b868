import { z } from 'zod';
import { PERMISSIONS, ROLES } from '../domain/access.js';
import { LocaleSchema } from './common.js';

export const PASSWORD_MIN = 15;
export const PASSWORD_MAX = 128;

export const LoginBody = z.strictObject({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(PASSWORD_MAX),
});

/** What the client must do next after a password was accepted. */
export const LoginResult = z.strictObject({
  next: z.enum(['mfa', 'mfa_enrol', 'done']),
});

export const MfaCodeBody = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/),
});
export const RecoveryCodeBody = z.strictObject({ code: z.string().trim().min(10).max(40) });

export const MfaEnrolStart = z.strictObject({
  secret: z.string(),
  otpauthUri: z.string(),
  qrSvg: z.string(),
});
export const MfaEnrolFinish = z.strictObject({ recoveryCodes: z.array(z.string()) });

/** The code may be omitted only by a demo account in demo mode (no second factor there). */
export const ReauthBody = z.strictObject({
  password: z.string().min(1).max(PASSWORD_MAX),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/)
    .optional(),
});

export const PasswordChangeBody = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX),
  newPassword: z.string().max(PASSWORD_MAX),
});

export const SetupBody = z.strictObject({
  token: z.string().min(20).max(200),
  password: z.string().max(PASSWORD_MAX),
});

export const MembershipView = z.strictObject({
  id: z.uuid(),
  agencyId: z.uuid(),
  agencyCode: z.string(),
  agencyName: z.string(),
  roles: z.array(z.enum(ROLES)),
});

export const Me = z.strictObject({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  locale: LocaleSchema,
  memberships: z.array(MembershipView),
  permissions: z.array(z.enum(PERMISSIONS)),
  demo: z.boolean(),
  /** Seconds of idle time after which the session ends (the UI warns before). */
  idleTimeoutSeconds: z.number().int(),
});
export type Me = z.infer<typeof Me>;

export const MePatch = z.strictObject({
  locale: LocaleSchema.optional(),
  displayName: z.string().trim().min(1).max(120).optional(),
});

export const SessionView = z.strictObject({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  current: z.boolean(),
});

export const Meta = z.strictObject({
  demo: z.boolean(),
  version: z.string(),
  locales: z.array(LocaleSchema),
  defaultLocale: LocaleSchema,
});
