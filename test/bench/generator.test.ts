/**
 * The synthetic national data generator (bench/synthetic): the same seed gives the same data, the ground truth
 * of duplicates agrees with what is stored, the bulk audit trail is a valid hash chain (also after the G12
 * growth step), and the product reads what the generator wrote — on both engines, at the tiny tier XS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendAuditEvents,
  datasetChecksum,
  type GeneratedData,
  generate,
  TIERS,
} from '../../bench/synthetic/generator.js';
import { nameTokenRows, searchPersons } from '../../src/server/features/persons/search/index.js';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import { withTx } from '../../src/server/platform/tx.js';
import { AGENCY_TYPES, ROLE_AGENCY_TYPES, type Role } from '../../src/shared/domain/access.js';
import { signIn } from '../factories/index.js';
import { createTestApp, createTestDatabase, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';

describe.each(ENGINES)('synthetic national data on %s', (engine) => {
  let t: TestApp;
  let data: GeneratedData;
  const others: Array<{ drop(): Promise<void>; close(): Promise<void> }> = [];

  beforeAll(async () => {
    t = await createTestApp(engine);
    data = await generate(t.admin, t.deps.keyring, { tier: 'XS', seed: 'test-seed' });
  });
  afterAll(async () => {
    for (const o of others) {
      await o.close();
      await o.drop();
    }
    await t?.close();
  });

  async function another(seed: string) {
    const { db, drop } = await createTestDatabase(engine);
    others.push({ close: () => db.close(), drop });
    await generate(db.pool, t.deps.keyring, { tier: 'XS', seed });
    return datasetChecksum(db.pool, t.deps.keyring);
  }

  it('writes the tier: agencies of every type, valid roles, persons, tokens, consents, audit events', async () => {
    const count = async (table: string) =>
      Number((await t.admin.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
    expect(new Set(data.agencies.map((a) => a.type))).toEqual(new Set(AGENCY_TYPES));
    expect(await count('agencies')).toBe(data.agencies.length);
    expect(await count('users')).toBe(data.users.length);
    for (const u of data.users) {
      const type = data.agencies.find((a) => a.id === u.agencyId)!.type;
      for (const role of u.roles as Role[]) {
        const allowed = ROLE_AGENCY_TYPES[role];
        if (allowed) expect(allowed).toContain(type);
      }
    }
    expect(await count('persons')).toBe(TIERS.XS.persons + data.duplicates.length);
    expect(await count('person_keys')).toBe(data.persons.length);
    expect(await count('person_name_tokens')).toBe(data.counts.nameTokens);
    expect(await count('consents')).toBe(data.counts.consents);
    expect(await count('audit_events')).toBe(data.counts.auditEvents);
    expect(data.counts.auditEvents).toBeGreaterThan(TIERS.XS.auditEvents * 0.8);
    // names in both scripts
    const all = data.persons.flatMap((p) => p.names).join(' ');
    expect(all).toMatch(/\p{Script=Cyrillic}/u);
    expect(all).toMatch(/[äöüňşýç]/u);
  });

  it('gives the same data for the same seed and different data for another seed', async () => {
    const mine = await datasetChecksum(t.admin, t.deps.keyring);
    expect(await another('test-seed')).toBe(mine);
    expect(await another('another-seed')).not.toBe(mine);
  });

  it('forms one valid audit hash chain, also after the bulk growth step', async () => {
    const before = await verifyAuditChain(t.admin);
    expect(before).toEqual({ ok: true, checked: data.counts.auditEvents });
    const growth = await appendAuditEvents(t.admin, { count: 3000, seed: 'test-seed', fast: true });
    expect(growth.written).toBe(3000);
    const after = await verifyAuditChain(t.admin);
    expect(after).toEqual({ ok: true, checked: (data.counts.auditEvents ?? 0) + 3000 });
    // the runtime's own next event continues the bulk chain
    const indexes = await t.admin.query("SELECT indexname FROM pg_indexes WHERE tablename = 'audit_events'");
    expect(indexes.rows.length).toBeGreaterThanOrEqual(4);
  });

  it('stores the duplicates of its ground truth: tokens, sealed names, and the search finds the first record', async () => {
    expect(data.duplicates.length).toBeGreaterThan(0);
    let found = 0;
    for (const d of data.duplicates) {
      const stored = await t.admin.query(
        "SELECT encode(token, 'hex') AS t, kind FROM person_name_tokens WHERE person_id = $1 ORDER BY token",
        [d.duplicateId],
      );
      const expected = nameTokenRows(t.deps.keyring.blindIndex, d.names)
        .map((r) => ({ t: r.token.toString('hex'), kind: r.kind }))
        .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
      expect(stored.rows).toEqual([...new Map(expected.map((e) => [e.t, e])).values()]);
      const hits = await withTx(t.admin, null, (tx) =>
        searchPersons(
          tx,
          t.deps.keyring.blindIndex,
          { name: d.names[0]!, birthYear: d.birthYear, sex: d.sex },
          10,
        ),
      );
      if (hits.some((h) => h.personId === d.originalId)) found++;
    }
    // the ground truth is usable for recall: most variants find their first record
    expect(found / data.duplicates.length).toBeGreaterThanOrEqual(0.8);
  });

  it('is read by the product: a generated person revealed through the API by a reader of the owner agency', async () => {
    const duplicate = data.duplicates[0]!;
    const person = data.persons.find((p) => p.id === duplicate.duplicateId)!;
    const reader = data.users.find(
      (u) =>
        u.agencyId === person.ownerAgencyId &&
        u.roles.some((r) => r === 'hotline_operator' || r === 'frontline_identifier' || r === 'case_manager'),
    )!;
    const b = new Browser(t);
    b.cookie = await signIn(t, reader.id);
    const view = await b.get(`/api/persons/${person.id}`);
    expect(view.statusCode).toBe(200);
    expect(view.json().ref).toMatch(/^P-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const revealed = await b.get(`/api/persons/${person.id}/fields?classes=identity`);
    expect(revealed.statusCode).toBe(200);
    expect(revealed.json().identity.names.map((n: { value: string }) => n.value)).toEqual(duplicate.names);
    expect((await verifyAuditChain(t.admin)).ok).toBe(true);
  });
});
