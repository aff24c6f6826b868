// (3) axe-core: no serious or critical violations on sign-in, home, users and audit (as the DPO).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { byTestId, launch, newPage, openSignIn, screenshot, signIn } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function audit(page, name) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`)
    .join('\n');
  assert.equal(bad.length, 0, `${name}:\n${report}`);
}

test('accessibility of sign-in, home, users and audit', async () => {
  const { context, page } = await newPage(browser);
  await openSignIn(page);
  await audit(page, 'sign-in');

  await signIn(page, 'dpo');
  await byTestId(page, 'home-memberships').waitFor();
  await audit(page, 'home');

  await byTestId(page, 'nav-users').click();
  await byTestId(page, 'user-table').waitFor();
  await audit(page, 'users');

  await byTestId(page, 'nav-audit').click();
  await byTestId(page, 'audit-table').waitFor();
  await audit(page, 'audit');
  await screenshot(page, 'en-audit');
  await context.close();
});
