// First-visit JavaScript: the sign-in page plus the signed-in shell must stay within 170 KB gzip.
// Intl polyfills and their locale data (assets/intl/) are counted apart: only browsers that lack a locale
// fetch them (Chromium lacks Turkmen), in parallel with the first render, which does not wait for them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { byTestId, launch, newPage, root, signIn } from './helpers.mjs';

const BUDGET = 170 * 1024;
const INTL_BUDGET = 130 * 1024;
let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

test('sign-in + shell JavaScript stays within 170 KB gzip', async () => {
  const { context, page } = await newPage(browser);
  const scripts = new Set();
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.add(new URL(request.url()).pathname);
  });
  await signIn(page, 'sysadmin');
  await byTestId(page, 'home-memberships').waitFor();
  const totals = { app: 0, intl: 0 };
  const lines = [];
  for (const pathname of [...scripts].sort()) {
    const size = gzipSync(fs.readFileSync(path.join(root, 'dist', 'web', pathname)), { level: 9 }).length;
    const kind = pathname.startsWith('/assets/intl/') ? 'intl' : 'app';
    totals[kind] += size;
    lines.push(`${kind.padEnd(4)} ${kb(size).padStart(9)}  ${pathname}`);
  }
  console.info(
    `first-visit JS: app ${kb(totals.app)}, Intl polyfills ${kb(totals.intl)} (gzip)\n${lines.join('\n')}`,
  );
  assert.ok(totals.app <= BUDGET, `sign-in + shell JS is ${kb(totals.app)} gzip`);
  assert.ok(totals.intl <= INTL_BUDGET, `Intl polyfills are ${kb(totals.intl)} gzip`);
  await context.close();
});

// The case workspace: until the case module exists, the person's page (with its consent panel) and the
// registration form stand in for it. Everything a case manager's browser fetched, Intl included.
const WORKSPACE_BUDGET = 350 * 1024;

test('the workspace (persons list, registration form, person page) stays within 350 KB gzip in all', async () => {
  const { context, page } = await newPage(browser);
  const scripts = new Set();
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.add(new URL(request.url()).pathname);
  });
  await signIn(page, 'casemanager');
  const id = await page.evaluate(async () => {
    const res = await fetch('/api/persons', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-halas-request': '1',
        'idempotency-key': crypto.randomUUID(),
      },
      body: JSON.stringify({ sex: 'female', birthYear: 1999 }),
    });
    return (await res.json()).person.id;
  });
  await byTestId(page, 'nav-persons').click();
  await byTestId(page, 'person-row').first().waitFor();
  await byTestId(page, 'person-create').click();
  await page.locator('main form').first().waitFor();
  await page.goto(`/persons/${id}`);
  await byTestId(page, 'page-title').waitFor();
  await page.waitForLoadState('networkidle');
  let total = 0;
  for (const pathname of scripts)
    total += gzipSync(fs.readFileSync(path.join(root, 'dist', 'web', pathname)), { level: 9 }).length;
  console.info(`workspace JS: ${kb(total)} gzip in ${scripts.size} files`);
  assert.ok(total <= WORKSPACE_BUDGET, `workspace JS is ${kb(total)} gzip`);
  await context.close();
});
