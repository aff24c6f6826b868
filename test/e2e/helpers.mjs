// Shared helpers for the browser tests. Elements are found by data-testid or role, never by English text.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..');
export const screenshotDir = path.join(root, 'test-results', 'screenshots');
fs.mkdirSync(screenshotDir, { recursive: true });

export const BASE_URL = process.env.HALAS_E2E_URL ?? 'http://127.0.0.1:3000';
export const DEMO_PASSWORD = 'Garagum-desert-2026';
export const LOCALES = ['tk', 'ru', 'en'];

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh context (no cookies, no storage) and page. */
export async function newPage(browser, viewport = { width: 1366, height: 900 }) {
  const context = await browser.newContext({ viewport, baseURL: BASE_URL });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    // Failed requests (a 401 before sign-in, for instance) are expected; script errors are not.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      errors.push(message.text());
  });
  return { context, page, errors };
}

export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

export async function htmlLang(page) {
  return page.evaluate(() => document.documentElement.lang);
}

/** Picks a language with the switcher (sign-in page or header) and waits until the page speaks it. */
export async function switchLocale(page, locale) {
  await byTestId(page, 'locale-switch').selectOption(locale);
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="locale-switch"]')?.hasAttribute('aria-busy'),
  );
}

export async function openSignIn(page, locale) {
  await page.goto('/signin');
  await byTestId(page, 'signin-username').waitFor();
  if (locale && (await htmlLang(page)) !== locale) await switchLocale(page, locale);
}

/** Signs in a demo user (MFA is skipped for demo accounts) and waits for the shell. */
export async function signIn(page, username, password = DEMO_PASSWORD) {
  await openSignIn(page);
  await byTestId(page, 'signin-username').fill(username);
  await byTestId(page, 'signin-password').fill(password);
  await byTestId(page, 'signin-submit').click();
  await byTestId(page, 'user-menu').waitFor({ timeout: 20_000 });
  await byTestId(page, 'page-title').waitFor();
}

export async function signOut(page) {
  await byTestId(page, 'user-menu').click();
  await byTestId(page, 'signout').click();
  await byTestId(page, 'signin-username').waitFor();
}

/** Waits until no spinner is showing and fonts are laid out, then takes a full-page screenshot. */
export async function screenshot(page, name) {
  await page.waitForFunction(() => !document.querySelector('.loading'), undefined, { timeout: 15_000 });
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** axe-core on the page as it is now (WCAG 2.2 AA and best practice): no serious or critical violation. */
export async function assertAccessible(page, name) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`)
    .join('\n');
  assert.equal(bad.length, 0, `${name}:\n${report}`);
}
