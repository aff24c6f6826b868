// The session ends (401), the server is unavailable (503), the user goes idle.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { byTestId, launch, newPage, signIn } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('a session that ended on the server leads to sign-in with a notice', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, 'coordinator');
  await context.clearCookies();
  await byTestId(page, 'nav-agencies').click();
  await byTestId(page, 'signin-notice').waitFor();
  assert.equal(new URL(page.url()).pathname, '/signin');
  await context.close();
});

test('a 503 shows the "temporarily unavailable" banner until the server answers again', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, 'casemanager');
  await page.route('**/api/agencies?**', (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ code: 'service_unavailable', message: '…', requestId: 'e2e' }),
    }),
  );
  await byTestId(page, 'nav-agencies').click();
  await byTestId(page, 'service-banner').waitFor();
  await page.unroute('**/api/agencies?**');
  await byTestId(page, 'nav-home').click();
  await byTestId(page, 'nav-agencies').click();
  await byTestId(page, 'agency-table').waitFor();
  await byTestId(page, 'service-banner').waitFor({ state: 'detached' });
  await context.close();
});

test('after a long idle time a dialog offers to stay signed in', async () => {
  const { context, page } = await newPage(browser);
  await page.clock.install();
  await signIn(page, 'provider');
  const idle = await page.evaluate(async () => (await (await fetch('/api/me')).json()).idleTimeoutSeconds);
  // Two minutes before the end, plus a little.
  await page.clock.fastForward((idle - 115) * 1000);
  await byTestId(page, 'idle-dialog').locator('h2').waitFor();
  await byTestId(page, 'idle-stay').click();
  await byTestId(page, 'idle-dialog').locator('h2').waitFor({ state: 'detached' });
  await byTestId(page, 'user-menu').waitFor();
  await context.close();
});

test('a step-up request opens the confirmation dialog, then repeats the action once', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, 'sysadmin');
  const calls = [];
  let first = true;
  await page.route('**/api/users/*/reset-credentials', (route) => {
    calls.push('reset');
    if (!first) return route.continue();
    first = false;
    return route.fulfill({
      status: 403,
      contentType: 'application/json',
      body: JSON.stringify({ code: 'reauth_required', message: '…', requestId: 'e2e' }),
    });
  });
  // The confirmation itself is answered here (the test is about the dialog and the one repeat).
  await page.route('**/api/auth/reauth', (route) => {
    const body = JSON.parse(route.request().postData() ?? '{}');
    calls.push(`reauth ${'code' in body ? body.code : 'password only'}`);
    return route.fulfill({ status: 200, contentType: 'application/json', body: '{"ok":true}' });
  });
  await byTestId(page, 'nav-users').click();
  await page.locator('[data-testid="user-table"] tbody tr', { hasText: 'border' }).locator('a').click();
  await byTestId(page, 'user-reset').click();
  await byTestId(page, 'user-confirm-confirm').click();
  await byTestId(page, 'reauth-password').fill('Garagum-desert-2026');
  // a demo account in demo mode has no authenticator: the dialog asks for the password only
  assert.equal(await byTestId(page, 'reauth-code').count(), 0);
  await byTestId(page, 'reauth-submit').click();
  await byTestId(page, 'setup-token-dialog').locator('.token').waitFor();
  assert.deepEqual(calls, ['reset', 'reauth password only', 'reset']);
  await context.close();
});
