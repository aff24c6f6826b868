import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAgency, createUser, signIn } from '../../../../test/factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../../../../test/support/app.js';
import { Browser } from '../../../../test/support/http.js';
import { AuditEventView } from '../../../shared/contracts/audit.js';
import { verifyAuditChain } from '../../platform/audit.js';

type Event = ReturnType<typeof AuditEventView.parse>;

describe.each(ENGINES)('audit trail on %s', (engine) => {
  let t: TestApp;
  let dpo: Browser;
  let dpoId: string;
  let sysadmin: Browser;
  let sysadminId: string;

  const as = async (userId: string) => {
    const b = new Browser(t);
    b.cookie = await signIn(t, userId);
    return b;
  };
  const page = async (query = '') => {
    const res = await dpo.get(`/api/audit${query}`);
    expect(res.statusCode).toBe(200);
    return res.json() as { items: Event[]; nextBefore: number | null };
  };

  beforeAll(async () => {
    t = await createTestApp(engine);
    const operator = await createAgency(t, { type: 'system_operator' });
    const secretariat = await createAgency(t, { type: 'nrm_secretariat' });
    sysadminId = (
      await createUser(t, { agencyId: operator.id, roles: ['system_admin'], username: 'merdan.admin' })
    ).id;
    dpoId = (await createUser(t, { agencyId: secretariat.id, roles: ['dpo'] })).id;
    sysadmin = await as(sysadminId);
    dpo = await as(dpoId);
    // Some history: agencies and a user created through the API, and a denied request.
    for (let i = 0; i < 4; i++) {
      const res = await sysadmin.post('/api/agencies', {
        code: `audit-agency-${i}`,
        type: 'ngo',
        name: { tk: `Gurama ${i}`, ru: `Организация ${i}`, en: `Organisation ${i}` },
      });
      expect(res.statusCode).toBe(201);
    }
    expect((await sysadmin.get('/api/audit')).statusCode).toBe(403);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is readable by the data protection officer only (the system administrator gets 403)', async () => {
    const res = await sysadmin.get('/api/audit');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
  });

  it('pages newest first by sequence number, without gaps or repeats, each row valid', async () => {
    const { rows } = await t.admin.query<{ n: number }>('SELECT max(seq)::int AS n FROM audit_events');
    const top = rows[0]!.n;
    const seen: number[] = [];
    let before: number | null = top + 1;
    while (before !== null) {
      const p = await page(`?limit=3&before=${before}`);
      expect(p.items.length).toBeLessThanOrEqual(3);
      for (const item of p.items) AuditEventView.parse(item);
      seen.push(...p.items.map((e) => e.seq));
      before = p.nextBefore;
    }
    expect(seen).toEqual(Array.from({ length: top }, (_, i) => top - i));
  });

  it('joins the actor username and filters by action (exact or prefix), actor, entity, outcome and time', async () => {
    const created = (await page('?action=agency.create')).items;
    expect(created.length).toBeGreaterThanOrEqual(4);
    const byAdmin = created.filter((e) => e.actorUserId === sysadminId);
    expect(byAdmin.length).toBe(4);
    expect(byAdmin.every((e) => e.actorUsername === 'merdan.admin' && e.entityType === 'agency')).toBe(true);
    expect(byAdmin[0]!.fields).toEqual(['code', 'type', 'name']);

    const prefix = (await page('?action=agency.&limit=200')).items;
    expect(new Set(prefix.map((e) => e.action))).toEqual(new Set(['agency.create']));

    const entity = byAdmin[0]!.entityId!;
    expect((await page(`?entityType=agency&entityId=${entity}`)).items.map((e) => e.entityId)).toEqual([
      entity,
    ]);
    const mine = (await page(`?actorUserId=${sysadminId}&limit=200`)).items;
    expect(mine.every((e) => e.actorUserId === sysadminId)).toBe(true);
    // Denials are audited by the platform's response hook, which may finish just after the reply.
    await vi.waitFor(async () => {
      const denied = (await page('?outcome=denied')).items;
      expect(denied).toEqual([
        expect.objectContaining({
          action: 'access.denied',
          actorUserId: sysadminId,
          entityId: 'GET /api/audit',
        }),
        expect.objectContaining({
          action: 'access.denied',
          actorUserId: sysadminId,
          entityId: 'GET /api/audit',
        }),
      ]);
    });
    const at = byAdmin[0]!.at;
    const window = (
      await page(`?from=${encodeURIComponent(at)}&to=${encodeURIComponent(at)}&action=agency.create`)
    ).items;
    expect(window.length).toBeGreaterThanOrEqual(1);
    expect(window.every((e) => e.at === at)).toBe(true);
    t.clock.advance(60_000);
    const later = new Date(t.clock.now().getTime() - 1000).toISOString();
    expect((await page(`?from=${encodeURIComponent(later)}&action=agency.create`)).items).toEqual([]);
  });

  it('audits every read of the trail, with the names of the filters used and never their values', async () => {
    await page('?action=agency.create&outcome=success&limit=5');
    const { rows } = await t.admin.query(
      "SELECT * FROM audit_events WHERE outcome <> 'denied' ORDER BY seq DESC LIMIT 1",
    );
    expect(rows[0]).toMatchObject({
      action: 'audit.read',
      actor_user_id: dpoId,
      entity_type: 'audit',
      fields: ['action', 'outcome'],
      outcome: 'success',
    });
    expect((await verifyAuditChain(t.admin)).ok).toBe(true);
  });

  it('rejects bad filters with 400 and every issue', async () => {
    const res = await dpo.get('/api/audit?limit=0&before=-3&outcome=maybe&actorUserId=x&sort=asc');
    expect(res.statusCode).toBe(400);
    const paths = res
      .json()
      .issues.map((i: { path: string }) => i.path)
      .sort();
    expect(paths).toEqual(['', 'actorUserId', 'before', 'limit', 'outcome']);
  });

  it('answers a NUL in a filter with 400, not 500 (G16 fuzz finding)', async () => {
    for (const filter of ['action', 'entityType', 'entityId']) {
      const res = await dpo.get(`/api/audit?${filter}=a%00b`);
      expect(res.statusCode, filter).toBe(400);
      expect(res.json(), filter).toMatchObject({ code: 'validation_failed', issues: [{ path: filter }] });
    }
  });
});
