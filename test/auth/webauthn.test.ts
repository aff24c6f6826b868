import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp, issueSetupToken } from '../../src/server/features/auth/index.js';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import { withTx } from '../../src/server/platform/tx.js';
import { SECURITY_KEY_ROLES } from '../../src/shared/contracts/auth.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';
import { writeFingerprint } from '../support/snapshot.js';
import { SoftAuthenticator } from '../support/webauthn.js';
import { insertUser, PASSWORD } from './support.js';

interface Account {
  userId: string;
  username: string;
  secret: string;
  /** A fully signed-in browser (password + TOTP). */
  browser: Browser;
}

/** A user with a password and an enrolled authenticator app, signed in through the API. */
async function account(t: TestApp, username: string, roles: string[] = ['agency_admin']): Promise<Account> {
  const userId = await insertUser(t, username, { roles });
  const browser = new Browser(t);
  expect((await browser.post('/api/auth/login', { username, password: PASSWORD })).json()).toEqual({
    next: 'mfa_enrol',
  });
  const { secret } = (await browser.post('/api/auth/mfa/enrol/start')).json();
  const finish = await browser.post('/api/auth/mfa/enrol/finish', {
    code: generateTotp(secret, t.clock.now()),
  });
  expect(finish.statusCode).toBe(200);
  return { userId, username, secret, browser };
}

/** Registers a key for a signed-in browser; returns the answer of the registration call. */
async function register(browser: Browser, key: SoftAuthenticator, label = 'Blue key') {
  const options = await browser.post('/api/me/webauthn/options');
  expect(options.statusCode).toBe(200);
  return browser.post('/api/me/webauthn', { label, response: key.create(options.json().options) });
}

/** A browser whose password was accepted and whose second factor is still due. */
async function pending(t: TestApp, username: string): Promise<Browser> {
  const b = new Browser(t);
  expect((await b.post('/api/auth/login', { username, password: PASSWORD })).json()).toEqual({ next: 'mfa' });
  return b;
}

async function signInOptions(b: Browser) {
  const res = await b.post('/api/auth/webauthn/options');
  expect(res.statusCode).toBe(200);
  return res.json().options;
}

const verify = (b: Browser, response: unknown) => b.post('/api/auth/webauthn/verify', { response });

async function auditOf(t: TestApp, userId: string) {
  const { rows } = await t.admin.query<{
    action: string;
    outcome: string;
    entity_type: string | null;
    entity_id: string | null;
    fields: string[];
  }>(
    `SELECT action, outcome, entity_type, entity_id, fields FROM audit_events
      WHERE actor_user_id = $1 AND action LIKE 'auth.webauthn%' ORDER BY seq`,
    [userId],
  );
  return rows;
}

async function storedKeys(t: TestApp, userId: string) {
  const { rows } = await t.admin.query<{
    id: string;
    credential_id: string;
    counter: number;
    transports: string[];
    last_used_at: Date | null;
  }>(
    'SELECT id, credential_id, counter::int AS counter, transports, last_used_at FROM webauthn_credentials WHERE user_id = $1',
    [userId],
  );
  return rows;
}

