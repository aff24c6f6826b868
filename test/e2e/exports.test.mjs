// Exports of person records (ADR 15): a case manager asks for an identifying XLSX export, which waits for a
// colleague; the colleague approves it with a step-up; the requester downloads it. A statistical CSV export
// is downloadable at once. Nothing is kept in browser storage. Screenshots in tk, ru and en; axe on the page
// and the dialog.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  assertAccessible,
  byTestId,
  DEMO_PASSWORD,
  htmlLang,
  LOCALES,
  launch,
  newPage,
  screenshot,
  screenshotDir,
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

async function closeToasts(page) {
  await page.evaluate(() => {
    for (const close of document.querySelectorAll('[data-testid="toast"] button')) close.click();
  });
}

/** Switches the language (header switcher) unless the page already speaks it. */
async function locale(page, l) {
  if ((await htmlLang(page)) !== l) await switchLocale(page, l);
}

/** A screenshot in test-results, also copied to /tmp for review (exports-<name>-<locale>.png). */
async function shoot(page, l, name) {
  await screenshot(page, `${l}-exports-${name}`);
  fs.copyFileSync(path.join(screenshotDir, `${l}-exports-${name}.png`), `/tmp/exports-${name}-${l}.png`);
}

/** The page in each language (screenshot), axe once; ends in English. */
async function shootPage(page, name) {
  for (const l of LOCALES) {
    await locale(page, l);
    await closeToasts(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, l, name);
  }
  await assertAccessible(page, `exports-${name}`);
}

/** If the server asks for step-up, confirms with the demo password (the demo skips the second factor). */
async function confirmStepUp(page, done) {
  const which = await Promise.race([
    byTestId(page, 'reauth-dialog')
      .waitFor({ timeout: 20_000 })
      .then(() => 'reauth'),
    done.waitFor({ timeout: 20_000 }).then(() => 'done'),
  ]);
  if (which === 'reauth') {
    await byTestId(page, 'reauth-password').fill(DEMO_PASSWORD);
    if (await byTestId(page, 'reauth-code').count()) await byTestId(page, 'reauth-code').fill('000000');
    await byTestId(page, 'reauth-submit').click();
    await done.waitFor({ timeout: 20_000 });
  }
  return which;
}

/** Only the chosen language may be kept in the browser: never an export, a name or a token. */
async function assertNothingStored(page) {
  const stored = await page.evaluate(() => ({
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
  }));
  assert.deepEqual(
    stored.local.filter((k) => k !== 'halas.locale'),
    [],
    'nothing but the language in localStorage',
  );
  assert.deepEqual(stored.session, [], 'nothing in sessionStorage');
}

async function openExports(page) {
  await byTestId(page, 'nav-exports').click();
  await byTestId(page, 'exports-list').waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid="exports-list"] .loading'));
}

const row = (page, id) => page.locator(`[data-testid="export-row"][data-export-id="${id}"]`);

/** Fills and sends the new-export dialog; returns the export as the server created it. */
async function requestExport(page, { purpose, format, classes }) {
  await byTestId(page, 'export-new').click();
  await page.locator('dialog[open][data-testid="export-dialog"]').waitFor();
  await byTestId(page, 'export-purpose').selectOption(purpose);
  await byTestId(page, 'export-format').selectOption(format);
  for (const cls of classes) await byTestId(page, `export-class-${cls}`).check();
  const created = page.waitForResponse(
    (r) => r.url().endsWith('/api/exports') && r.request().method() === 'POST',
  );
  await byTestId(page, 'export-submit').click();
  const response = await created;
  assert.equal(response.status(), 201);
  await page.locator('dialog[open][data-testid="export-dialog"]').waitFor({ state: 'detached' });
  const view = await response.json();
  await row(page, view.id).waitFor();
  return view;
}

/** Registers a person in the case manager's agency (so that the files have a row), without a consent. */
async function registerPerson(page) {
  return page.evaluate(async () => {
    const response = await fetch('/api/persons', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Halas-Request': '1',
        'Idempotency-Key': crypto.randomUUID(),
      },
      body: JSON.stringify({
        sex: 'female',
        birthYear: 1994,
        identity: { names: [{ value: 'Gülşirin Saparowa', kind: 'primary' }] },
        trafficking: { notes: 'Recruited with a false job offer abroad.' },
      }),
    });
    return { status: response.status, json: await response.json() };
  });
}

const shared = {};

