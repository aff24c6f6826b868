// National statistics (G23, ADR 16): the analyst sees counts by one or two variables, never records; the
// page is accessible and looked at in tk, ru and en; a case manager has no statistics entry.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertAccessible,
  byTestId,
  htmlLang,
  LOCALES,
  launch,
  newPage,
  screenshot,
  signIn,
  switchLocale,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the analyst reads national counts by one and two variables; others have no entry', async () => {
  const { context, page, errors } = await newPage(browser);
  await signIn(page, 'analyst');
  await byTestId(page, 'nav-statistics').click();
  await byTestId(page, 'statistics-table').waitFor();
  await byTestId(page, 'statistics-total').waitFor();
  // two variables by default: a header row with the column categories and a total column
  const headers = await byTestId(page, 'statistics-table').locator('thead th').count();
  assert.ok(headers >= 4, `expected a cross-table, got ${headers} columns`);
  await byTestId(page, 'statistics-cols').selectOption('');
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="statistics-table"] thead th').length === 2,
  );
  await byTestId(page, 'statistics-rows').selectOption('citizenship');
  await byTestId(page, 'statistics-cols').selectOption('agencyType');
  await byTestId(page, 'statistics-table').waitFor();
  for (const l of LOCALES) {
    if ((await htmlLang(page)) !== l) await switchLocale(page, l);
    await byTestId(page, 'statistics-note').waitFor();
    await screenshot(page, `${l}-statistics`);
  }
  await assertAccessible(page, 'statistics');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  assert.ok(!stored.includes('statistics'), stored);
  assert.deepEqual(errors, []);
  await context.close();

  const other = await newPage(browser);
  await signIn(other.page, 'casemanager');
  assert.equal(await byTestId(other.page, 'nav-statistics').count(), 0);
  await other.context.close();
});
