import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency, createUser, signIn } from '../factories/index.js';
import { type Seeded, seedCanaryPerson } from '../persons/canaries.js';
import { staff } from '../persons/support.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';

/** What a refused or invalid request must leave untouched. */
async function fingerprint(t: TestApp) {
  const { rows } = await t.admin.query(
    `SELECT (SELECT count(*)::int FROM audit_events WHERE outcome <> 'denied') AS audit,
            (SELECT md5(coalesce(string_agg(e::text, '|' ORDER BY e.id), '')) FROM person_exports e) AS exports,
            (SELECT count(*)::int FROM alerts) AS alerts`,
  );
  return rows[0];
}

async function sheetText(body: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as never);
  const rows: string[][] = [];
  wb.getWorksheet(1)!.eachRow((row) => {
    rows.push(
      (row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v))),
    );
  });
  return { wb, rows };
}

describe.each(ENGINES)('person exports on %s (G07: second approver and watermark)', (engine) => {
  let t: TestApp;
  let agency: string;
  let other: string;
  let requester: Awaited<ReturnType<typeof staff>>;
  let approver: Awaited<ReturnType<typeof staff>>;
  let hotline: Awaited<ReturnType<typeof staff>>;
  let outsider: Awaited<ReturnType<typeof staff>>;
  let authority: Awaited<ReturnType<typeof staff>>;
  let consented: Seeded;
  let unconsented: Seeded;
  let foreign: Seeded;
  let consentId: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    agency = (await createAgency(t, { type: 'social_protection' })).id;
    other = (await createAgency(t, { type: 'social_protection' })).id;
    requester = await staff(t, agency, ['case_manager']);
    const ru = await createUser(t, { agencyId: agency, roles: ['case_manager'], locale: 'ru' });
    approver = Object.assign(new Browser(t, 'ru'), { userId: ru.id });
    approver.cookie = await signIn(t, ru.id);
    hotline = await staff(t, agency, ['hotline_operator']);
    authority = await staff(t, agency, ['competent_authority']);
    outsider = await staff(t, other, ['case_manager']);
    const stats = { sex: 'female', birthYear: 1994, citizenships: ['TM'] };
    consented = await seedCanaryPerson(requester, `X${engine[0]}`, 1, stats);
    unconsented = await seedCanaryPerson(requester, `X${engine[0]}`, 2, stats);
    foreign = await seedCanaryPerson(outsider, `X${engine[0]}`, 3, stats);
    const given = await requester.post(`/api/persons/${consented.id}/consents`, {
      purpose: 'assistance',
      recipientAgencyId: agency,
      dataClasses: ['identity', 'contact', 'trafficking'],
      givenBy: 'person',
      evidence: 'signed_form',
      givenAt: t.clock.now().toISOString(),
    });
    expect(given.statusCode, given.body).toBe(201);
    consentId = given.json().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a non-identifying export is ready at once: refs and consented classes only, watermarked rows', async () => {
    const asked = await requester.post('/api/exports', {
      purpose: 'assistance',
      format: 'csv',
      classes: ['trafficking'],
    });
    expect(asked.statusCode, asked.body).toBe(201);
    expect(asked.json()).toMatchObject({ status: 'approved', identifying: false, mine: true, downloads: 0 });
    const file = await requester.get(`/api/exports/${asked.json().id}/file`);
    expect(file.statusCode, file.body).toBe(200);
    expect(file.headers['content-type']).toContain('text/csv');
    expect(file.headers['cache-control']).toBe('no-store');
    const text = file.body;
    expect(text).toContain(consented.ref);
    expect(text).toContain(unconsented.ref);
    expect(text).not.toContain(foreign.ref);
    // the consented person's story is in it; the other's is withheld; no identity anywhere
    expect(text).toContain(consented.canaries.find((c) => c.includes('Story'))!);
    expect(text).not.toContain(unconsented.canaries.find((c) => c.includes('Story'))!);
    for (const c of [...consented.canaries, ...unconsented.canaries].filter((c) => !c.includes('Story')))
      expect(text).not.toContain(c);
    const lines = text.trim().split(/\r?\n/).slice(1);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toContain(`export ${asked.json().id}`);
  });

  it('an identifying export waits for a second approver: 403 before, self-approval refused, then one watermarked file', async () => {
    const asked = await requester.post('/api/exports', {
      purpose: 'assistance',
      format: 'xlsx',
      classes: ['identity', 'contact'],
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const id = asked.json().id as string;
    expect(asked.json()).toMatchObject({ status: 'pending', identifying: true });

    // without approval: 403, in the caller's language, nothing disclosed
    const early = await approver.get(`/api/exports/${id}/file`);
    expect(early.statusCode).toBe(404); // not the requester's: learns nothing
    const before = await fingerprint(t);
    const refused = await requester.get(`/api/exports/${id}/file`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('export_not_approved');
    const self = await requester.post(`/api/exports/${id}/approve`, {});
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('export_self_approval');
    expect((await outsider.post(`/api/exports/${id}/approve`, {})).statusCode).toBe(404);
    expect((await hotline.post(`/api/exports/${id}/approve`, {})).statusCode).toBe(403);
    expect((await hotline.get('/api/exports')).statusCode).toBe(403);
    expect(await fingerprint(t)).toEqual(before);
    expect((await outsider.get('/api/exports')).json().items.map((e: { id: string }) => e.id)).not.toContain(
      id,
    );

    const approved = await approver.post(`/api/exports/${id}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', decidedBy: approver.userId, mine: false });
    const again = await approver.post(`/api/exports/${id}/reject`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/выгрузк/); // the approver reads Russian
    const alerts = await t.admin.query(
      "SELECT * FROM alerts WHERE kind = 'identifying_export' AND agency_id = $1",
      [agency],
    );
    expect(alerts.rowCount).toBe(1);

    const seq0 = (await t.admin.query('SELECT max(seq)::int AS n FROM audit_events')).rows[0].n as number;
    const file = await requester.get(`/api/exports/${id}/file`);
    expect(file.statusCode, file.body).toBe(200);
    expect(file.headers['content-disposition']).toMatch(/attachment; filename="halas-export-.*\.xlsx"/);
    const { wb, rows } = await sheetText(file.rawPayload);
    const all = rows.flat().join('\n');
    // the consented person's identity and contact are in it, the other's are withheld
    for (const c of consented.canaries.filter((c) => /Name|Alias|Address/.test(c))) expect(all).toContain(c);
    for (const c of unconsented.canaries) expect(all).not.toContain(c);
    for (const c of foreign.canaries) expect(all).not.toContain(c);
    for (const c of consented.canaries.filter((c) => /Story|Health|Legal|Guardian/.test(c)))
      expect(all).not.toContain(c);
    // every data row carries the watermark: who and which export
    const watermark = rows[0]!.length - 1;
    for (const row of rows.slice(1)) expect(row[watermark]).toContain(id);
    const username = (await t.admin.query('SELECT username FROM users WHERE id = $1', [requester.userId]))
      .rows[0].username as string;
    for (const row of rows.slice(1)) expect(row[watermark]).toContain(username);
    expect(wb.creator).toBe(username);
    expect(wb.getWorksheet(1)!.headerFooter.oddFooter).toContain(id);

    // audited: the download, and who was disclosed (only the consented person)
    const audit = await t.admin.query(
      `SELECT action, entity_id, fields FROM audit_events WHERE actor_user_id = $1 AND action IN ('person.export', 'export.download')
         AND seq > $2 ORDER BY seq`,
      [requester.userId, seq0],
    );
    expect(audit.rows).toEqual([
      { action: 'person.export', entity_id: consented.id, fields: ['identity', 'contact'] },
      { action: 'export.download', entity_id: id, fields: ['identity', 'contact'] },
    ]);
  });

  it('a withdrawn consent empties the person on the next download', async () => {
    const asked = await requester.post('/api/exports', {
      purpose: 'assistance',
      format: 'csv',
      classes: ['identity'],
    });
    const id = asked.json().id as string;
    expect((await approver.post(`/api/exports/${id}/approve`, {})).statusCode).toBe(200);
    const name = consented.canaries.find((c) => c.includes('Name'))!;
    expect((await requester.get(`/api/exports/${id}/file`)).body).toContain(name);
    const withdrawn = await requester.post(`/api/persons/${consented.id}/consents/${consentId}/withdraw`, {
      withdrawnBy: 'person',
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    const after = await requester.get(`/api/exports/${id}/file`);
    expect(after.statusCode).toBe(200);
    expect(after.body).not.toContain(name);
    expect(after.body).toContain(consented.ref);
  });

  it('bad input gets a clear 4xx in the caller’s language and writes nothing', async () => {
    const before = await fingerprint(t);
    const unknown = await approver.post('/api/exports', {
      purpose: 'assistance',
      format: 'csv',
      classes: ['secret'],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issues[0].path).toBe('classes.0');
    const format = await approver.post('/api/exports', { purpose: 'assistance', format: 'pdf', classes: [] });
    expect(format.statusCode).toBe(400);
    const purpose = await approver.post('/api/exports', { format: 'csv', classes: [] });
    expect(purpose.statusCode).toBe(400);
    expect(purpose.json().message).toMatch(/[А-я]/);
    // a class the role may not read (competent authority: no health)
    const unreadable = await authority.post('/api/exports', {
      purpose: 'law_enforcement',
      format: 'csv',
      classes: ['health'],
    });
    expect(unreadable.statusCode).toBe(403);
    // another agency's records
    const foreignAgency = await requester.post('/api/exports', {
      agencyId: other,
      purpose: 'assistance',
      format: 'csv',
      classes: [],
    });
    expect(foreignAgency.statusCode).toBe(403);
    expect(await fingerprint(t)).toEqual(before);
  });
  it('a rejected or lapsed export is never downloadable', async () => {
    const asked = await requester.post('/api/exports', {
      purpose: 'assistance',
      format: 'csv',
      classes: ['contact'],
    });
    const id = asked.json().id as string;
    expect((await approver.post(`/api/exports/${id}/reject`, {})).json().status).toBe('rejected');
    expect((await requester.get(`/api/exports/${id}/file`)).json().code).toBe('export_not_approved');

    const ready = await requester.post('/api/exports', { purpose: 'assistance', format: 'csv', classes: [] });
    t.clock.advance(25 * 3600_000);
    const fresh = await staff(t, agency, ['case_manager']);
    const lapsed = await requester.get(`/api/exports/${ready.json().id}/file`);
    // the requester's session may have lapsed too; either way nothing is served
    expect([401, 409]).toContain(lapsed.statusCode);
    expect((await fresh.get(`/api/exports/${ready.json().id}/file`)).statusCode).toBe(404);
  });
});
