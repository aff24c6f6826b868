import { aad, assertKey, open, seal } from './envelope.js';

/**
 * Files of a person (photos, scans): the whole file sealed with AES-256-GCM under the person's data key, in
 * the same envelope format as fields, with associated data `halas/file/v1 ‖ person id ‖ file id`. A file
 * copied to another person or file id does not open; deleting the person's data key (crypto-shredding)
 * makes every copy unreadable. Files are at most a few MiB, so one-shot AEAD (no streaming) is fine.
 */
export function sealFile(dek: Buffer, personId: string, fileId: string, bytes: Buffer): Buffer {
  assertKey(dek, 'a data key');
  return seal(dek, bytes, aad('file', personId.toLowerCase(), fileId.toLowerCase()));
}

/** Decrypts what sealFile wrote for this person and file; throws CryptoError otherwise. */
export function openFile(dek: Buffer, personId: string, fileId: string, sealed: Buffer): Buffer {
  assertKey(dek, 'a data key');
  return open(dek, sealed, aad('file', personId.toLowerCase(), fileId.toLowerCase()));
}
