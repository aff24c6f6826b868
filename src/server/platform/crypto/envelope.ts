import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The one AEAD construction used for person data: AES-256-GCM from Node's crypto (OpenSSL), a fresh random
 * 96-bit nonce per encryption, a 128-bit tag, and associated data naming what the ciphertext belongs to.
 *
 *   sealed = version (1 byte) ‖ nonce (12) ‖ tag (16) ‖ ciphertext
 *
 * The version byte is part of the associated data (through the purpose string), so a future format is a new
 * version and a new purpose, never a reinterpretation of old bytes.
 */
export const VERSION = 1;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const KEY_BYTES = 32;
const HEADER = 1 + NONCE_BYTES + TAG_BYTES;

/** Decryption failed: wrong key, wrong row or column, or altered bytes. Never says which. */
export class CryptoError extends Error {
  constructor(message = 'the encrypted value cannot be opened') {
    super(message);
    this.name = 'CryptoError';
  }
}

export function assertKey(key: Buffer, what: string): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new Error(`${what} must be 32 bytes`);
}

/** Associated data: a purpose and the identifiers the ciphertext is bound to, NUL-separated. */
export function aad(purpose: string, ...parts: string[]): Buffer {
  for (const p of parts) if (p.includes('\0')) throw new Error('associated data must not contain NUL');
  return Buffer.from([`halas/${purpose}/v${VERSION}`, ...parts].join('\0'), 'utf8');
}

export function seal(key: Buffer, plaintext: Buffer, associated: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associated);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
}

export function open(key: Buffer, sealed: Buffer, associated: Buffer): Buffer {
  if (!Buffer.isBuffer(sealed) || sealed.length < HEADER || sealed[0] !== VERSION) throw new CryptoError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(associated);
    decipher.setAuthTag(sealed.subarray(1 + NONCE_BYTES, HEADER));
    return Buffer.concat([decipher.update(sealed.subarray(HEADER)), decipher.final()]);
  } catch {
    throw new CryptoError();
  }
}

/** The nonce of a sealed value (tests check uniqueness). */
export function nonceOf(sealed: Buffer): Buffer {
  return sealed.subarray(1, 1 + NONCE_BYTES);
}

const canonicalId = (personId: string) => personId.toLowerCase();

/**
 * Encrypts one field (or field class) of a person: `value` as JSON, under the person's data key, bound to the
 * person's id and the column. A ciphertext moved to another row or column does not open.
 */
export function sealField(dek: Buffer, personId: string, column: string, value: unknown): Buffer {
  assertKey(dek, 'a data key');
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('sealField: the value is not representable as JSON');
  return seal(dek, Buffer.from(json, 'utf8'), aad('field', canonicalId(personId), column));
}

/** Decrypts what sealField wrote for this person and column; throws CryptoError otherwise. */
export function openField<T = unknown>(dek: Buffer, personId: string, column: string, sealed: Buffer): T {
  assertKey(dek, 'a data key');
  const plaintext = open(dek, sealed, aad('field', canonicalId(personId), column));
  return JSON.parse(plaintext.toString('utf8')) as T;
}
