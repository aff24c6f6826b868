import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOpenApi } from '../../src/server/cli/openapi.js';
import { projectRoot } from '../../src/server/config/index.js';
import { createTestApp, type TestApp } from '../support/app.js';

describe('OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('embedded');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is committed as openapi.json and matches the routes (run `npm run openapi:write` after a reviewed change)', async () => {
    const committed = fs.readFileSync(path.join(projectRoot, 'openapi.json'), 'utf8');
    expect(await generateOpenApi()).toBe(committed);
  });

  it('is served at /api/openapi.json, lists every API route, and is not served in production', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    const api = t.app.declaredRoutes.filter(
      (r) => r.url.startsWith('/api/') && r.url !== '/api/openapi.json',
    );
    for (const r of api) expect(documented.has(`${r.method} ${r.url}`), `${r.method} ${r.url}`).toBe(true);
  });
});
