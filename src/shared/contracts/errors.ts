import { z } from 'zod';

/** Every error the API can answer with. One mapping to HTTP status lives here, one to messages in i18n. */
export const ERROR_STATUS = {
  validation_failed: 400,
  malformed_json: 400,
  idempotency_key_required: 400,
  idempotency_key_invalid: 400,
  if_match_invalid: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  mfa_required: 401,
  mfa_invalid: 401,
  session_expired: 401,
  forbidden: 403,
  csrf_rejected: 403,
  reauth_required: 403,
  role_not_grantable: 403,
  field_not_writable: 403,
  erasure_self_approval: 403,
  erasure_dpo_required: 403,
  export_not_approved: 403,
  export_self_approval: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  break_glass_unneeded: 409,
  username_taken: 409,
  agency_code_taken: 409,
  idempotency_in_flight: 409,
  precondition_failed: 412,
  erasure_pending: 409,
  erasure_decided: 409,
  export_decided: 409,
  person_erased: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  file_type_not_accepted: 415,
  weak_password: 422,
  password_reused: 422,
  setup_token_invalid: 422,
  last_admin: 422,
  consent_invalid: 422,
  merge_invalid: 422,
  idempotency_key_reused: 422,
  precondition_required: 428,
  too_many_requests: 429,
  internal_error: 500,
  file_damaged: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const ValidationIssue = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

export const ErrorBody = z.object({
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  requestId: z.string(),
  issues: z.array(ValidationIssue).optional(),
  /** With 412 precondition_failed: the record's current version (its ETag is `"<version>"`). */
  currentVersion: z.number().int().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
