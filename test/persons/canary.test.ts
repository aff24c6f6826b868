import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { SAME_ORIGIN } from '../support/http.js';
import { staff } from './support.js';

const PERSONS = process.env.DEEP ? 200 : 40;

/** A unique sentinel per field and person, in the scripts survivors' names come in. */
const canary = (field: string, i: number) => `Qz${field}${i}Ýžç${i}Жщ`;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

describe.each(ENGINES)('canaries in every identifying field on %s (G20, G22)', (engine) => {
  let t: TestApp;
  const logs: string[] = [];
  const urls: string[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-canary-'));
  const all: string[] = [];
  /** Stored in clear: proves that the scan sees the data at all. */
  let agencyCode = '';

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk) => logs.push(String(chunk)));
    // person files inside the data folder, so that the folder scan below covers them too
    t = await createTestApp(
      engine,
      { logLevel: 'debug', filesDir: path.join(dataDir, 'files') },
      { dataDir, logStream: stream },
    );
    const inject = t.app.inject.bind(t.app);
    (t.app as { inject: unknown }).inject = (opts: { url: string }) => {
      urls.push(opts.url);
      return inject(opts as never);
    };
    agencyCode = `canary-control-${engine}`;
    const agency = (await createAgency(t, { type: 'hotline_ngo', code: agencyCode })).id;
    const operator = await staff(t, agency, ['hotline_operator']);
    for (let i = 0; i < PERSONS; i++) {
      const c = (f: string) => {
        const v = canary(f, i);
        all.push(v);
        return v;
      };
      const res = await operator.post('/api/persons', {
        sex: 'female',
        birthYear: 1990 + (i % 20),
        identity: {
          names: [
            { value: c('Name'), kind: 'primary' },
            { value: c('Alias'), kind: 'alias' },
          ],
          birthDate: `1990-01-${String((i % 28) + 1).padStart(2, '0')}`,
          documents: [
            { type: 'passport', number: `QZ${i}DOC${i}X`, issuingCountry: 'TM', heldBy: 'employer' },
          ],
        },
        contact: {
          addresses: [{ text: c('Address'), kind: 'shelter' }],
          phones: [{ number: `+993 6${String(i).padStart(7, '7')}`, safeToCall: false }],
          safeContact: {
            safeToCallBack: false,
            codeWord: c('Code'),
            safeTimes: c('Times'),
            doNotContactVia: [],
          },
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      all.push(`QZ${i}DOC${i}X`, `+993 6${String(i).padStart(7, '7')}`);
      const id = res.json().person.id;
      expect((await operator.get(`/api/persons/${id}/fields?classes=identity,contact`)).statusCode).toBe(200);
      await operator.post('/api/persons/search', { name: canary('Name', i) });
      // a scanned document (a PDF by its magic bytes) holding a canary, uploaded and read back
      const scan = Buffer.from(`%PDF-1.4\n${c('Scan')}\n%%EOF\n`);
      const file = await t.app.inject({
        method: 'POST',
        url: `/api/persons/${id}/files?kind=identity_document`,
        headers: { ...SAME_ORIGIN, cookie: operator.cookie!, 'content-type': 'application/octet-stream' },
        payload: scan,
      });
      expect(file.statusCode, file.body).toBe(201);
      const back = await operator.get(`/api/persons/${id}/files/${file.json().id}`);
      expect(back.rawPayload.equals(scan)).toBe(true);
      // a rectification: the earlier name is kept as a sealed version, then read back through the history
      const rectified = await operator.patch(
        `/api/persons/${id}`,
        { identity: { names: [{ value: c('Rectified'), kind: 'primary' }] } },
        { 'if-match': `"${res.json().person.version}"` },
      );
      expect(rectified.statusCode, rectified.body).toBe(200);
      const history = await operator.get(`/api/persons/${id}/history?classes=identity`);
      expect(history.body).toContain(canary('Name', i));
    }
  });
  afterAll(async () => {
    if (engine === 'postgres') await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('no canary in any table as text', async () => {
    const tables = await t.admin.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    for (const { tablename } of tables.rows) {
      const dump = await t.admin.query(
        `SELECT coalesce(string_agg(x::text, E'\\n'), '') AS text FROM ${tablename} x`,
      );
      for (const v of all) expect(dump.rows[0].text.includes(v), `${v} in ${tablename}`).toBe(false);
    }
  });

  it('no canary in a dump of the database or in the data folder', async () => {
    let haystack: string;
    if (engine === 'postgres') {
      const url = t.deps.config.databaseUrl!;
      haystack = execFileSync('pg_dump', ['--no-owner', '--data-only', url], {
        maxBuffer: 512 * 1024 * 1024,
      }).toString('utf8');
      expect(haystack.length).toBeGreaterThan(1000);
    } else {
      await t.close();
      haystack = files(dataDir)
        .map((f) => fs.readFileSync(f).toString('latin1'))
        .join('\n');
      // the canaries are UTF-8: compare byte-wise
      const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
      expect(haystack.includes(bytes(agencyCode))).toBe(true);
      for (const v of all) expect(haystack.includes(bytes(v)), v).toBe(false);
      return;
    }
    expect(haystack.includes(agencyCode)).toBe(true);
    for (const v of all) expect(haystack.includes(v), v).toBe(false);
  });

  it('no canary in the stored person files, which carry random names only', async () => {
    const stored = files(path.join(dataDir, 'files'));
    expect(stored.length).toBe(PERSONS);
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    for (const f of stored) {
      expect(path.basename(f)).toMatch(/^[0-9a-f]{32}$/);
      const raw = fs.readFileSync(f);
      for (const v of all) expect(raw.includes(bytes(v)), `${v} in ${f}`).toBe(false);
    }
  });

  it('no canary in any log line or URL', async () => {
    expect(logs.length).toBeGreaterThan(PERSONS);
    const text = logs.join('');
    for (const v of all) {
      expect(text.includes(v), `log: ${v}`).toBe(false);
      expect(
        urls.some((u) => decodeURIComponent(u).includes(v)),
        `url: ${v}`,
      ).toBe(false);
    }
  });
});
