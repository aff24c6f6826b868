import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PERSONS } from '../../src/server/demo/persons.js';
import { seedDemo, seedDemoPersons } from '../../src/server/demo/seed.js';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import { systemContext } from '../../src/server/platform/system-context.js';
import { signIn } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';

/**
 * The demo data `npm start` creates: agencies, one user per role, and invented survivors registered through
 * the persons services over the months before the first start, so the demo's screens have something true
 * to show, and the platform's rules hold for it as for any user's data.
 */
describe.each(ENGINES)('demo data on %s', (engine) => {
  let t: TestApp;
  const as = async (username: string) => {
    const { rows } = await t.admin.query('SELECT id FROM users WHERE username = $1', [username]);
    const b = new Browser(t);
    b.cookie = await signIn(t, rows[0].id);
    return b;
  };
  const count = async (sql: string, params: unknown[] = []) =>
    (await t.admin.query(sql, params)).rows[0].n as number;

  beforeAll(async () => {
    t = await createTestApp(engine);
    // a first start on the day this test was written: fifteen months back reach into September 2025
    t.clock.current = new Date('2026-11-29T09:00:00.000Z');
    expect(await seedDemo(t.deps, systemContext(t.deps, randomUUID()))).toBe(true);
    expect(await seedDemoPersons(t.deps, systemContext(t.deps, randomUUID()))).toBe(DEMO_PERSONS.length);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is created once: a second start adds nothing', async () => {
    const before = await count('SELECT count(*)::int AS n FROM audit_events');
    expect(await seedDemo(t.deps, systemContext(t.deps, randomUUID()))).toBe(false);
    expect(await count('SELECT count(*)::int AS n FROM audit_events')).toBe(before);
    expect(await count('SELECT count(*)::int AS n FROM persons')).toBe(DEMO_PERSONS.length);
  });

  it('registers persons over closed months, with every step audited in time order on an intact chain', async () => {
    const now = t.clock.now();
    const { rows } = await t.admin.query<{ first: Date; last: Date; months: number }>(
      `SELECT min(created_at) AS first, max(created_at) AS last,
              count(DISTINCT date_trunc('month', created_at))::int AS months FROM persons`,
    );
    expect(rows[0]!.last.getTime()).toBeLessThan(now.getTime());
    expect(rows[0]!.months).toBeGreaterThanOrEqual(12);
    expect(
      await count(`SELECT count(*)::int AS n FROM (
        SELECT at < lag(at) OVER (ORDER BY seq) AS back FROM audit_events) x WHERE back`),
    ).toBe(0);
    expect(await count("SELECT count(*)::int AS n FROM audit_events WHERE action = 'person.create'")).toBe(
      DEMO_PERSONS.length,
    );
    expect((await verifyAuditChain(t.admin)).ok).toBe(true);
  });

  it('stores names only encrypted and as search tokens', async () => {
    const dump = JSON.stringify((await t.admin.query('SELECT * FROM persons')).rows);
    for (const name of ['Orazgulyýewa', 'Оразгулыева', 'Annaýewa', 'Аннаева', 'Hojaýewa'])
      expect(dump).not.toContain(name);
    expect(await count('SELECT count(DISTINCT person_id)::int AS n FROM person_name_tokens')).toBe(
      DEMO_PERSONS.length,
    );
  });

  it('records consents: assistance for everyone, guardians for children with their assent, one withdrawal', async () => {
    expect(await count("SELECT count(*)::int AS n FROM consents WHERE purpose = 'assistance'")).toBe(
      DEMO_PERSONS.length,
    );
    expect(
      await count(
        "SELECT count(*)::int AS n FROM consents WHERE purpose = 'assistance' AND given_by = 'guardian' AND child_assent",
      ),
    ).toBe(2);
    expect(await count('SELECT count(*)::int AS n FROM consents WHERE withdrawn_at IS NOT NULL')).toBe(1);
  });

  it('leaves the survivor registered twice in two scripts to the coordinator, who sees references only', async () => {
    const { rows } = await t.admin.query(
      "SELECT person_id, related_person_id FROM tasks WHERE kind = 'duplicate_review' AND status = 'open'",
    );
    expect(rows).toHaveLength(1);
    const coordinator = await as('coordinator');
    const res = await coordinator.get('/api/tasks?kind=duplicate_review');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toHaveLength(1);
    expect(res.body).not.toContain('Annaýewa');
    expect(res.body).not.toContain('Аннаева');
  });

  it('shows each agency its own registrations and, through referral consents, what was shared with it', async () => {
    const listed = async (username: string) => {
      const res = await (await as(username)).get('/api/persons?limit=200');
      expect(res.statusCode, res.body).toBe(200);
      return res.json().total as number;
    };
    const owned = async (code: string) =>
      count(
        `SELECT count(*)::int AS n FROM persons p JOIN agencies a ON a.id = p.owner_agency_id WHERE a.code = $1`,
        [code],
      );
    const hotline = await owned('hotline-ngo');
    expect(hotline).toBeGreaterThan(0);
    expect(await listed('hotline')).toBe(hotline);
    // the rehabilitation centre registers no one: it sees the two survivors referred to it
    expect(await owned('rehab-centre-ashgabat')).toBe(0);
    expect(await listed('provider')).toBe(2);
    // the case manager sees the ministry's own records and those the border post and hotline referred
    expect(await listed('casemanager')).toBeGreaterThan(await owned('social-protection'));
    // roles without person access see none
    expect((await (await as('analyst')).get('/api/persons')).statusCode).toBe(403);
  });

  it('gives the statistics page counts to show and counts to hide', async () => {
    const table = async (q: string) => {
      const res = await (await as('analyst')).get(`/api/statistics/persons?${q}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      return { body: res.body, cells: body.cells.flat() as Array<{ value?: number; suppressed?: true }> };
    };
    // by year and sex: 2025 and 2026 up to October, every count five or more
    const years = await table('rows=year&cols=sex');
    expect(
      years.cells.some((c) => (c.value ?? 0) >= 5),
      years.body,
    ).toBe(true);
    // by citizenship and sex, the few Uzbek men are hidden, and so is what would give them away
    const citizens = await table('rows=citizenship&cols=sex');
    expect(
      citizens.cells.some((c) => c.suppressed),
      citizens.body,
    ).toBe(true);
  });
});
