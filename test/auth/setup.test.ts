import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSetupToken } from '../../src/server/features/auth/index.js';
import { withTx } from '../../src/server/platform/tx.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';
import { insertUser } from './support.js';

describe.each(ENGINES)('first-time setup codes on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  const issue = (userId: string) =>
    withTx(t.deps.db.pool, null, (tx) => issueSetupToken(tx, userId, t.clock.now()));

  it('lets a new user choose a password once with a valid code, then requires MFA enrolment', async () => {
    const id = await insertUser(t, 'newbie', { password: null });
    const { setupToken } = await issue(id);
    const stored = await t.admin.query('SELECT setup_token_hash FROM users WHERE id = $1', [id]);
    expect(stored.rows[0].setup_token_hash.toString('utf8')).not.toContain(setupToken);
    const b = new Browser(t, 'ru');
    const weak = await b.post('/api/auth/setup', { token: setupToken, password: 'newbie newbie 1' });
    expect(weak.statusCode).toBe(422);
    const ok = await b.post('/api/auth/setup', {
      token: setupToken,
      password: 'river stones under moonlight',
    });
    expect(ok.statusCode).toBe(200);
    const reuse = await b.post('/api/auth/setup', {
      token: setupToken,
      password: 'another passphrase entirely',
    });
    expect(reuse.statusCode).toBe(422);
    expect(reuse.json().code).toBe('setup_token_invalid');
    expect(reuse.json().message).toMatch(/код/i);
    const login = await b.post('/api/auth/login', {
      username: 'newbie',
      password: 'river stones under moonlight',
    });
    expect(login.json()).toEqual({ next: 'mfa_enrol' });
  });

  it('refuses an expired code and a code of a deactivated user', async () => {
    const id = await insertUser(t, 'late1', { password: null });
    const { setupToken } = await issue(id);
    t.clock.advance(72 * 3600_000 + 1000);
    const expired = await new Browser(t).post('/api/auth/setup', {
      token: setupToken,
      password: 'river stones under moonlight',
    });
    expect(expired.json().code).toBe('setup_token_invalid');
    const id2 = await insertUser(t, 'gone1', { password: null });
    const second = await issue(id2);
    await t.admin.query('UPDATE users SET active = false WHERE id = $1', [id2]);
    const inactive = await new Browser(t).post('/api/auth/setup', {
      token: second.setupToken,
      password: 'river stones under moonlight',
    });
    expect(inactive.json().code).toBe('setup_token_invalid');
  });

  it('a reset clears password, second factor and recovery codes and ends sessions', async () => {
    const id = await insertUser(t, 'reset1');
    await t.admin.query("UPDATE users SET mfa_enrolled_at = now(), mfa_secret_enc = '\\x01' WHERE id = $1", [
      id,
    ]);
    await t.admin.query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, '\\x02')", [id]);
    await t.admin.query(
      "INSERT INTO sessions (token_hash, user_id, mfa_verified, expires_at) VALUES ('\\x03', $1, true, now() + interval '1 hour')",
      [id],
    );
    await issue(id);
    const u = await t.admin.query(
      'SELECT password_hash, mfa_secret_enc, mfa_enrolled_at FROM users WHERE id = $1',
      [id],
    );
    expect(u.rows[0]).toEqual({ password_hash: null, mfa_secret_enc: null, mfa_enrolled_at: null });
    expect(
      (await t.admin.query('SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = $1', [id])).rows[0]
        .n,
    ).toBe(0);
    expect(
      (
        await t.admin.query(
          'SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL',
          [id],
        )
      ).rows[0].n,
    ).toBe(0);
  });
});
