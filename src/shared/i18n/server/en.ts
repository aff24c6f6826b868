/** Messages the server sends: error codes and validation issues. Keys must exist in tk, ru and en. */
export const en = {
  'error.validation_failed': 'Some fields are not valid. Please check them.',
  'error.malformed_json': 'The request body is not valid JSON.',
  'error.idempotency_key_required': 'This request needs an Idempotency-Key header.',
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
  'error.not_found': 'Not found.',
  'error.method_not_allowed': 'This method is not allowed here.',
  'error.conflict': 'The record was changed by someone else. Reload it and try again.',
  'error.username_taken': 'This username is already taken.',
  'error.agency_code_taken': 'An agency with this code already exists.',
  'error.payload_too_large': 'The request is too large.',
  'error.unsupported_media_type': 'This content type is not supported. Send JSON.',
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
