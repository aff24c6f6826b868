// An agency administrator adds a user; the user sets a password with the one-time code, enrols an
// authenticator, saves recovery codes and reaches the home page; then, as an administrator with MFA, resets
// a colleague's sign-in (confirming with password and code when the server asks for it).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { byTestId, htmlLang, launch, newPage, screenshot, signIn, signOut } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const NEW_USER = 'e2e.officer';
const NEW_PASSWORD = 'Köpetdagyň depesinde gar 2026';

function totp(secret) {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate();
}

test('create a user, set the password, enrol MFA, reset a colleague', async () => {
  const { context, page, errors } = await newPage(browser);

  // 1. The police agency administrator adds an officer.
  await signIn(page, 'agencyadmin');
  assert.equal(await htmlLang(page), 'tk');
  await byTestId(page, 'nav-agencies').click();
  await byTestId(page, 'agency-table').waitFor();
  await page.locator('[data-testid="agency-table"] tbody a').first().click();
  await byTestId(page, 'user-table').waitFor();
  await screenshot(page, 'tk-agency');

  await byTestId(page, 'nav-users').click();
  await byTestId(page, 'user-create').click();
  await byTestId(page, 'user-create-dialog').waitFor();
  await byTestId(page, 'user-display-name').fill('Täçmyrat Nurow');
  await byTestId(page, 'user-username').fill(NEW_USER);
  // A single agency in scope is chosen already; the roles come from the server.
  await byTestId(page, 'role-agency_admin').waitFor();
  assert.equal(
    await byTestId(page, 'role-system_admin').count(),
    0,
    'an agency admin cannot grant system_admin',
  );
  await byTestId(page, 'role-agency_admin').check();
  await byTestId(page, 'role-frontline_identifier').check();
  await screenshot(page, 'tk-user-create');
  await byTestId(page, 'user-create-submit').click();

  await byTestId(page, 'setup-token-dialog').waitFor();
  const token = ((await byTestId(page, 'setup-token-value').textContent()) ?? '').trim();
  assert.ok(token.length >= 20, 'a setup token is shown');
  await screenshot(page, 'tk-setup-token');
  await byTestId(page, 'setup-token-done').click();
  await byTestId(page, 'membership-table').waitFor();
  await screenshot(page, 'tk-user');
  await signOut(page);

  // 2. The officer sets a password with the code (typed in, never in the address).
  await byTestId(page, 'setup-link').click();
  await byTestId(page, 'setup-token').fill(token);
  await byTestId(page, 'setup-password').fill(NEW_PASSWORD);
  await byTestId(page, 'setup-confirm').fill(NEW_PASSWORD);
  await screenshot(page, 'tk-setup');
  assert.ok(!page.url().includes(token));
  await byTestId(page, 'setup-submit').click();
  await byTestId(page, 'signin-notice').waitFor();

  // 3. First sign-in: enrol an authenticator, keep the recovery codes.
  await byTestId(page, 'signin-username').fill(NEW_USER);
  await byTestId(page, 'signin-password').fill(NEW_PASSWORD);
  await byTestId(page, 'signin-submit').click();
  await byTestId(page, 'enrol-qr').waitFor();
  const secret = (await page.locator('[data-testid="enrol-secret"] .secret-group').allTextContents()).join(
    '',
  );
  assert.match(secret, /^[A-Z2-7]+=*$/);
  await screenshot(page, 'tk-enrol');
  await byTestId(page, 'mfa-code').fill(totp(secret));
  await byTestId(page, 'mfa-submit').click();
  await byTestId(page, 'recovery-codes').waitFor();
  assert.ok((await page.locator('[data-testid="recovery-codes"] li').count()) >= 5);
  await screenshot(page, 'tk-recovery-codes');
  assert.ok(await byTestId(page, 'codes-continue').isDisabled());
  await byTestId(page, 'codes-stored').check();
  await byTestId(page, 'codes-continue').click();
  await byTestId(page, 'home-memberships').waitFor();

  // 4. As an administrator with MFA, reset a colleague's sign-in.
  await byTestId(page, 'nav-users').click();
  await byTestId(page, 'user-table').waitFor();
  await page.locator('[data-testid="user-table"] tbody tr', { hasText: 'authority' }).locator('a').click();
  await byTestId(page, 'user-reset').click();
  await byTestId(page, 'user-confirm-confirm').click();
  const reauth = byTestId(page, 'reauth-dialog');
  const issued = byTestId(page, 'setup-token-dialog');
  await Promise.race([reauth.locator('form').waitFor(), issued.locator('.token').waitFor()]);
  if (await reauth.locator('form').isVisible()) {
    await byTestId(page, 'reauth-password').fill(NEW_PASSWORD);
    // A fresh step so the code is not the one already used.
    await page.waitForTimeout(((30 - (Math.floor(Date.now() / 1000) % 30)) % 30) * 1000 + 1000);
    await byTestId(page, 'reauth-code').fill(totp(secret));
    await byTestId(page, 'reauth-submit').click();
  }
  await issued.locator('.token').waitFor();
  await byTestId(page, 'setup-token-done').click();

  // 5. The account page with the sessions list.
  await byTestId(page, 'nav-account').click();
  await byTestId(page, 'session-table').waitFor();
  await screenshot(page, 'tk-account');

  assert.deepEqual(errors, []);
  await context.close();
});
