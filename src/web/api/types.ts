import type { z } from 'zod';
import type {
  AgencyCreate,
  AgencyDirectoryEntry,
  AgencyPatch,
  AgencyView,
  MembershipUpsert,
  SetupIssued,
  UserCreate,
  UserCreated,
  UserPatch,
  UserView,
} from '../../shared/contracts/admin.js';
import type { AuditEventView, AuditPage, AuditQuery } from '../../shared/contracts/audit.js';
import type {
  LoginResult,
  Me,
  MePatch,
  Meta,
  MfaEnrolFinish,
  MfaEnrolStart,
  SecurityKeyRegisterBody,
  SecurityKeyView,
  SessionView,
  WebAuthnAuthenticationResponse,
  WebAuthnCreationOptions,
  WebAuthnRequestOptions,
} from '../../shared/contracts/auth.js';

/** Types of the API's bodies, inferred from the shared zod contracts (type-only: no zod in this chunk). */
export type MeT = Me;
export type MetaT = z.infer<typeof Meta>;
export type LoginResultT = z.infer<typeof LoginResult>;
export type MfaEnrolStartT = z.infer<typeof MfaEnrolStart>;
export type MfaEnrolFinishT = z.infer<typeof MfaEnrolFinish>;
export type MePatchT = z.infer<typeof MePatch>;
export type SessionT = z.infer<typeof SessionView>;
export type SecurityKeyT = z.infer<typeof SecurityKeyView>;
export type SecurityKeyRegisterT = z.infer<typeof SecurityKeyRegisterBody>;
export type WebAuthnCreationOptionsT = z.infer<typeof WebAuthnCreationOptions>;
export type WebAuthnRequestOptionsT = z.infer<typeof WebAuthnRequestOptions>;
export type WebAuthnAssertionT = z.infer<typeof WebAuthnAuthenticationResponse>;
export type AgencyT = AgencyView;
export type AgencyDirectoryEntryT = AgencyDirectoryEntry;
export type AgencyCreateT = z.infer<typeof AgencyCreate>;
export type AgencyPatchT = z.infer<typeof AgencyPatch>;
export type UserT = UserView;
export type UserCreateT = z.infer<typeof UserCreate>;
export type UserCreatedT = z.infer<typeof UserCreated>;
export type UserPatchT = z.infer<typeof UserPatch>;
export type MembershipUpsertT = z.infer<typeof MembershipUpsert>;
export type SetupIssuedT = z.infer<typeof SetupIssued>;
export type AuditEventT = AuditEventView;
export type AuditPageT = z.infer<typeof AuditPage>;
export type AuditQueryT = z.input<typeof AuditQuery>;
export interface ListT<T> {
  items: T[];
  total: number;
}
export interface OkT {
  ok: true;
}
