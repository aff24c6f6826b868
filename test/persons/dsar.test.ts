import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency, createUser, signIn } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser, SAME_ORIGIN } from '../support/http.js';
import { staff } from './support.js';

const HAS_PDFTOTEXT = spawnSync('pdftotext', ['-v']).status === 0;
if (!HAS_PDFTOTEXT)
  console.warn('SKIPPED: the access-report text checks need pdftotext (Debian package poppler-utils)');

/** The text of a PDF, read from memory (pdftotext reads standard input; nothing is written to disk). */
const pdfText = (pdf: Buffer) =>
  execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8');

/** A unique sentinel per subject and field, in the scripts survivors' data comes in. */
const canary = (subject: string, field: string) => `Qz${subject}${field}Ýžç${field}Жщ`;

describe.each(ENGINES)('data-subject access report on %s (G25)', (engine) => {
  let t: TestApp;
  let agency: string;
  let other: string;
  let caseA: Awaited<ReturnType<typeof staff>>;
  let dpo: Browser & { userId: string };
  const canaries: Record<'A' | 'B', string[]> = { A: [], B: [] };
  const refs: Record<'A' | 'B', string> = { A: '', B: '' };

  /** A subject with a unique canary in every free-text field, a rectification, consent, override and file. */
  async function seed(s: 'A' | 'B', day: number) {
    const c = (f: string) => {
      const v = canary(s, f);
      canaries[s].push(v);
      return v;
    };
    const docNumber = `QZ${s}DOC${day}X`;
    const phone = `+993 6${day}${s === 'A' ? '111111' : '222222'}`;
    canaries[s].push(docNumber, phone);
    const res = await caseA.post('/api/persons', {
      sex: 'female',
      birthYear: 1990,
      identity: {
        names: [
          { value: c('NameOld'), kind: 'primary' },
          { value: c('Alias'), kind: 'alias' },
        ],
        birthDate: `1990-0${day}-1${day}`,
        documents: [{ type: 'passport', number: docNumber, issuingCountry: 'TM', heldBy: 'employer' }],
      },
      contact: {
        addresses: [{ text: c('Address'), kind: 'shelter' }],
        phones: [{ number: phone, safeToCall: false }],
        safeContact: {
          safeToCallBack: false,
          codeWord: c('Code'),
          safeTimes: c('Times'),
          doNotContactVia: [],
        },
      },
      trafficking: { notes: c('Trafficking') },
      health: { notes: c('Health') },
      legal: { notes: c('Legal') },
      child: { guardianName: c('Guardian'), bestInterestsNotes: c('BestInterests') },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { id, ref, version } = res.json().person;
    refs[s] = ref;
    // a rectification: the old name stays in the history, the new one is live
    const patched = await caseA.patch(
      `/api/persons/${id}`,
      { identity: { names: [{ value: c('NameNew'), kind: 'primary' }], birthDate: `1990-0${day}-1${day}` } },
      { 'if-match': `"${version}"` },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    const consent = await caseA.post(`/api/persons/${id}/consents`, {
      purpose: 'referral',
      recipientAgencyId: other,
      dataClasses: ['identity', 'health'],
      givenBy: 'person',
      evidence: 'signed_form',
      givenAt: '2026-01-01T00:00:00.000Z',
    });
    expect(consent.statusCode, consent.body).toBe(201);
    const withdraw = await caseA.post(`/api/persons/${id}/consents/${consent.json().id}/withdraw`, {
      withdrawnBy: 'person',
    });
    expect(withdraw.statusCode, withdraw.body).toBe(200);
    const override = await caseA.post(`/api/persons/${id}/consent-overrides`, {
      purpose: 'referral',
      recipientAgencyId: other,
      dataClasses: ['identity'],
      reason: `Urgent protection needed ${c('Reason')}`,
    });
    expect(override.statusCode, override.body).toBe(201);
    const file = await t.app.inject({
      method: 'POST',
      url: `/api/persons/${id}/files?kind=photo`,
      headers: { ...SAME_ORIGIN, cookie: caseA.cookie!, 'content-type': 'application/octet-stream' },
      payload: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3]),
    });
    expect(file.statusCode, file.body).toBe(201);
    expect((await caseA.get(`/api/persons/${id}/fields?classes=identity,contact`)).statusCode).toBe(200);
    return id as string;
  }

  let idA: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    agency = (await createAgency(t, { type: 'social_protection' })).id;
    other = (await createAgency(t, { type: 'rehabilitation_centre' })).id;
    const secretariat = (await createAgency(t, { type: 'nrm_secretariat' })).id;
    caseA = await staff(t, agency, ['case_manager']);
    dpo = await staff(t, secretariat, ['dpo']);
    idA = await seed('A', 3);
    await seed('B', 5);
  });
  afterAll(async () => {
    await t?.close();
  });

  const exportReport = (b: Browser, ref: string, locale?: string) =>
    b.post('/api/access-reports', { ref, ...(locale ? { locale } : {}) });

  it.skipIf(!HAS_PDFTOTEXT)('holds 100 % of the subject’s canaries and 0 of anyone else’s', async () => {
    const res = await exportReport(dpo, refs.A, 'en');
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="access-report-${refs.A}.pdf"`);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(res.rawPayload);
    const found = canaries.A.filter((v) => text.includes(v));
    expect(found).toEqual(canaries.A);
    expect(canaries.B.filter((v) => text.includes(v))).toEqual([]);
    // the birth date, the consent withdrawal, the override, the file and the viewers are in it too
    expect(text).toContain('March 13, 1990');
    expect(text).not.toContain('May 15, 1990');
    expect(text).toContain('withdrawn by the person');
    expect(text).toContain('Awaiting approval');
    expect(text).toContain('image/jpeg');
    expect(text).toContain('Protected information viewed');
    expect(text).toContain('Person changed');
  });

  it.skipIf(!HAS_PDFTOTEXT)(
    'speaks the subject’s language (tk, ru), defaulting to the DPO’s',
    async () => {
      // HALAS_DSAR_RENDER_DIR=folder keeps the three reports for a look at their layout (pdftoppm -png)
      const renderDir = process.env.HALAS_DSAR_RENDER_DIR;
      if (renderDir && engine === 'embedded')
        for (const locale of ['tk', 'ru', 'en'])
          fs.writeFileSync(
            path.join(renderDir, `report-${locale}.pdf`),
            (await exportReport(dpo, refs.A, locale)).rawPayload,
          );
      const tk = pdfText((await exportReport(dpo, refs.A, 'tk')).rawPayload);
      expect(tk).toContain('Maglumat subýekti üçin hasabat');
      expect(tk).toContain('Razylyklar');
      const ru = pdfText((await exportReport(dpo, refs.A, 'ru')).rawPayload);
      expect(ru).toContain('Отчёт для субъекта данных');
      expect(ru).toContain('Согласия');
      const ruDpo = await createUser(t, {
        agencyId: (await createAgency(t, { type: 'nrm_secretariat' })).id,
        roles: ['dpo'],
        locale: 'ru',
      });
      const b = new Browser(t, 'ru');
      b.cookie = await signIn(t, ruDpo.id);
      const byDefault = pdfText((await exportReport(b, refs.A)).rawPayload);
      expect(byDefault).toContain('Отчёт для субъекта данных');
      for (const v of canaries.A) expect(ru.includes(v) && tk.includes(v), v).toBe(true);
    },
    180_000,
  );

  it('is for the DPO only, after a recent re-authentication, and every export is audited', async () => {
    const before = await t.admin.query(
      "SELECT count(*)::int AS n FROM audit_events WHERE action = 'person.access_report'",
    );
    const refused = await exportReport(caseA, refs.A, 'en');
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'forbidden']);
    const stale = await createUser(t, {
      agencyId: (await createAgency(t, { type: 'nrm_secretariat' })).id,
      roles: ['dpo'],
    });
    const staleDpo = new Browser(t);
    staleDpo.cookie = await signIn(t, stale.id, {
      authenticatedAt: new Date(t.clock.now().getTime() - 600_000),
    });
    const reauth = await exportReport(staleDpo, refs.A, 'en');
    expect([reauth.statusCode, reauth.json().code]).toEqual([403, 'reauth_required']);
    const unknown = await exportReport(dpo, 'P-0000-0000', 'en');
    expect(unknown.statusCode).toBe(404);
    const byName = await exportReport(dpo, canary('A', 'NameNew'), 'en');
    expect(byName.statusCode).toBe(400);
    const after = await t.admin.query(
      "SELECT count(*)::int AS n FROM audit_events WHERE action = 'person.access_report'",
    );
    expect(after.rows[0].n).toBe(before.rows[0].n);

    const ok = await exportReport(dpo, refs.A, 'en');
    expect(ok.statusCode).toBe(200);
    const audit = await t.admin.query(
      "SELECT actor_user_id, entity_id, fields FROM audit_events WHERE action = 'person.access_report' ORDER BY seq DESC LIMIT 1",
    );
    expect(audit.rows[0].actor_user_id).toBe(dpo.userId);
    expect(audit.rows[0].entity_id).toBe(idA);
    expect(audit.rows[0].fields).toContain('identity');
    const all = (await t.admin.query("SELECT string_agg(fields::text, ' ') AS s FROM audit_events")).rows[0]
      .s;
    for (const v of [...canaries.A, ...canaries.B]) expect(all.includes(v)).toBe(false);
  });
});
