/** Messages the server sends: error codes and validation issues. Keys must exist in tk, ru and en. */
export const en = {
  'error.validation_failed': 'Some fields are not valid. Please check them.',
  'error.malformed_json': 'The request body is not valid JSON.',
  'error.idempotency_key_required': 'This request needs an Idempotency-Key header.',
  'error.idempotency_key_invalid':
    'The Idempotency-Key header is not valid: use 8 to 128 letters, digits or - _ . : + / =.',
  'error.if_match_invalid':
    'The If-Match header is not valid: send the ETag of the record as you loaded it, for example "3".',
  'error.idempotency_in_flight': 'The same request is still being processed. Wait a moment and try again.',
  'error.precondition_failed':
    'Someone else changed this record after you loaded it. Reload it and make your change again.',
  'error.idempotency_key_reused': 'This Idempotency-Key was already used for a different request.',
  'error.precondition_required':
    'This change needs an If-Match header with the version of the record you loaded.',
  'error.unauthenticated': 'Please sign in.',
  'error.invalid_credentials':
    'The username or password is not correct, or the account is temporarily locked.',
  'error.mfa_required': 'Please confirm your sign-in with the code from your authenticator app.',
  'error.mfa_invalid': 'The code is not correct or has already been used.',
  'error.session_expired': 'Your session has ended. Please sign in again.',
  'error.forbidden': 'You do not have permission to do this.',
  'error.csrf_rejected': 'The request was refused because it did not come from the Halas application.',
  'error.reauth_required': 'Please confirm your identity again to continue.',
  'error.role_not_grantable': 'You cannot grant one or more of these roles.',
  'error.field_not_writable': 'You may not change one or more of these parts of the record.',
  'error.consent_invalid':
    'This consent cannot be recorded: check who gives it (a child needs a guardian), the recipient and the dates.',
  'error.erasure_self_approval':
    'You cannot approve an erasure you requested, or approve the same request twice.',
  'error.erasure_dpo_required':
    "The data protection officer's approval is still needed: the other approval is already given.",
  'error.erasure_pending': 'An erasure request for this person is already waiting for a decision.',
  'error.export_not_approved':
    'This export contains identifying data and has not been approved by a second person yet.',
  'error.export_self_approval':
    'You cannot approve or reject an export you asked for: another colleague must decide.',
  'error.export_decided': 'This export has already been decided or has lapsed.',
  'error.erasure_decided': 'This erasure request has already been decided, or already has your approval.',
  'error.person_erased': "This person's identifying data has already been erased.",
  'error.merge_invalid':
    'These records cannot be merged or unmerged: a record cannot be merged with itself, a merged or erased record cannot be merged again, and a merge can be undone only while the survivor is unchanged and within the undo period.',
  'error.not_found': 'Not found.',
  'error.method_not_allowed': 'This method is not allowed here.',
  'error.conflict': 'The record was changed by someone else. Reload it and try again.',
  'error.break_glass_unneeded': 'You can already open this record: no emergency access is needed.',
  'error.username_taken': 'This username is already taken.',
  'error.agency_code_taken': 'An agency with this code already exists.',
  'error.payload_too_large': 'The request is too large.',
  'error.unsupported_media_type': 'This content type is not supported. Send JSON.',
  'error.file_type_not_accepted': 'Only JPEG and PNG images and PDF documents can be uploaded.',
  'error.file_damaged':
    'This stored file is damaged and cannot be opened. Please report the request id to your administrator.',
  'error.weak_password':
    'Choose a longer or less common password: at least 15 characters, not a common password and not the name of the system or an agency.',
  'error.password_reused': 'The new password must differ from the current one.',
  'error.setup_token_invalid':
    'This setup code is not valid or has expired. Ask your administrator for a new one.',
  'error.last_admin': 'This would leave the system without an active administrator.',
  'error.too_many_requests': 'Too many attempts. Please wait a little and try again.',
  'error.internal_error':
    'Something went wrong on our side. Please try again; if it happens again, report the request id.',
  'error.service_unavailable': 'The service is temporarily unavailable. Please try again shortly.',
  'issue.invalid_type': 'Expected a value of type {expected}.',
  'issue.required': 'This field is required.',
  'issue.too_small.string': 'Must be at least {minimum} characters long.',
  'issue.too_small.number': 'Must be at least {minimum}.',
  'issue.too_small.array': 'Choose at least {minimum}.',
  'issue.too_big.string': 'Must be at most {maximum} characters long.',
  'issue.too_big.number': 'Must be at most {maximum}.',
  'issue.too_big.array': 'Choose at most {maximum}.',
  'issue.invalid_format': 'The format is not valid.',
  'issue.unrecognized_keys': 'Unknown field: {keys}.',
  'issue.invalid_value': 'This value is not allowed.',
  'issue.invalid': 'This value is not valid.',
} as const;

export type ServerMessageKey = keyof typeof en;
