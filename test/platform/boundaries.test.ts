import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/server/config/index.js';

const src = path.join(projectRoot, 'src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ]
    .map((m) => m[1] ?? m[2]!)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.resolve(path.dirname(file), s));
}

const rel = (p: string) => path.relative(src, p);

describe('module boundaries (engineering guide)', () => {
  const all = files(src);

  it('shared imports no server or web code', () => {
    const bad = all
      .filter((f) => rel(f).startsWith('shared/'))
      .flatMap((f) =>
        imports(f)
          .filter((i) => !rel(i).startsWith('shared/'))
          .map((i) => `${rel(f)} -> ${rel(i)}`),
      );
    expect(bad).toEqual([]);
  });

  it('web never imports server', () => {
    const bad = all
      .filter((f) => rel(f).startsWith('web/'))
      .flatMap((f) =>
        imports(f)
          .filter((i) => rel(i).startsWith('server/'))
          .map((i) => `${rel(f)} -> ${rel(i)}`),
      );
    expect(bad).toEqual([]);
  });

  it('platform never imports features', () => {
    const bad = all
      .filter((f) => rel(f).startsWith('server/platform/'))
      .flatMap((f) =>
        imports(f)
          .filter((i) => rel(i).startsWith('server/features/'))
          .map((i) => `${rel(f)} -> ${rel(i)}`),
      );
    expect(bad).toEqual([]);
  });

  it('a feature imports another feature only through its index', () => {
    const featureOf = (p: string) => rel(p).match(/^server\/features\/([^/]+)\//)?.[1];
    const bad = all
      .filter((f) => featureOf(f))
      .flatMap((f) =>
        imports(f)
          .filter((i) => featureOf(i) && featureOf(i) !== featureOf(f) && !/\/index\.(js|ts)$/.test(i))
          .map((i) => `${rel(f)} -> ${rel(i)}`),
      );
    expect(bad).toEqual([]);
  });

  // Allowed in a query template: an UPPER_CASE constant (of this module or an imported one, `repo.COLUMNS`),
  // and an identifier quoted by ident() (tables named by the catalogue, in backup verification).
  it('no string-built SQL: values go in parameters; only UPPER_CASE constants and ident() may be interpolated', () => {
    const bad = all
      .filter((f) => rel(f).startsWith('server/'))
      .flatMap((f) =>
        [...fs.readFileSync(f, 'utf8').matchAll(/\.query(?:<[^>]*>)?\(\s*`([^`]*)`/g)].flatMap((m) =>
          [...m[1]!.matchAll(/\$\{([^}]*)\}/g)]
            .map((e) => e[1]!.trim())
            .filter(
              (expr) => !/^(?:[a-z][A-Za-z0-9]*\.)?[A-Z][A-Z0-9_]*$|^ident\([a-z][A-Za-z0-9]*\)$/.test(expr),
            )
            .map((expr) => `${rel(f)}: \${${expr}}`),
        ),
      );
    expect(bad).toEqual([]);
  });
});