test('a case manager asks for an identifying XLSX export (pending) and a statistical CSV (ready at once)', async () => {
  const { context, page, errors } = await newPage(browser);
  await signIn(page, 'casemanager');
  await locale(page, 'en');
  const person = await registerPerson(page);
  assert.equal(person.status, 201);
  const ref = person.json.person.ref;
  await openExports(page);

  // The dialog in each language: the identifying note appears once identity is ticked.
  for (const l of LOCALES) {
    await locale(page, l);
    await closeToasts(page);
    await byTestId(page, 'export-new').click();
    await page.locator('dialog[open][data-testid="export-dialog"]').waitFor();
    assert.equal(await byTestId(page, 'export-note-identifying').count(), 0);
    await byTestId(page, 'export-class-identity').check();
    await byTestId(page, 'export-note-identifying').waitFor();
    await shoot(page, l, 'dialog');
    if (l === 'en') {
      // a purpose is required before anything is sent
      await byTestId(page, 'export-submit').click();
      await page.locator('dialog[open] .field-error').waitFor();
      await assertAccessible(page, 'exports-dialog');
    }
    await page.keyboard.press('Escape');
    await page.locator('dialog[open][data-testid="export-dialog"]').waitFor({ state: 'detached' });
  }

  const identifying = await requestExport(page, {
    purpose: 'assistance',
    format: 'xlsx',
    classes: ['identity', 'contact'],
  });
  assert.equal(identifying.status, 'pending');
  assert.equal(identifying.identifying, true);
  shared.identifyingId = identifying.id;
  const pending = row(page, identifying.id);
  assert.equal(await pending.getAttribute('data-status'), 'pending');
  assert.equal(await pending.locator('[data-testid="export-download"]').count(), 0, 'no download yet');
  assert.equal(await pending.locator('[data-testid="export-approve"]').count(), 0, 'no self-approval');

  const statistical = await requestExport(page, {
    purpose: 'research_statistics',
    format: 'csv',
    classes: ['trafficking'],
  });
  assert.equal(statistical.status, 'approved');
  const ready = row(page, statistical.id);
  assert.equal(await ready.getAttribute('data-status'), 'approved');
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    ready.locator('[data-testid="export-download"]').click(),
  ]);
  assert.match(csv.suggestedFilename(), /^halas-export-[\w-]+\.csv$/);
  // the person is a row; without a consent for the purpose the protected data stay out of the file
  const text = fs.readFileSync(await csv.path(), 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(ref));
  assert.ok(line, 'the person is in the file');
  assert.ok(line.includes('casemanager'), 'every row carries the watermark');
  assert.ok(!text.includes('false job offer'), 'nothing without consent');

  await shootPage(page, 'page');
  await assertNothingStored(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a colleague approves the identifying export with a step-up; the requester downloads the XLSX', async () => {
  assert.ok(shared.identifyingId, 'needs the first test');
  const colleague = await newPage(browser);
  const c = colleague.page;
  await signIn(c, 'casemanager2');
  await locale(c, 'en');
  await openExports(c);
  const pending = row(c, shared.identifyingId);
  await pending.waitFor();
  assert.equal(await pending.locator('[data-testid="export-download"]').count(), 0, 'only the requester');
  await shootPage(c, 'approver');

  // The session is fresh (the server asks for a step-up after 300 s): the first answer is the one an older
  // session gets, so the re-authentication with the password and the repeated call are exercised.
  let forced = 0;
  await c.route('**/api/exports/*/approve', async (route) => {
    if (forced >= 1) return route.continue();
    forced++;
    await route.fulfill({
      status: 403,
      contentType: 'application/json',
      body: JSON.stringify({ code: 'reauth_required', message: '', requestId: 'e2e' }),
    });
  });
  const reauthCalls = [];
  c.on('response', (r) => {
    if (r.url().endsWith('/api/auth/reauth')) reauthCalls.push(r.status());
  });
  await pending.locator('[data-testid="export-approve"]').click();
  await c.locator('dialog[open][data-testid="export-decide-confirm"]').waitFor();
  await assertAccessible(c, 'exports-approve-confirm');
  await shoot(c, 'en', 'approve-confirm');
  await byTestId(c, 'export-decide-confirm-confirm').click();
  assert.equal(await confirmStepUp(c, byTestId(c, 'toast')), 'reauth');
  assert.deepEqual(reauthCalls, [200]);
  await c.locator('dialog[open][data-testid="export-decide-confirm"]').waitFor({ state: 'detached' });
  await pending.locator('[data-testid="export-approve"]').waitFor({ state: 'detached' });
  assert.equal(await pending.getAttribute('data-status'), 'approved');
  assert.ok((await pending.textContent()).includes('Aýna Orazowa'), 'the approver is named');
  await assertNothingStored(c);
  assert.deepEqual(colleague.errors, []);
  await colleague.context.close();

  const requester = await newPage(browser);
  const p = requester.page;
  await signIn(p, 'casemanager');
  await locale(p, 'en');
  await openExports(p);
  const approved = row(p, shared.identifyingId);
  await approved.locator('[data-testid="export-download"]').waitFor();
  const [xlsx] = await Promise.all([
    p.waitForEvent('download'),
    approved.locator('[data-testid="export-download"]').click(),
  ]);
  assert.match(xlsx.suggestedFilename(), /^halas-export-[\w-]+\.xlsx$/);
  const bytes = fs.readFileSync(await xlsx.path());
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'a workbook (zip)');
  await byTestId(p, 'toast').waitFor();
  await shootPage(p, 'approved');
  await assertNothingStored(p);
  assert.deepEqual(requester.errors, []);
  await requester.context.close();
});