describe.each(ENGINES)('security keys (WebAuthn) on %s (G10)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers a key for an administrator and signs in with it instead of a code', async () => {
    const admin = await account(t, 'wa-admin1');
    expect((await admin.browser.get('/api/me/webauthn')).json()).toEqual([]);

    const options = await admin.browser.post('/api/me/webauthn/options');
    expect(options.statusCode).toBe(200);
    const creation = options.json().options;
    expect(creation.rp).toEqual({ name: 'Halas', id: 'localhost' });
    expect(creation.attestation).toBe('none');
    expect(creation.excludeCredentials).toEqual([]);
    expect(creation.authenticatorSelection.residentKey).toBe('discouraged');
    expect(creation.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toContain(-7);

    const key = new SoftAuthenticator();
    const created = await admin.browser.post('/api/me/webauthn', {
      label: 'Blue key',
      response: key.create(creation),
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      id: expect.any(String),
      label: 'Blue key',
      createdAt: t.clock.now().toISOString(),
      lastUsedAt: null,
    });
    const [stored] = await storedKeys(t, admin.userId);
    expect(stored).toMatchObject({ counter: 0, transports: ['usb'], last_used_at: null });
    // the challenge was used up
    const challenges = await t.admin.query(
      'SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND webauthn_challenge IS NOT NULL',
      [admin.userId],
    );
    expect(challenges.rows[0].n).toBe(0);

    // A second registration excludes the key already registered.
    const again = (await admin.browser.post('/api/me/webauthn/options')).json().options;
    expect(again.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([stored!.credential_id]);

    // Sign-in: the password, then the key.
    t.clock.advance(60_000);
    const b = await pending(t, 'wa-admin1');
    expect((await b.get('/api/me')).json().code).toBe('mfa_required');
    const request = await signInOptions(b);
    expect(request.rpId).toBe('localhost');
    expect(request.allowCredentials).toEqual([
      { id: stored!.credential_id, type: 'public-key', transports: ['usb'] },
    ]);
    const pendingCookie = b.cookie;
    const ok = await verify(b, key.get(request));
    expect(ok.statusCode).toBe(200);
    expect(b.cookie).not.toBe(pendingCookie); // a new token: no session fixation
    expect((await b.get('/api/me')).json().username).toBe('wa-admin1');
    const [used] = await storedKeys(t, admin.userId);
    expect(used).toMatchObject({ counter: 1, last_used_at: t.clock.now() });
    expect((await b.get('/api/me/webauthn')).json()[0].lastUsedAt).toBe(t.clock.now().toISOString());

    // The authenticator app remains an alternative.
    t.clock.advance(30_000);
    const totp = await pending(t, 'wa-admin1');
    const code = generateTotp(admin.secret, t.clock.now());
    expect((await totp.post('/api/auth/mfa/verify', { code })).statusCode).toBe(200);

    // Audited, with field names only: neither the label nor the credential id is in the trail.
    const events = await auditOf(t, admin.userId);
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ['auth.webauthn_register', 'success'],
      ['auth.webauthn', 'success'],
    ]);
    expect(events[0]).toMatchObject({ entity_type: 'webauthn_credential', entity_id: created.json().id });
    expect(events[0]!.fields).toEqual(['credential_id', 'public_key', 'counter', 'transports', 'label']);
    const leaks = await t.admin.query(
      `SELECT count(*)::int AS n FROM audit_events
        WHERE array_to_string(fields, ' ') LIKE '%Blue%' OR entity_id = $1 OR action LIKE '%Blue%'`,
      [stored!.credential_id],
    );
    expect(leaks.rows[0].n).toBe(0);
    expect((await verifyAuditChain(t.admin)).ok).toBe(true);
  });

  it('offers registration to system administrators, agency administrators and DPOs only (403, nothing written)', async () => {
    for (const role of SECURITY_KEY_ROLES) {
      const a = await account(t, `wa-role-${role}`, [role]);
      expect((await a.browser.post('/api/me/webauthn/options')).statusCode).toBe(200);
    }
    const worker = await account(t, 'wa-worker', ['case_manager', 'analyst']);
    const key = new SoftAuthenticator();
    const before = await writeFingerprint(t.admin);
    const options = await worker.browser.post('/api/me/webauthn/options');
    expect(options.statusCode).toBe(403);
    expect(options.json().code).toBe('forbidden');
    const forged = key.create({ challenge: 'Zm9yZ2Vk', rp: { id: 'localhost' } });
    const finish = await worker.browser.post('/api/me/webauthn', { label: 'Mine', response: forged });
    expect(finish.statusCode).toBe(403);
    expect(await writeFingerprint(t.admin)).toEqual(before);
    const challenges = await t.admin.query(
      'SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND webauthn_challenge IS NOT NULL',
      [worker.userId],
    );
    expect(challenges.rows[0].n).toBe(0);
    expect((await worker.browser.get('/api/me/webauthn')).json()).toEqual([]);

    // Without a key, sign-in offers none, and an assertion is just a wrong second factor.
    t.clock.advance(30_000);
    const b = await pending(t, 'wa-worker');
    expect(await signInOptions(b)).toBeNull();
    const refused = await verify(b, key.get({ challenge: 'Zm9yZ2Vk', rpId: 'localhost' }));
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('mfa_invalid');
  });

  it('uses a challenge once: a replayed, expired or never-issued challenge is refused (401 mfa_invalid)', async () => {
    const admin = await account(t, 'wa-replay');
    const key = new SoftAuthenticator();
    expect((await register(admin.browser, key)).statusCode).toBe(201);

    const b1 = await pending(t, 'wa-replay');
    const first = key.get(await signInOptions(b1));
    expect((await verify(b1, first)).statusCode).toBe(200);
    // the same answer again, on the now signed-in session and on a new pending one
    const replay = await verify(b1, first);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('mfa_invalid');
    const b2 = await pending(t, 'wa-replay');
    expect((await verify(b2, first)).statusCode).toBe(401);
    // a fresh challenge does not revive the old answer, and the failed try uses the fresh challenge up
    const fresh = await signInOptions(b2);
    expect((await verify(b2, first)).statusCode).toBe(401);
    expect((await verify(b2, key.get(fresh))).statusCode).toBe(401);
    // success resets the failure count
    expect((await verify(b2, key.get(await signInOptions(b2)))).statusCode).toBe(200);
    // a challenge issued for registration does not sign anyone in
    const registration = (await admin.browser.post('/api/me/webauthn/options')).json().options;
    expect((await verify(admin.browser, key.get({ ...registration, rpId: 'localhost' }))).statusCode).toBe(
      401,
    );

    // a challenge lives five minutes
    const b3 = await pending(t, 'wa-replay');
    const late = await signInOptions(b3);
    t.clock.advance(5 * 60_000 + 1000);
    expect((await verify(b3, key.get(late))).statusCode).toBe(401);
    const onTime = await signInOptions(b3);
    t.clock.advance(4 * 60_000);
    expect((await verify(b3, key.get(onTime))).statusCode).toBe(200);

    const outcomes = (await auditOf(t, admin.userId)).filter((e) => e.action === 'auth.webauthn');
    expect(outcomes.map((e) => e.outcome)).toEqual([
      'success',
      'failure',
      'failure',
      'failure',
      'failure',
      'success',
      'failure',
      'failure',
      'success',
    ]);
  });

  it('refuses a signature counter that does not move forward, and keeps the stored one', async () => {
    const admin = await account(t, 'wa-counter');
    const key = new SoftAuthenticator();
    expect((await register(admin.browser, key)).statusCode).toBe(201);
    const b = await pending(t, 'wa-counter');
    expect((await verify(b, key.get(await signInOptions(b), { counter: 7 }))).statusCode).toBe(200);
    expect((await storedKeys(t, admin.userId))[0]!.counter).toBe(7);

    const c = await pending(t, 'wa-counter');
    const same = await verify(c, key.get(await signInOptions(c), { counter: 7 }));
    expect(same.statusCode).toBe(401);
    expect(same.json().code).toBe('mfa_invalid');
    expect((await verify(c, key.get(await signInOptions(c), { counter: 3 }))).statusCode).toBe(401);
    expect((await storedKeys(t, admin.userId))[0]!.counter).toBe(7);
    expect((await verify(c, key.get(await signInOptions(c), { counter: 8 }))).statusCode).toBe(200);
    expect((await storedKeys(t, admin.userId))[0]!.counter).toBe(8);
  });

  it("refuses another origin, another RP ID, another user's key and an unknown key", async () => {
    const alice = await account(t, 'wa-alice');
    const bob = await account(t, 'wa-bob');
    const aliceKey = new SoftAuthenticator();
    const bobKey = new SoftAuthenticator();
    expect((await register(alice.browser, aliceKey)).statusCode).toBe(201);
    expect((await register(bob.browser, bobKey)).statusCode).toBe(201);
    const stranger = new SoftAuthenticator();
    stranger.create({ challenge: 'AAAA', rp: { id: 'localhost' } });

    const b = await pending(t, 'wa-alice');
    type Options = Parameters<SoftAuthenticator['get']>[0];
    const attempts: Array<(options: Options) => unknown> = [
      (o) => aliceKey.get(o, { origin: 'https://evil.example' }),
      (o) => aliceKey.get(o, { origin: 'http://localhost:8443' }),
      (o) => aliceKey.get(o, { rpId: 'evil.example' }),
      (o) => bobKey.get(o, {}, bobKey.credentials[0]),
      (o) => stranger.get(o, {}, stranger.credentials[0]),
    ];
    for (const attempt of attempts) {
      const res = await verify(b, attempt(await signInOptions(b)));
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('mfa_invalid');
    }
    expect(await storedKeys(t, bob.userId)).toHaveLength(1);
    // the user got exactly five tries: the right key is now refused too, for 15 minutes
    const blocked = await verify(b, aliceKey.get(await signInOptions(b)));
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('too_many_requests');
    const code = generateTotp(alice.secret, new Date(t.clock.now().getTime() + 30_000));
    t.clock.advance(30_000);
    expect((await b.post('/api/auth/mfa/verify', { code })).statusCode).toBe(429);

    // Registration from another origin is refused, audited as a failure, and stores nothing.
    t.clock.advance(15 * 60_000 + 1000);
    const c = await pending(t, 'wa-alice');
    expect((await verify(c, aliceKey.get(await signInOptions(c)))).statusCode).toBe(200);
    const options = (await c.post('/api/me/webauthn/options')).json().options;
    const foreign = await c.post('/api/me/webauthn', {
      label: 'Phished',
      response: new SoftAuthenticator().create(options, { origin: 'https://evil.example' }),
    });
    expect(foreign.statusCode).toBe(401);
    expect(foreign.json().code).toBe('mfa_invalid');
    const wrongRp = (await c.post('/api/me/webauthn/options')).json().options;
    const elsewhere = await c.post('/api/me/webauthn', {
      label: 'Elsewhere',
      response: new SoftAuthenticator().create(wrongRp, { rpId: 'evil.example' }),
    });
    expect(elsewhere.statusCode).toBe(401);
    expect(await storedKeys(t, alice.userId)).toHaveLength(1);
    const registrations = (await auditOf(t, alice.userId)).filter(
      (e) => e.action === 'auth.webauthn_register',
    );
    expect(registrations.map((e) => e.outcome)).toEqual(['success', 'failure', 'failure']);
  });

  it('needs a recent re-authentication to add or remove a key; removal is audited; refusals write nothing', async () => {
    const admin = await account(t, 'wa-remove');
    const other = await account(t, 'wa-other');
    const key = new SoftAuthenticator();
    const created = (await register(admin.browser, key)).json();
    const otherKey = (await register(other.browser, new SoftAuthenticator())).json();

    t.clock.advance(5 * 60_000 + 1000);
    const before = await writeFingerprint(t.admin);
    const refused = await admin.browser.delete(`/api/me/webauthn/${created.id}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('reauth_required');
    const add = await admin.browser.post('/api/me/webauthn/options');
    expect(add.json().code).toBe('reauth_required');
    expect(await writeFingerprint(t.admin)).toEqual(before);
    expect((await admin.browser.get('/api/me/webauthn')).json()).toHaveLength(1);

    const code = generateTotp(admin.secret, t.clock.now());
    expect((await admin.browser.post('/api/auth/reauth', { password: PASSWORD, code })).statusCode).toBe(200);
    // someone else's key is not found, and stays
    const foreign = await admin.browser.delete(`/api/me/webauthn/${otherKey.id}`);
    expect(foreign.statusCode).toBe(404);
    expect(await storedKeys(t, other.userId)).toHaveLength(1);

    const removed = await admin.browser.delete(`/api/me/webauthn/${created.id}`);
    expect(removed.statusCode).toBe(200);
    expect((await admin.browser.get('/api/me/webauthn')).json()).toEqual([]);
    expect((await admin.browser.delete(`/api/me/webauthn/${created.id}`)).statusCode).toBe(404);
    const events = await auditOf(t, admin.userId);
    expect(events.at(-1)).toMatchObject({
      action: 'auth.webauthn_remove',
      outcome: 'success',
      entity_type: 'webauthn_credential',
      entity_id: created.id,
    });

    // without a key, sign-in offers the code only
    const b = await pending(t, 'wa-remove');
    expect(await signInOptions(b)).toBeNull();
  });

  it('takes the relying party from the host the request was sent to, checked against the Origin', async () => {
    const admin = await account(t, 'wa-host');
    const host = { host: 'nrm.example.tm', origin: 'https://nrm.example.tm' };
    const options = await admin.browser.post('/api/me/webauthn/options', {}, host);
    expect(options.json().options.rp.id).toBe('nrm.example.tm');
    const key = new SoftAuthenticator('https://nrm.example.tm');
    const created = await admin.browser.post(
      '/api/me/webauthn',
      { label: 'Ministry key', response: key.create(options.json().options) },
      host,
    );
    expect(created.statusCode).toBe(201);

    // The same key, presented to the site under another name, is refused.
    const b = await pending(t, 'wa-host');
    const elsewhere = await signInOptions(b);
    expect(elsewhere.rpId).toBe('localhost');
    expect((await verify(b, key.get(elsewhere))).statusCode).toBe(401);
    const here = (await b.post('/api/auth/webauthn/options', {}, host)).json().options;
    expect((await b.post('/api/auth/webauthn/verify', { response: key.get(here) }, host)).statusCode).toBe(
      200,
    );
  });

  it('a credential reset removes the security keys', async () => {
    const admin = await account(t, 'wa-reset');
    expect((await register(admin.browser, new SoftAuthenticator())).statusCode).toBe(201);
    await withTx(t.deps.db.pool, null, (tx) => issueSetupToken(tx, admin.userId, t.clock.now()));
    expect(await storedKeys(t, admin.userId)).toEqual([]);
  });
});
