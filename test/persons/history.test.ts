import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shredPersonKey } from '../../src/server/platform/crypto/index.js';
import type { Tx } from '../../src/server/platform/tx.js';
import { createAgency } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { staff } from './support.js';

const canary = (f: string) => `QzHist${f}Ýžç${f}Жщ`;

describe.each(ENGINES)('rectification history on %s (G25)', (engine) => {
  let t: TestApp;
  let agencyA: string;
  let agencyB: string;
  let caseA: Awaited<ReturnType<typeof staff>>;
  let hotlineA: Awaited<ReturnType<typeof staff>>;
  let caseB: Awaited<ReturnType<typeof staff>>;
  let id: string;

  /** A PATCH with If-Match naming the record's current version. */
  async function patch(b: Awaited<ReturnType<typeof staff>>, body: unknown) {
    const version = (await b.get(`/api/persons/${id}`)).json().version;
    return b.patch(`/api/persons/${id}`, body, { 'if-match': `"${version}"` });
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    agencyA = (await createAgency(t, { type: 'hotline_ngo' })).id;
    agencyB = (await createAgency(t, { type: 'rehabilitation_centre' })).id;
    caseA = await staff(t, agencyA, ['case_manager']);
    hotlineA = await staff(t, agencyA, ['hotline_operator']);
    caseB = await staff(t, agencyB, ['case_manager']);
    const res = await caseA.post('/api/persons', {
      sex: 'female',
      birthYear: 1990,
      identity: { names: [{ value: canary('Name1'), kind: 'primary' }] },
      health: { notes: canary('Health1') },
    });
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().person.id;
    t.clock.advance(60_000);
    expect(
      (
        await patch(caseA, {
          identity: { names: [{ value: canary('Name2'), kind: 'primary' }] },
        })
      ).statusCode,
    ).toBe(200);
    t.clock.advance(60_000);
    expect((await patch(hotlineA, { sex: 'male', birthYear: 1991 })).statusCode).toBe(200);
    t.clock.advance(60_000);
    expect((await patch(caseA, { health: { notes: canary('Health2') } })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps every previous version, sealed: no earlier value in clear anywhere in the database', async () => {
    const rows = await t.admin.query(
      'SELECT version, part, fields, previous_enc FROM person_versions WHERE person_id = $1 ORDER BY version, part',
      [id],
    );
    expect(rows.rows.map((r) => [r.version, r.part, r.fields])).toEqual([
      [1, 'identity', ['identity']],
      [2, 'statistics', ['sex', 'birth_year']],
      [3, 'health', ['health']],
    ]);
    const dump = await t.admin.query(
      "SELECT coalesce(string_agg(v::text, E'\\n'), '') AS s FROM person_versions v",
    );
    for (const f of ['Name1', 'Name2', 'Health1', 'Health2', 'female'])
      expect(dump.rows[0].s.includes(canary(f)) || dump.rows[0].s.includes(`"${f}"`)).toBe(false);
    // a kept version is bound to its person, version and part: it does not open as a live column
    const live = await t.admin.query('SELECT identity_enc FROM persons WHERE id = $1', [id]);
    expect(rows.rows[0].previous_enc.equals(live.rows[0].identity_enc)).toBe(false);
  });

  it('lists who changed which fields and when, and reveals earlier values only on request, audited', async () => {
    const names = await caseA.get(`/api/persons/${id}/history`);
    expect(names.statusCode).toBe(200);
    const items = names.json().items;
    expect(items.map((i: { version: number; fields: string[] }) => [i.version, i.fields])).toEqual([
      [3, ['health']],
      [2, ['sex', 'birth_year']],
      [1, ['identity']],
    ]);
    expect(items[1].changedBy).toBe(hotlineA.userId);
    expect(items[0].changedBy).toBe(caseA.userId);
    expect(items[1].previous).toEqual({ statistics: { sex: 'female', birthYear: 1990 } });
    expect(names.body).not.toContain(canary('Name1'));
    expect(names.body).not.toContain(canary('Health1'));

    const values = await caseA.get(`/api/persons/${id}/history?classes=identity,health`);
    expect(values.statusCode).toBe(200);
    const byVersion = Object.fromEntries(
      values.json().items.map((i: { version: number; previous: unknown }) => [i.version, i.previous]),
    );
    expect(byVersion[1].identity.names[0].value).toBe(canary('Name1'));
    expect(byVersion[3].health.notes).toBe(canary('Health1'));
    const audit = await t.admin.query(
      "SELECT fields FROM audit_events WHERE entity_id = $1 AND action = 'person.history.read' ORDER BY seq",
      [id],
    );
    expect(audit.rows.map((r) => r.fields)).toEqual([[], ['identity', 'health']]);
    // the rectifications themselves are audited with field names only
    const updates = await t.admin.query(
      "SELECT fields FROM audit_events WHERE entity_id = $1 AND action = 'person.update' ORDER BY seq",
      [id],
    );
    expect(updates.rows.map((r) => r.fields)).toEqual([['identity'], ['sex', 'birth_year'], ['health']]);
  });

  it('filters the history through the field-class policy', async () => {
    // The hotline operator reads identity and contact only: the health change does not exist for them.
    const hotline = await hotlineA.get(`/api/persons/${id}/history`);
    expect(hotline.json().items.map((i: { version: number }) => i.version)).toEqual([2, 1]);
    const refused = await hotlineA.get(`/api/persons/${id}/history?classes=health`);
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'forbidden']);
    expect(refused.body).not.toContain(canary('Health1'));
    // Another agency without consent: the person does not exist.
    expect((await caseB.get(`/api/persons/${id}/history`)).statusCode).toBe(404);
    // With consent for health only: the health change, not the identity one.
    await caseA.post(`/api/persons/${id}/consents`, {
      purpose: 'assistance',
      recipientAgencyId: agencyB,
      dataClasses: ['health'],
      givenBy: 'person',
      evidence: 'signed_form',
      givenAt: '2026-01-01T00:00:00.000Z',
    });
    const shared = await caseB.get(`/api/persons/${id}/history?classes=health`);
    expect(shared.statusCode).toBe(200);
    expect(shared.json().items.map((i: { version: number }) => i.version)).toEqual([3, 2]);
    expect(shared.body).toContain(canary('Health1'));
    expect(shared.body).not.toContain(canary('Name1'));
    expect((await caseB.get(`/api/persons/${id}/history?classes=identity`)).statusCode).toBe(403);
  });

  it('is erased with the data key: after shredding, no earlier value can be read', async () => {
    const admin: Tx = { query: (text, params) => t.admin.query(text, params), orm: undefined as never };
    expect(await shredPersonKey(admin, id)).toBe(true);
    const after = await caseA.get(`/api/persons/${id}/history?classes=identity,health`);
    expect(after.statusCode).toBe(200);
    expect(after.json().items).toHaveLength(3);
    for (const f of ['Name1', 'Health1']) expect(after.body).not.toContain(canary(f));
  });
});
