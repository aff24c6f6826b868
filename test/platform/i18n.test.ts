import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/server/config/index.js';
import { ERROR_CODES } from '../../src/shared/contracts/errors.js';
import { LOCALES } from '../../src/shared/domain/locales.js';
import { serverCatalogs } from '../../src/shared/i18n/server/index.js';

const placeholders = (s: string) => [...s.matchAll(/\{\s*(\w+)/g)].map((m) => m[1]).sort();

function checkCatalogs(catalogs: Record<string, Record<string, string>>) {
  const reference = Object.keys(catalogs.en!).sort();
  expect(reference.length).toBeGreaterThan(0);
  for (const locale of LOCALES) {
    const catalog = catalogs[locale]!;
    expect(Object.keys(catalog).sort(), `keys of ${locale}`).toEqual(reference);
    for (const key of reference) {
      expect(catalog[key]!.trim().length, `${locale}:${key} is empty`).toBeGreaterThan(0);
      expect(placeholders(catalog[key]!), `${locale}:${key} placeholders`).toEqual(
        placeholders(catalogs.en![key]!),
      );
    }
  }
  // a translation identical to English in both other languages is almost always a forgotten one
  const untranslated = reference.filter(
    (k) =>
      catalogs.tk![k] === catalogs.en![k] &&
      catalogs.ru![k] === catalogs.en![k] &&
      /[a-z]{4}/i.test(catalogs.en![k]!),
  );
  expect(untranslated).toEqual([]);
}

describe('message catalogs in tk, ru and en', () => {
  it('server catalogs are complete, with a message for every error code', () => {
    checkCatalogs(serverCatalogs);
    for (const code of ERROR_CODES) expect(serverCatalogs.en[`error.${code}`]).toBeDefined();
  });

  it('web catalogs are complete', async () => {
    const dir = path.join(projectRoot, 'src', 'shared', 'i18n', 'web');
    expect(fs.existsSync(dir)).toBe(true);
    const catalogs: Record<string, Record<string, string>> = {};
    for (const locale of LOCALES) {
      const mod = await import(path.join(dir, `${locale}.ts`));
      catalogs[locale] = mod[locale] ?? mod.default;
    }
    checkCatalogs(catalogs);
  });
});
