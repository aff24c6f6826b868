import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config/index.js';
import { hashPassword } from '../../src/server/features/auth/index.js';
import { passwordProblem, verifyPassword } from '../../src/server/features/auth/passwords.js';

describe('password policy (G09)', () => {
  it('uses the ASVS argon2id parameters in production', () => {
    const config = loadConfig({ NODE_ENV: 'production', HALAS_DATA_DIR: '/tmp/unused' });
    expect(config.argon2).toEqual({ memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 });
  });

  it('refuses short, overlong, common and context-built passwords', () => {
    expect(passwordProblem('fourteen chars')).toBe('too_short');
    expect(passwordProblem('x'.repeat(129))).toBe('too_long');
    expect(passwordProblem('123456789012345')).not.toBeNull();
    expect(passwordProblem('halashalashalas1')).not.toBeNull();
    expect(passwordProblem('policeashgabat123', ['police', 'ashgabat'])).not.toBeNull();
    expect(passwordProblem('Garagum-desert-2026')).toBeNull();
  });

  it('counts characters, not bytes: a Turkmen or Russian passphrase of 15 letters is long enough', () => {
    expect(passwordProblem('Çäýnek gyzdyryň!')).toBeNull();
    expect(passwordProblem('тёплый ветер весной')).toBeNull();
  });

  it('accepts any high-entropy 15–128 character Unicode string and round-trips it exactly, without trimming or case folding', async () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ unit: 'grapheme', minLength: 15, maxLength: 64 })
          .filter((s) => [...s].length >= 15 && [...s].length <= 128 && new Set(s).size >= 12),
        async (password) => {
          expect(passwordProblem(password)).toBeNull();
          const hashed = await hashPassword(config, password);
          expect(hashed.startsWith('$argon2id$')).toBe(true);
          expect(await verifyPassword(hashed, password)).toBe(true);
          if (password.toUpperCase() !== password)
            expect(await verifyPassword(hashed, password.toUpperCase())).toBe(false);
          expect(await verifyPassword(hashed, ` ${password}`)).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });
});
