import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateTotp } from '../../src/server/features/auth/index.js';
import * as passwords from '../../src/server/features/auth/passwords.js';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';
import { insertUser, PASSWORD } from './support.js';

/** Enrols a user's second factor through the API and returns the TOTP secret. */
async function enrol(
  t: TestApp,
  username: string,
): Promise<{ browser: Browser; secret: string; recoveryCodes: string[] }> {
  const browser = new Browser(t);
  const login = await browser.post('/api/auth/login', { username, password: PASSWORD });
  expect(login.json()).toEqual({ next: 'mfa_enrol' });
  const start = await browser.post('/api/auth/mfa/enrol/start');
  expect(start.statusCode).toBe(200);
  const { secret, qrSvg, otpauthUri } = start.json();
  expect(qrSvg).toContain('<svg');
  expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Halas/);
  const finish = await browser.post('/api/auth/mfa/enrol/finish', {
    code: generateTotp(secret, t.clock.now()),
  });
  expect(finish.statusCode).toBe(200);
  return { browser, secret, recoveryCodes: finish.json().recoveryCodes };
}

describe.each(ENGINES)('sign-in on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('requires TOTP enrolment on first sign-in, then TOTP at every sign-in (G10)', async () => {
    await insertUser(t, 'enrol1');
    const { browser, secret, recoveryCodes } = await enrol(t, 'enrol1');
    expect(recoveryCodes).toHaveLength(10);
    // each recovery code carries at least 112 bits: 26 base32 characters = 130 bits
    expect(recoveryCodes[0]!.replace(/-/g, '')).toHaveLength(26);
    expect((await browser.get('/api/me')).statusCode).toBe(200);

    const second = new Browser(t);
    expect((await second.post('/api/auth/login', { username: 'enrol1', password: PASSWORD })).json()).toEqual(
      { next: 'mfa' },
    );
    expect((await second.get('/api/me')).json().code).toBe('mfa_required');
    t.clock.advance(30_000);
    const code = generateTotp(secret, t.clock.now());
    expect((await second.post('/api/auth/mfa/verify', { code })).statusCode).toBe(200);
    expect((await second.get('/api/me')).json().username).toBe('enrol1');

    // the same code is never accepted twice (replay within its time step)
    const third = new Browser(t);
    await third.post('/api/auth/login', { username: 'enrol1', password: PASSWORD });
    const replay = await third.post('/api/auth/mfa/verify', { code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('mfa_invalid');
  });

  it('accepts ±1 time step and refuses codes two steps away', async () => {
    await insertUser(t, 'window1');
    const { secret } = await enrol(t, 'window1');
    t.clock.advance(90_000);
    const b = new Browser(t);
    await b.post('/api/auth/login', { username: 'window1', password: PASSWORD });
    const old = generateTotp(secret, new Date(t.clock.now().getTime() - 60_000));
    expect((await b.post('/api/auth/mfa/verify', { code: old })).statusCode).toBe(401);
    const prev = generateTotp(secret, new Date(t.clock.now().getTime() - 30_000));
    expect((await b.post('/api/auth/mfa/verify', { code: prev })).statusCode).toBe(200);
  });

  it('blocks the second factor after 5 wrong codes in 15 minutes', async () => {
    await insertUser(t, 'mfabrute');
    const { secret } = await enrol(t, 'mfabrute');
    t.clock.advance(60_000);
    const b = new Browser(t);
    await b.post('/api/auth/login', { username: 'mfabrute', password: PASSWORD });
    for (let i = 0; i < 5; i++)
      expect((await b.post('/api/auth/mfa/verify', { code: '000000' })).statusCode).toBe(401);
    const right = generateTotp(secret, t.clock.now());
    expect((await b.post('/api/auth/mfa/verify', { code: right })).statusCode).toBe(429);
    t.clock.advance(15 * 60_000 + 1000);
    const later = generateTotp(secret, t.clock.now());
    expect((await b.post('/api/auth/mfa/verify', { code: later })).statusCode).toBe(401); // pending session idled out
    const again = new Browser(t);
    await again.post('/api/auth/login', { username: 'mfabrute', password: PASSWORD });
    expect((await again.post('/api/auth/mfa/verify', { code: later })).statusCode).toBe(200);
  });

  it('signs in with a recovery code, once', async () => {
    await insertUser(t, 'recover1');
    const { recoveryCodes } = await enrol(t, 'recover1');
    const b = new Browser(t);
    await b.post('/api/auth/login', { username: 'recover1', password: PASSWORD });
    expect((await b.post('/api/auth/recovery', { code: recoveryCodes[3] })).statusCode).toBe(200);
    const c = new Browser(t);
    await c.post('/api/auth/login', { username: 'recover1', password: PASSWORD });
    expect((await c.post('/api/auth/recovery', { code: recoveryCodes[3] })).statusCode).toBe(401);
  });

  it('answers identically for unknown user, wrong password and locked account, and runs a dummy verify (G11)', async () => {
    await insertUser(t, 'victim1');
    const spy = vi.spyOn(passwords, 'dummyVerify');
    const bodies = new Set<string>();
    const statuses = new Set<number>();
    const strip = (s: string) => s.replace(/"requestId":"[^"]+"/, '');
    const unknown = await new Browser(t).post('/api/auth/login', {
      username: 'nobody-here',
      password: PASSWORD,
    });
    statuses.add(unknown.statusCode);
    bodies.add(strip(unknown.body));
    for (let i = 0; i < 10; i++) {
      const wrong = await new Browser(t).post('/api/auth/login', {
        username: 'victim1',
        password: 'wrong password number one',
      });
      statuses.add(wrong.statusCode);
      bodies.add(strip(wrong.body));
    }
    // now locked: even the right password fails, with the same answer
    const locked = await new Browser(t).post('/api/auth/login', { username: 'victim1', password: PASSWORD });
    statuses.add(locked.statusCode);
    bodies.add(strip(locked.body));
    expect([...statuses]).toEqual([401]);
    expect(bodies.size).toBe(1);
    expect(spy).toHaveBeenCalled();
    // the lock is temporary (15 minutes), never permanent
    t.clock.advance(15 * 60_000 + 1000);
    expect(
      (await new Browser(t).post('/api/auth/login', { username: 'victim1', password: PASSWORD })).statusCode,
    ).toBe(200);
    spy.mockRestore();
  });

  it('limits sign-in attempts per source address with 429 and Retry-After', async () => {
    const limit = t.deps.config.loginThrottle.perSourcePer15Min;
    const from = { 'x-forwarded-for': '203.0.113.9' };
    let last: Awaited<ReturnType<Browser['post']>> | undefined;
    // inject uses 127.0.0.1 as the remote address unless told otherwise
    for (let i = 0; i <= limit; i++) {
      last = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '203.0.113.9',
        headers: {
          host: 'localhost',
          origin: 'http://localhost',
          'x-halas-request': '1',
          'content-type': 'application/json',
          ...from,
        },
        payload: JSON.stringify({ username: `nobody${i}`, password: 'x' }),
      });
    }
    expect(last!.statusCode).toBe(429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    const rows = await t.admin.query(
      "SELECT count(*)::int AS n FROM login_throttle WHERE encode(source_key, 'escape') LIKE '%203.0.113%'",
    );
    expect(rows.rows[0].n).toBe(0); // the address is stored only as an HMAC
  });

  it('ends sessions after 15 minutes idle and 12 hours absolute, and rotates the token at sign-in (G12)', async () => {
    await insertUser(t, 'idle1', { demo: true });
    t.deps.config.demo = true;
    try {
      const b = new Browser(t);
      await b.post('/api/auth/login', { username: 'idle1', password: PASSWORD });
      const firstCookie = b.cookie;
      t.clock.advance(14 * 60_000 + 59_000);
      expect((await b.get('/api/me')).statusCode).toBe(200);
      t.clock.advance(15 * 60_000 + 1000);
      const expired = await b.get('/api/me');
      expect(expired.statusCode).toBe(401);
      expect(expired.json().code).toBe('session_expired');

      await b.post('/api/auth/login', { username: 'idle1', password: PASSWORD });
      expect(b.cookie).not.toBe(firstCookie);
      for (let i = 0; i < 12 * 4; i++) {
        t.clock.advance(14 * 60_000);
        expect((await b.get('/api/me')).statusCode).toBe(i * 14 < 12 * 60 - 14 ? 200 : 401);
      }
    } finally {
      t.deps.config.demo = false;
    }
  });

  it('stores only a SHA-256 of the 256-bit session token, in a strict HttpOnly cookie', async () => {
    await insertUser(t, 'cookie1', { demo: true });
    t.deps.config.demo = true;
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: {
          host: 'localhost',
          origin: 'http://localhost',
          'x-halas-request': '1',
          'content-type': 'application/json',
        },
        payload: JSON.stringify({ username: 'cookie1', password: PASSWORD }),
      });
      const cookie = res.cookies[0]!;
      expect(cookie.httpOnly).toBe(true);
      expect(cookie.sameSite).toBe('Strict');
      expect(Buffer.from(cookie.value, 'base64url')).toHaveLength(32);
      const stored = await t.admin.query('SELECT count(*)::int AS n FROM sessions WHERE token_hash = $1', [
        Buffer.from(cookie.value),
      ]);
      expect(stored.rows[0].n).toBe(0);
    } finally {
      t.deps.config.demo = false;
    }
  });

  it('lets demo accounts skip MFA only in demo mode', async () => {
    await insertUser(t, 'demo1', { demo: true });
    expect(
      (await new Browser(t).post('/api/auth/login', { username: 'demo1', password: PASSWORD })).json().next,
    ).toBe('mfa_enrol');
    t.deps.config.demo = true;
    try {
      const demo = new Browser(t);
      expect(
        (await demo.post('/api/auth/login', { username: 'demo1', password: PASSWORD })).json().next,
      ).toBe('done');
      // and the step-up dialog asks for the password only: the password alone confirms
      expect((await demo.get('/api/me')).json().stepUpCode).toBe(false);
      expect((await demo.post('/api/auth/reauth', { password: PASSWORD })).statusCode).toBe(200);
      expect((await demo.post('/api/auth/reauth', { password: 'wrong wrong wrong wrong' })).statusCode).toBe(
        401,
      );
    } finally {
      t.deps.config.demo = false;
    }
  });

  it('signs out, and signs out everywhere', async () => {
    await insertUser(t, 'out1');
    const { browser, secret } = await enrol(t, 'out1');
    t.clock.advance(30_000);
    const other = new Browser(t);
    await other.post('/api/auth/login', { username: 'out1', password: PASSWORD });
    await other.post('/api/auth/mfa/verify', { code: generateTotp(secret, t.clock.now()) });
    expect((await other.get('/api/me/sessions')).json()).toHaveLength(2);
    const out = await other.post('/api/auth/logout');
    expect(out.headers['clear-site-data']).toContain('storage');
    expect((await other.get('/api/me')).statusCode).toBe(401);
    expect((await browser.get('/api/me')).statusCode).toBe(200);
    await browser.post('/api/auth/logout-all');
    expect((await browser.get('/api/me')).statusCode).toBe(401);
  });

  it('changes a password: checks the current one, applies the policy, ends the other sessions', async () => {
    await insertUser(t, 'pw1', { demo: true });
    t.deps.config.demo = true;
    try {
      const a = new Browser(t);
      const b = new Browser(t, 'ru');
      await a.post('/api/auth/login', { username: 'pw1', password: PASSWORD });
      await b.post('/api/auth/login', { username: 'pw1', password: PASSWORD });
      const wrong = await a.post('/api/me/password', {
        currentPassword: 'not it at all, sorry',
        newPassword: 'a fresh passphrase for spring',
      });
      expect(wrong.statusCode).toBe(401);
      const weak = await b.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'short' });
      expect(weak.statusCode).toBe(422);
      // the user's own language preference (Turkmen by default) wins over the browser's Accept-Language
      expect(weak.json().message).toMatch(/açar sözüni/);
      const common = await a.post('/api/me/password', {
        currentPassword: PASSWORD,
        newPassword: 'halashalashalashalas',
      });
      expect(common.json().code).toBe('weak_password');
      const ok = await a.post('/api/me/password', {
        currentPassword: PASSWORD,
        newPassword: 'a fresh passphrase for spring',
      });
      expect(ok.statusCode).toBe(200);
      expect((await a.get('/api/me')).statusCode).toBe(200);
      expect((await b.get('/api/me')).statusCode).toBe(401);
    } finally {
      t.deps.config.demo = false;
    }
  });

  it('requires a recent re-authentication for step-up, and accepts password + code', async () => {
    await insertUser(t, 'step1');
    const { browser, secret } = await enrol(t, 'step1');
    t.clock.advance(30_000);
    const bad = await browser.post('/api/auth/reauth', {
      password: 'wrong wrong wrong wrong',
      code: generateTotp(secret, t.clock.now()),
    });
    expect(bad.statusCode).toBe(401);
    t.clock.advance(30_000);
    const good = await browser.post('/api/auth/reauth', {
      password: PASSWORD,
      code: generateTotp(secret, t.clock.now()),
    });
    expect(good.statusCode).toBe(200);
    // a real account's step-up always needs the code, demo mode or not
    expect((await browser.get('/api/me')).json().stepUpCode).toBe(true);
    t.clock.advance(30_000);
    const noCode = await browser.post('/api/auth/reauth', { password: PASSWORD });
    expect(noCode.statusCode).toBe(401);
  });

  it('keeps the audit chain intact through all of the above (G28)', async () => {
    const result = await verifyAuditChain(t.admin);
    expect(result).toMatchObject({ ok: true });
    const actions = await t.admin.query(
      "SELECT DISTINCT action FROM audit_events WHERE action LIKE 'auth.%'",
    );
    expect(actions.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'auth.login',
        'auth.mfa',
        'auth.mfa_enrol',
        'auth.logout',
        'auth.lockout',
        'auth.password_change',
        'auth.reauth',
      ]),
    );
  });
});
