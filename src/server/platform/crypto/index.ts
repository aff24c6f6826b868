/**
 * Envelope encryption of survivors' identifying data (security goals G20, G21, G24; ADR 8).
 *
 * - Every person has a random 256-bit data key (DEK). Their sensitive field classes are sealed under it with
 *   AES-256-GCM, bound to the person's id and the column (sealField/openField).
 * - The DEK is stored only wrapped (AES-256-GCM) under a master key (KEK) from configuration, in person_keys
 *   together with the master key's id (createPersonKey/loadPersonKeys).
 * - Rotating the master key rewraps the DEKs, never the data (rotateKeys, `npm run keys:rotate`).
 * - Erasure deletes the DEK (shredPersonKey): the ciphertexts stay, unreadable everywhere.
 * - Name search uses keyed HMACs under a separate blind-index key (Keyring.blindIndex).
 */
export { CryptoError, openField, sealField } from './envelope.js';
export {
  createMasterKeyFile,
  KekNotLoadedError,
  type Keyring,
  KeyringError,
  keyFolder,
  keyringForTests,
  keyringFromKeys,
  loadKeyring,
  masterKeyFiles,
  newKeyText,
  readKeyFile,
} from './keyring.js';
export {
  createPersonKey,
  type KekUsage,
  keyProblems,
  keyUsage,
  loadPersonKeys,
  shredPersonKey,
} from './person-keys.js';
export { type RotateOptions, rotateKeys } from './rotate.js';
