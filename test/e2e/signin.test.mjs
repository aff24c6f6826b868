// (2) The sign-in page in each language; (4) a wrong password shows a localized error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { byTestId, htmlLang, LOCALES, launch, newPage, openSignIn, screenshot } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the sign-in page in tk, ru and en, with the demo banner', async () => {
  const { context, page, errors } = await newPage(browser);
  await page.goto('/');
  await byTestId(page, 'signin-username').waitFor();
  // No stored choice: Turkmen is the default.
  assert.equal(await htmlLang(page), 'tk');
  const titles = new Set();
  for (const locale of LOCALES) {
    await openSignIn(page, locale);
    assert.equal(await htmlLang(page), locale);
    await byTestId(page, 'demo-banner').waitFor();
    titles.add(((await byTestId(page, 'page-title').textContent()) ?? '').trim());
    await screenshot(page, `${locale}-signin`);
  }
  assert.equal(titles.size, 3, 'the heading differs in each language');
  // The choice survives a reload (kept in localStorage before sign-in).
  await page.reload();
  await byTestId(page, 'signin-username').waitFor();
  assert.equal(await htmlLang(page), 'en');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wrong password shows the server’s error in the chosen language', async () => {
  const { context, page } = await newPage(browser);
  const users = { tk: 'trainer', ru: 'analyst', en: 'nap' };
  const messages = {};
  for (const locale of LOCALES) {
    await openSignIn(page, locale);
    await byTestId(page, 'signin-username').fill(users[locale]);
    await byTestId(page, 'signin-password').fill('not-the-right-password-at-all');
    await byTestId(page, 'signin-submit').click();
    const error = byTestId(page, 'form-error');
    await error.waitFor();
    messages[locale] = ((await byTestId(page, 'error-message').textContent()) ?? '').trim();
    assert.ok(messages[locale].length > 0);
    assert.equal(await error.getAttribute('role'), 'alert');
    if (locale === 'tk') await screenshot(page, 'tk-signin-error');
    // Still on the sign-in page, password cleared.
    assert.equal(await byTestId(page, 'signin-password').inputValue(), '');
  }
  assert.notEqual(messages.tk, messages.en);
  assert.notEqual(messages.ru, messages.en);
  assert.match(messages.ru, /[а-яё]/i, 'the Russian message is in Cyrillic');
  await context.close();
});
