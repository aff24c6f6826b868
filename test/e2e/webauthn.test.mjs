// Security keys (WebAuthn) with Chromium's virtual authenticator (CDP): the demo system administrator
// registers and removes a key on My account; a new, non-demo agency administrator (created through the API,
// with an authenticator app) registers a key and then signs in with it instead of a code.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { assertAccessible, BASE_URL, byTestId, launch, screenshot, signIn, signOut } from './helpers.mjs';

// A relying party ID must be a domain name: browsers refuse WebAuthn on an IP address, so this file talks to
// the same server as "localhost" (a secure context over plain http, like 127.0.0.1).
const KEY_URL = BASE_URL.replace('127.0.0.1', 'localhost');

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A fresh context and page with a virtual USB security key (CTAP2, no resident keys, user verified). */
async function pageWithKey() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, baseURL: KEY_URL });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      errors.push(message.text());
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: false,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const credentials = async () =>
    (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  return { context, page, errors, credentials };
}

/** Calls the API from the page, as the app does (same origin, custom header). */
async function api(page, method, path, body) {
  return page.evaluate(
    async ([m, p, b]) => {
      const response = await fetch(p, {
        method: m,
        headers: { 'Content-Type': 'application/json', 'X-Halas-Request': '1', Accept: 'application/json' },
        body: m === 'GET' ? undefined : JSON.stringify(b ?? {}),
        credentials: 'same-origin',
      });
      return { status: response.status, body: await response.json() };
    },
    [method, path, body],
  );
}

async function addKey(page, label) {
  await byTestId(page, 'nav-account').click();
  await byTestId(page, 'security-keys').waitFor();
  await byTestId(page, 'security-key-label').fill(label);
  await byTestId(page, 'security-key-add').click();
  await page.locator('[data-testid="security-key-row"]', { hasText: label }).waitFor();
}

test('the demo system administrator registers a security key on My account, and removes it', async () => {
  const { context, page, errors, credentials } = await pageWithKey();
  await signIn(page, 'sysadmin');
  await byTestId(page, 'nav-account').click();
  await byTestId(page, 'security-key-none').waitFor();

  await addKey(page, 'YubiKey 5 NFC');
  const stored = await credentials();
  assert.equal(stored.length, 1, 'the key holds one credential');
  assert.equal(stored[0].rpId, 'localhost');
  assert.equal(stored[0].isResidentCredential, false);
  assert.equal(await page.locator('[data-testid="security-key-row"]').count(), 1);
  await screenshot(page, 'tk-security-keys');
  await assertAccessible(page, 'account with a security key');

  await byTestId(page, 'security-key-remove').click();
  await byTestId(page, 'security-key-remove-dialog-confirm').click();
  await byTestId(page, 'security-key-none').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

const KEY_USER = 'e2e.keyholder';
const KEY_PASSWORD = 'Amyderýanyň kenarynda 2026 ýyl';

test('an agency administrator signs in with a security key instead of the authenticator code', async () => {
  const { context, page, errors, credentials } = await pageWithKey();

  // 1. The demo agency administrator creates a colleague with the agency_admin role.
  await signIn(page, 'agencyadmin');
  const me = await api(page, 'GET', '/api/me');
  const created = await api(page, 'POST', '/api/users', {
    username: KEY_USER,
    displayName: 'Aýna Öwezowa',
    agencyId: me.body.memberships[0].agencyId,
    roles: ['agency_admin'],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await signOut(page);

  // 2. The colleague sets a password and enrols an authenticator app (through the API: covered in admin.test).
  assert.equal(
    (await api(page, 'POST', '/api/auth/setup', { token: created.body.setupToken, password: KEY_PASSWORD }))
      .status,
    200,
  );
  const login = await api(page, 'POST', '/api/auth/login', { username: KEY_USER, password: KEY_PASSWORD });
  assert.equal(login.body.next, 'mfa_enrol');
  const { secret } = (await api(page, 'POST', '/api/auth/mfa/enrol/start')).body;
  const code = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
  }).generate();
  assert.equal((await api(page, 'POST', '/api/auth/mfa/enrol/finish', { code })).status, 200);

  // 3. On My account, they register the security key.
  await page.goto('/');
  await byTestId(page, 'user-menu').waitFor();
  await addKey(page, 'Desk key');
  assert.equal((await credentials()).length, 1);
  assert.equal(await page.locator('[data-testid="security-key-row"]', { hasText: 'Desk key' }).count(), 1);
  await signOut(page);

  // 4. Next sign-in: password, then the key (the code stays available as the alternative).
  await byTestId(page, 'signin-username').fill(KEY_USER);
  await byTestId(page, 'signin-password').fill(KEY_PASSWORD);
  await byTestId(page, 'signin-submit').click();
  await byTestId(page, 'mfa-security-key').waitFor();
  assert.ok(await byTestId(page, 'mfa-code').isVisible(), 'the code field is still offered');
  await screenshot(page, 'tk-mfa-security-key');
  await assertAccessible(page, 'second factor with a security key');
  await byTestId(page, 'mfa-security-key').click();
  await byTestId(page, 'user-menu').waitFor({ timeout: 20_000 });
  assert.equal((await credentials())[0].signCount > 0, true, 'the key signed');

  // The key now shows when it was last used.
  await byTestId(page, 'nav-account').click();
  await byTestId(page, 'security-key-table').waitFor();
  const row = page.locator('[data-testid="security-key-row"]', { hasText: 'Desk key' });
  assert.equal(await row.locator('td').nth(2).locator('.muted').count(), 0, 'last use is recorded');
  assert.deepEqual(errors, []);
  await context.close();
});
