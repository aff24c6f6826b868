import { after, before, test } from 'node:test';
import { assertAccessible, byTestId, launch, newPage, openSignIn, screenshot, signIn } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('accessibility of sign-in, home, users and audit', async () => {
  const { context, page } = await newPage(browser);
  await openSignIn(page);
  await assertAccessible(page, 'sign-in');

  await signIn(page, 'dpo');
  await byTestId(page, 'home-memberships').waitFor();
  await assertAccessible(page, 'home');

  await byTestId(page, 'nav-users').click();
  await byTestId(page, 'user-table').waitFor();
  await assertAccessible(page, 'users');

  await byTestId(page, 'nav-audit').click();
  await byTestId(page, 'audit-table').waitFor();
  await assertAccessible(page, 'audit');
  await screenshot(page, 'en-audit');
  await context.close();
});
