// (5) After sign-out the browser keeps nothing but the language choice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { byTestId, launch, newPage, signIn, signOut } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function storage(page) {
  return page.evaluate(async () => ({
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
    indexedDb: (await indexedDB.databases()).map((d) => d.name),
    caches: await caches.keys(),
    cookies: document.cookie,
  }));
}

test('sign-out leaves only halas.locale in browser storage', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, 'agencyadmin');
  await byTestId(page, 'nav-users').click();
  await byTestId(page, 'user-table').waitFor();
  await byTestId(page, 'nav-account').click();
  await byTestId(page, 'session-table').waitFor();

  const during = await storage(page);
  assert.ok(
    during.local.every((k) => k === 'halas.locale'),
    `during: ${during.local}`,
  );
  assert.deepEqual(during.session, []);
  assert.equal(during.cookies, '', 'the session cookie is HttpOnly');

  await signOut(page);
  await byTestId(page, 'signin-notice').waitFor();
  const afterwards = await storage(page);
  assert.deepEqual(afterwards.local, ['halas.locale']);
  assert.deepEqual(afterwards.session, []);
  assert.deepEqual(afterwards.indexedDb, []);
  assert.deepEqual(afterwards.caches, []);

  // The session is really gone: a protected page sends us back to sign-in.
  await page.goto('/users');
  await byTestId(page, 'signin-username').waitFor();
  await context.close();
});
