import type { Role } from '../../shared/domain/access.js';
import { api, create, del, get, patch, post, put } from './client.js';
import type {
  AgencyCreateT,
  AgencyDirectoryEntryT,
  AgencyPatchT,
  AgencyT,
  AuditPageT,
  AuditQueryT,
  ListT,
  LoginResultT,
  MembershipUpsertT,
  MePatchT,
  MeT,
  MetaT,
  MfaEnrolFinishT,
  MfaEnrolStartT,
  OkT,
  SecurityKeyRegisterT,
  SecurityKeyT,
  SessionT,
  SetupIssuedT,
  UserCreatedT,
  UserCreateT,
  UserPatchT,
  UserT,
  WebAuthnAssertionT,
  WebAuthnCreationOptionsT,
  WebAuthnRequestOptionsT,
} from './types.js';

/** One function per API route the web app uses. */
export const endpoints = {
  meta: (signal?: AbortSignal) => get<MetaT>('/api/meta', undefined, signal),

  login: (body: { username: string; password: string }) =>
    post<LoginResultT>('/api/auth/login', body, { reauth: false }),
  mfaVerify: (code: string) => post<OkT>('/api/auth/mfa/verify', { code }, { reauth: false }),
  recovery: (code: string) => post<OkT>('/api/auth/recovery', { code }, { reauth: false }),
  enrolStart: () => post<MfaEnrolStartT>('/api/auth/mfa/enrol/start', {}, { reauth: false }),
  enrolFinish: (code: string) =>
    post<MfaEnrolFinishT>('/api/auth/mfa/enrol/finish', { code }, { reauth: false }),
  webauthnOptions: () =>
    post<{ options: WebAuthnRequestOptionsT | null }>('/api/auth/webauthn/options', {}, { reauth: false }),
  webauthnVerify: (response: WebAuthnAssertionT) =>
    post<OkT>('/api/auth/webauthn/verify', { response }, { reauth: false }),
  setup: (body: { token: string; password: string }) => post<OkT>('/api/auth/setup', body, { reauth: false }),
  logout: () => post<OkT>('/api/auth/logout', {}, { reauth: false }),
  logoutAll: () => post<OkT>('/api/auth/logout-all'),
  reauth: (body: { password: string; code?: string }) =>
    post<OkT>('/api/auth/reauth', body, { reauth: false }),

  me: (signal?: AbortSignal) => get<MeT>('/api/me', undefined, signal),
  patchMe: (body: MePatchT) => api<MeT>('/api/me', { method: 'PATCH', body }),
  changePassword: (body: { currentPassword: string; newPassword: string }) =>
    post<OkT>('/api/me/password', body),
  sessions: (signal?: AbortSignal) => get<SessionT[]>('/api/me/sessions', undefined, signal),
  endSession: (id: string) => del<OkT>(`/api/me/sessions/${encodeURIComponent(id)}`),
  securityKeys: (signal?: AbortSignal) => get<SecurityKeyT[]>('/api/me/webauthn', undefined, signal),
  securityKeyOptions: () => post<{ options: WebAuthnCreationOptionsT }>('/api/me/webauthn/options'),
  addSecurityKey: (body: SecurityKeyRegisterT) => create<SecurityKeyT>('/api/me/webauthn', body),
  removeSecurityKey: (id: string) => del<OkT>(`/api/me/webauthn/${encodeURIComponent(id)}`),

  agencies: (query: { q?: string; includeInactive?: boolean }, signal?: AbortSignal) =>
    get<ListT<AgencyT>>(
      '/api/agencies',
      { q: query.q, includeInactive: query.includeInactive ? 'true' : 'false' },
      signal,
    ),
  agencyDirectory: (signal?: AbortSignal) =>
    get<AgencyDirectoryEntryT[]>('/api/agencies/directory', undefined, signal),
  agency: (id: string, signal?: AbortSignal) =>
    get<AgencyT>(`/api/agencies/${encodeURIComponent(id)}`, undefined, signal),
  createAgency: (body: AgencyCreateT) => create<AgencyT>('/api/agencies', body),
  patchAgency: (id: string, body: AgencyPatchT, version: number) =>
    patch<AgencyT>(`/api/agencies/${encodeURIComponent(id)}`, body, version),

  users: (query: { q?: string; agencyId?: string }, signal?: AbortSignal) =>
    get<ListT<UserT>>('/api/users', query, signal),
  user: (id: string, signal?: AbortSignal) =>
    get<UserT>(`/api/users/${encodeURIComponent(id)}`, undefined, signal),
  createUser: (body: UserCreateT) => create<UserCreatedT>('/api/users', body),
  patchUser: (id: string, body: UserPatchT, version: number) =>
    patch<UserT>(`/api/users/${encodeURIComponent(id)}`, body, version),
  /** `version`: the user's, as loaded (memberships are part of the user's record). */
  putMembership: (id: string, body: MembershipUpsertT, version: number) =>
    put<UserT>(`/api/users/${encodeURIComponent(id)}/memberships`, body, version),
  resetCredentials: (id: string) =>
    post<SetupIssuedT>(`/api/users/${encodeURIComponent(id)}/reset-credentials`),
  revokeSessions: (id: string) => post<OkT>(`/api/users/${encodeURIComponent(id)}/revoke-sessions`),
  grantableRoles: (agencyId: string, signal?: AbortSignal) =>
    get<{ roles: Role[] }>('/api/users/grantable-roles', { agencyId }, signal),

  audit: (query: AuditQueryT, signal?: AbortSignal) =>
    get<AuditPageT>('/api/audit', query as Record<string, string | number | undefined>, signal),
};
