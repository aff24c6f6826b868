import { isApiError } from '../../api/client.js';
import type {
  SecurityKeyRegisterT,
  WebAuthnAssertionT,
  WebAuthnCreationOptionsT,
  WebAuthnRequestOptionsT,
} from '../../api/types.js';
import type { MessageKey } from '../../i18n/messages.js';

/**
 * Security keys and passkeys (WebAuthn) in the browser. The WebAuthn library is loaded only when a key is
 * actually used, so the sign-in page stays small for everyone else.
 */

/** Whether this browser offers WebAuthn at all (checked without loading the library). */
export function browserSupportsKeys(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof window.PublicKeyCredential === 'function' &&
    typeof navigator.credentials?.get === 'function'
  );
}

type Extensions = WebAuthnAssertionT['clientExtensionResults'];

/** Only the extension results the server's contract knows (Halas asks for none but credProps). */
function knownExtensions(results: Record<string, unknown>): Extensions {
  const out: Extensions = {};
  const credProps = results.credProps as { rk?: unknown } | undefined;
  if (credProps && typeof credProps === 'object')
    out.credProps = typeof credProps.rk === 'boolean' ? { rk: credProps.rk } : {};
  for (const key of ['appid', 'appidExclude', 'hmacCreateSecret'] as const)
    if (typeof results[key] === 'boolean') out[key] = results[key] as boolean;
  return out;
}

const attachment = (value: unknown): { authenticatorAttachment?: 'platform' | 'cross-platform' } =>
  value === 'platform' || value === 'cross-platform' ? { authenticatorAttachment: value } : {};

/** Asks the browser, and so the key, to sign the server's challenge. */
export async function signWithKey(options: WebAuthnRequestOptionsT): Promise<WebAuthnAssertionT> {
  const { startAuthentication } = await import('@simplewebauthn/browser');
  const answer = await startAuthentication({ optionsJSON: options });
  return {
    id: answer.id,
    rawId: answer.rawId,
    type: 'public-key',
    response: {
      clientDataJSON: answer.response.clientDataJSON,
      authenticatorData: answer.response.authenticatorData,
      signature: answer.response.signature,
      ...(answer.response.userHandle ? { userHandle: answer.response.userHandle } : {}),
    },
    clientExtensionResults: knownExtensions(answer.clientExtensionResults as Record<string, unknown>),
    ...attachment(answer.authenticatorAttachment),
  };
}

/** Asks the browser to create a new key pair on a key (or a passkey) for Halas. */
export async function createKey(
  options: WebAuthnCreationOptionsT,
): Promise<SecurityKeyRegisterT['response']> {
  const { startRegistration } = await import('@simplewebauthn/browser');
  const answer = await startRegistration({ optionsJSON: options });
  const r = answer.response;
  return {
    id: answer.id,
    rawId: answer.rawId,
    type: 'public-key',
    response: {
      clientDataJSON: r.clientDataJSON,
      attestationObject: r.attestationObject,
      ...(r.authenticatorData ? { authenticatorData: r.authenticatorData } : {}),
      ...(r.transports ? { transports: r.transports } : {}),
      ...(typeof r.publicKeyAlgorithm === 'number' ? { publicKeyAlgorithm: r.publicKeyAlgorithm } : {}),
      ...(r.publicKey ? { publicKey: r.publicKey } : {}),
    },
    clientExtensionResults: knownExtensions(answer.clientExtensionResults as Record<string, unknown>),
    ...attachment(answer.authenticatorAttachment),
  };
}

/**
 * The message for a failed key ceremony: the browser's refusals and the server's "not accepted" get their
 * own words; any other answer from the server (too many attempts, for instance) is shown as it says (null).
 */
export function keyErrorKey(error: unknown): MessageKey | null {
  if (isApiError(error)) return error.code === 'mfa_invalid' ? 'webauthn.notAccepted' : null;
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError') return 'webauthn.cancelled';
  if (name === 'InvalidStateError') return 'webauthn.alreadyRegistered';
  return 'webauthn.failed';
}
