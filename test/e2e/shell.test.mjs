// (1) Sign in as the system administrator, switch the language tk → ru → en, and screenshot the main pages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { byTestId, htmlLang, launch, newPage, screenshot, signIn, switchLocale } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('sysadmin sees the shell and can switch the language tk → ru → en', async () => {
  const { context, page, errors } = await newPage(browser);
  await signIn(page, 'sysadmin');

  // The shell: landmarks, navigation by permission, the demo banner.
  assert.equal(await page.locator('header.topbar').count(), 1);
  assert.equal(await page.locator('nav.sidenav').count(), 1);
  assert.equal(await page.locator('main#main').count(), 1);
  await byTestId(page, 'demo-banner').waitFor();
  for (const id of ['nav-home', 'nav-agencies', 'nav-users', 'nav-account'])
    await byTestId(page, id).waitFor();
  assert.equal(
    await byTestId(page, 'nav-audit').count(),
    0,
    'the system administrator does not read the audit log',
  );

  // sysadmin's account language is Turkmen
  assert.equal(await htmlLang(page), 'tk');
  const labels = {};
  for (const locale of ['tk', 'ru', 'en']) {
    if ((await htmlLang(page)) !== locale) await switchLocale(page, locale);
    assert.equal(await htmlLang(page), locale);
    labels[locale] = ((await byTestId(page, 'nav-users').textContent()) ?? '').trim();

    await byTestId(page, 'nav-home').click();
    await byTestId(page, 'home-memberships').waitFor();
    await screenshot(page, `${locale}-home`);

    await byTestId(page, 'nav-users').click();
    await byTestId(page, 'user-table').waitFor();
    await screenshot(page, `${locale}-users`);

    await byTestId(page, 'nav-agencies').click();
    await byTestId(page, 'agency-table').waitFor();
    await screenshot(page, `${locale}-agencies`);
  }
  assert.notEqual(labels.tk, labels.ru);
  assert.notEqual(labels.ru, labels.en);
  assert.notEqual(labels.tk, labels.en);

  // The choice is saved to the account: a reload keeps English.
  await page.reload();
  await byTestId(page, 'user-menu').waitFor();
  assert.equal(await htmlLang(page), 'en');

  // Turkmen dates come from the polyfill: the home page shows a Turkmen month name.
  await switchLocale(page, 'tk');
  await byTestId(page, 'nav-home').click();
  const today = (await page.locator('.today').textContent()) ?? '';
  const tkMonths = [
    'ýanwar',
    'fewral',
    'mart',
    'aprel',
    'maý',
    'iýun',
    'iýul',
    'awgust',
    'sentýabr',
    'oktýabr',
    'noýabr',
    'dekabr',
  ];
  assert.ok(
    tkMonths.some((m) => today.toLowerCase().includes(m)),
    `expected a Turkmen month name in "${today}"`,
  );

  assert.deepEqual(errors, []);
  await context.close();
});
