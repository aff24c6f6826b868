import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../../shared/contracts/auth.js';
import type { Config } from '../../config/index.js';

const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });

/** Words that make a password guessable in this system's context (ASVS V6.2.11). */
const CONTEXT_WORDS = ['halas', 'nrm', 'turkmenistan', 'türkmenistan', 'ashgabat', 'aşgabat', 'trafficking'];

const commonPasswords = new Set<string>(common.dictionary['passwords-common'].map((p) => p.toLowerCase()));

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'contextual';

/**
 * ASVS 5 password rules: at least 15 characters (Unicode code points, no trimming or case folding), up to
 * 128, no composition rules, refused when it is a known common password or is built from words of this
 * system's context (its name, the user's name, agency names) so weakly that it is guessable.
 */
export function passwordProblem(
  password: string,
  contextWords: readonly string[] = [],
): PasswordProblem | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return 'too_short';
  if (length > PASSWORD_MAX) return 'too_long';
  if (commonPasswords.has(password.toLowerCase())) return 'common';
  const inputs = [...CONTEXT_WORDS, ...contextWords.filter((w) => w.length >= 3).map((w) => w.toLowerCase())];
  // Built mostly from context words: take them out and too little is left.
  let rest = password.toLowerCase();
  for (const word of inputs) rest = rest.split(word).join('');
  if (rest.length < password.length && [...rest].length < 10) return 'contextual';
  if (zxcvbn.check(password, inputs).score < 3) return 'contextual';
  return null;
}

export function hashPassword(config: Config, password: string): Promise<string> {
  return hash(password, { algorithm: 2, ...config.argon2, outputLen: 32 });
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when the user does not exist, so both paths cost the same. */
let dummyHash: Promise<string> | undefined;
export function dummyVerify(config: Config, password: string): Promise<boolean> {
  dummyHash ??= hashPassword(config, 'dummy password that nobody will ever use 7f3a9c');
  return dummyHash.then((h) => verifyPassword(h, password)).then(() => false);
}
