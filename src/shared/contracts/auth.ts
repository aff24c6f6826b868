import { z } from 'zod';
import { PERMISSIONS, ROLES, type Role } from '../domain/access.js';
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
  /** Whether a step-up asks for an authenticator code (not for a demo account in demo mode). */
  stepUpCode: z.boolean(),
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

/**
 * Security keys and passkeys (WebAuthn) as a second factor, offered to administrators: the roles that may
 * register one. (Any user may still list and remove keys they hold, e.g. after losing the role.)
 */
export const SECURITY_KEY_ROLES = ['system_admin', 'agency_admin', 'dpo'] as const satisfies readonly Role[];

export function offersSecurityKeys(memberships: readonly { roles: readonly Role[] }[]): boolean {
  return memberships.some((m) => m.roles.some((r) => (SECURITY_KEY_ROLES as readonly Role[]).includes(r)));
}

export const SECURITY_KEY_LABEL_MAX = 60;

const Base64Url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/);
const Transport = z
  .string()
  .max(20)
  .regex(/^[a-z-]+$/);
/** What a browser reports from its extensions for the options Halas sends (credProps on registration). */
const ClientExtensionResults = z.strictObject({
  credProps: z.strictObject({ rk: z.boolean().optional() }).optional(),
  appid: z.boolean().optional(),
  appidExclude: z.boolean().optional(),
  hmacCreateSecret: z.boolean().optional(),
});
const Attachment = z.enum(['platform', 'cross-platform']).optional();

/** The browser's answer to `navigator.credentials.create()`, as JSON (WebAuthn L3 `RegistrationResponseJSON`). */
export const WebAuthnRegistrationResponse = z.strictObject({
  id: Base64Url(1400),
  rawId: Base64Url(1400),
  type: z.literal('public-key'),
  response: z.strictObject({
    clientDataJSON: Base64Url(4096),
    attestationObject: Base64Url(32_768),
    authenticatorData: Base64Url(16_384).optional(),
    transports: z.array(Transport).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: Base64Url(16_384).optional(),
  }),
  clientExtensionResults: ClientExtensionResults,
  authenticatorAttachment: Attachment,
});

/** The browser's answer to `navigator.credentials.get()`, as JSON (WebAuthn L3 `AuthenticationResponseJSON`). */
export const WebAuthnAuthenticationResponse = z.strictObject({
  id: Base64Url(1400),
  rawId: Base64Url(1400),
  type: z.literal('public-key'),
  response: z.strictObject({
    clientDataJSON: Base64Url(4096),
    authenticatorData: Base64Url(16_384),
    signature: Base64Url(16_384),
    userHandle: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]*={0,2}$/)
      .optional(),
  }),
  clientExtensionResults: ClientExtensionResults,
  authenticatorAttachment: Attachment,
});

export const SecurityKeyRegisterBody = z.strictObject({
  label: z
    .string()
    .trim()
    .min(1)
    .max(SECURITY_KEY_LABEL_MAX)
    .regex(/^\P{Cc}+$/u),
  response: WebAuthnRegistrationResponse,
});
export const WebAuthnVerifyBody = z.strictObject({ response: WebAuthnAuthenticationResponse });

const CredentialDescriptor = z.object({
  id: z.string(),
  type: z.literal('public-key'),
  transports: z.array(z.string()).optional(),
});

/**
 * Options for `navigator.credentials.create()` (`PublicKeyCredentialCreationOptionsJSON`). Built by the
 * server library: a plain object schema, so anything it might add beyond these fields is dropped.
 */
export const WebAuthnCreationOptions = z.object({
  challenge: z.string(),
  rp: z.object({ name: z.string(), id: z.string() }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  pubKeyCredParams: z.array(z.object({ alg: z.number().int(), type: z.literal('public-key') })),
  timeout: z.number().int().optional(),
  attestation: z.enum(['none', 'indirect', 'direct', 'enterprise']).optional(),
  excludeCredentials: z.array(CredentialDescriptor).optional(),
  authenticatorSelection: z
    .object({
      authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
      residentKey: z.enum(['discouraged', 'preferred', 'required']).optional(),
      requireResidentKey: z.boolean().optional(),
      userVerification: z.enum(['discouraged', 'preferred', 'required']).optional(),
    })
    .optional(),
  extensions: z.object({ credProps: z.boolean().optional() }).optional(),
  hints: z.array(z.enum(['security-key', 'client-device', 'hybrid'])).optional(),
});

/** Options for `navigator.credentials.get()` (`PublicKeyCredentialRequestOptionsJSON`). */
export const WebAuthnRequestOptions = z.object({
  challenge: z.string(),
  rpId: z.string().optional(),
  timeout: z.number().int().optional(),
  allowCredentials: z.array(CredentialDescriptor).optional(),
  userVerification: z.enum(['discouraged', 'preferred', 'required']).optional(),
});

export const SecurityKeyRegistrationOptions = z.strictObject({ options: WebAuthnCreationOptions });
/** `options` is null when the user has no security key (the client then offers the code only). */
export const WebAuthnSignInOptions = z.strictObject({ options: WebAuthnRequestOptions.nullable() });

export const SecurityKeyView = z.strictObject({
  id: z.uuid(),
  label: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
});
