import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverMessage } from '../../src/shared/i18n/server/index.js';
import { createAgency, createUser, signIn } from '../factories/index.js';
import { staff } from '../persons/support.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';

const CLIENTS = 8;
const UPDATES = Number(process.env.HALAS_G34_UPDATES ?? 200);
const RECORDS = 8;

/** Update routes that do not take part in If-Match, and why. */
const NOT_VERSIONED: Record<string, string> = {
  // the caller's own preferences (language, display name): one person edits them, from their own tabs
  'PATCH /api/me': 'own preferences',
};

describe.each(ENGINES)('ETag and If-Match on %s (G34)', (engine) => {
  let t: TestApp;
  let operatorAgency: string;
  let agencyA: string;
  let sysadmin: Browser;
  let adminA: Browser;
  let hotline: Awaited<ReturnType<typeof staff>>;
  let userId: string;
  let personId: string;

  beforeAll(async () => {
    t = await createTestApp(engine, process.env.HALAS_DEBUG_LOG ? { logLevel: 'error' } : {});
    operatorAgency = (await createAgency(t, { type: 'system_operator' })).id;
    agencyA = (await createAgency(t, { type: 'police' })).id;
    const hotlineAgency = (await createAgency(t, { type: 'hotline_ngo' })).id;
    sysadmin = await staff(t, operatorAgency, ['system_admin']);
    adminA = await staff(t, agencyA, ['agency_admin']);
    hotline = await staff(t, hotlineAgency, ['hotline_operator']);
    userId = (await createUser(t, { agencyId: agencyA, roles: ['trainer'] })).id;
    const created = await hotline.post('/api/persons', { sex: 'female', birthYear: 1990 });
    expect(created.statusCode).toBe(201);
    personId = created.json().person.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every versioned update: who sends it, where the record is read, and a valid change. */
  const cases = () => [
    {
      name: 'agency',
      who: sysadmin,
      read: `/api/agencies/${agencyA}`,
      method: 'PATCH' as const,
      url: `/api/agencies/${agencyA}`,
      body: (i: number) => ({ region: `Region ${i}` }),
    },
    {
      name: 'user',
      who: adminA,
      read: `/api/users/${userId}`,
      method: 'PATCH' as const,
      url: `/api/users/${userId}`,
      body: (i: number) => ({ displayName: `Trainer ${i}` }),
    },
    {
      name: 'membership',
      who: adminA,
      read: `/api/users/${userId}`,
      method: 'PUT' as const,
      url: `/api/users/${userId}/memberships`,
      body: (i: number) => ({
        agencyId: agencyA,
        roles: i % 2 ? ['trainer', 'nap_focal_point'] : ['trainer'],
      }),
    },
    {
      name: 'person',
      who: hotline,
      read: `/api/persons/${personId}`,
      method: 'PATCH' as const,
      url: `/api/persons/${personId}`,
      body: (i: number) => ({ birthYear: 1980 + (i % 20) }),
    },
  ];

  const versionOf = async (who: Browser, url: string) => {
    const res = await who.get(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe(`"${res.json().version}"`);
    return res.json().version as number;
  };

  it('declares If-Match on every update route', () => {
    const updates = t.app.declaredRoutes.filter((r) => r.method === 'PATCH' || r.method === 'PUT');
    expect(updates.length).toBeGreaterThanOrEqual(4);
    expect(
      updates.filter((r) => r.etag !== 'update' && !NOT_VERSIONED[`${r.method} ${r.url}`]).map((r) => r.url),
    ).toEqual([]);
  });

  it('sends ETag on reads and updates; 428 without If-Match, 400 for a foreign one, 412 when stale', async () => {
    // sign-ins in all three languages see the 428 message in their own
    for (const locale of ['tk', 'ru', 'en'] as const) {
      const user = await createUser(t, { agencyId: operatorAgency, roles: ['system_admin'], locale });
      const b = new Browser(t, locale);
      b.cookie = await signIn(t, user.id);
      const res = await b.patch(`/api/agencies/${agencyA}`, { region: 'No precondition' });
      expect(res.statusCode).toBe(428);
      expect(res.json()).toMatchObject({
        code: 'precondition_required',
        message: serverMessage(locale, 'error.precondition_required'),
      });
    }
    for (const c of cases()) {
      const v = await versionOf(c.who, c.read);
      const send = (headers: Record<string, string>, i = v) =>
        c.who.request(c.method, c.url, c.body(i), headers);
      const missing = await send({});
      expect(missing.statusCode, c.name).toBe(428);
      for (const bad of ['abc', `W/"${v}"`, '*', `"${v}", "${v + 1}"`, '"-1"']) {
        const res = await send({ 'if-match': bad });
        expect(res.statusCode, `${c.name} ${bad}`).toBe(400);
        expect(res.json().code).toBe('if_match_invalid');
      }
      const stale = await send({ 'if-match': `"${v - 1}"` });
      expect(stale.statusCode, c.name).toBe(412);
      expect(stale.json()).toMatchObject({ code: 'precondition_failed', currentVersion: v });
      expect(stale.headers.etag).toBe(`"${v}"`);
      expect(await versionOf(c.who, c.read), `${c.name}: a refused update changed nothing`).toBe(v);
      const ok = await send({ 'if-match': `"${v}"` }, v + 1);
      expect(ok.statusCode, `${c.name} ${ok.body}`).toBe(200);
      expect(ok.json().version).toBe(v + 1);
      expect(ok.headers.etag).toBe(`"${v + 1}"`);
      // the same If-Match again is now stale: the first writer won
      const again = await send({ 'if-match': `"${v}"` }, v + 2);
      expect(again.statusCode, c.name).toBe(412);
      expect(again.json().currentVersion).toBe(v + 1);
    }
  });

  it(`${CLIENTS} clients × ${UPDATES} random updates with retries: accepted updates = version increments, no lost update`, async () => {
    const agencies = await Promise.all(
      Array.from({ length: RECORDS }, async () => (await createAgency(t, { type: 'ngo' })).id),
    );
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => staff(t, operatorAgency, ['system_admin'])),
    );
    const initial = new Map<string, number>();
    for (const id of agencies) initial.set(id, await versionOf(sysadmin, `/api/agencies/${id}`));
    type Accepted = { agency: string; ifMatch: number; version: number; region: string };
    const accepted: Accepted[] = [];
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.nat(RECORDS - 1), { minLength: UPDATES, maxLength: UPDATES }), {
          minLength: CLIENTS,
          maxLength: CLIENTS,
        }),
        async (plans) => {
          await Promise.all(
            plans.map(async (plan, c) => {
              const b = clients[c]!;
              const known = new Map(initial);
              for (const [i, r] of plan.entries()) {
                const agency = agencies[r]!;
                const region = `C${c}-U${i}`;
                for (let attempt = 0; ; attempt++) {
                  expect(attempt).toBeLessThan(100);
                  const ifMatch = known.get(agency)!;
                  const res: LightMyRequestResponse = await b.patch(
                    `/api/agencies/${agency}`,
                    { region },
                    { 'if-match': `"${ifMatch}"` },
                  );
                  if (res.statusCode === 412) {
                    refused++;
                    known.set(agency, res.json().currentVersion);
                    continue;
                  }
                  expect(res.statusCode, res.body).toBe(200);
                  const version = res.json().version as number;
                  accepted.push({ agency, ifMatch, version, region });
                  known.set(agency, version);
                  break;
                }
              }
            }),
          );
        },
      ),
      // one long run; a failure is reported as it is (shrinking would re-run minutes of traffic)
      { numRuns: 1, endOnFailure: true },
    );
    expect(accepted).toHaveLength(CLIENTS * UPDATES);
    for (const id of agencies) {
      const mine = accepted.filter((a) => a.agency === id);
      const final = await t.admin.query<{ version: number; region: string }>(
        'SELECT version, region FROM agencies WHERE id = $1',
        [id],
      );
      // every accepted update moved the version by exactly one…
      expect(mine.every((a) => a.version === a.ifMatch + 1)).toBe(true);
      expect(final.rows[0]!.version).toBe(initial.get(id)! + mine.length);
      // …from a version nobody else had built on (two accepted updates on one base = a lost update)
      expect(new Set(mine.map((a) => a.ifMatch)).size).toBe(mine.length);
      // and the record holds the last accepted change
      const last = mine.reduce((x, y) => (y.version > x.version ? y : x));
      expect(final.rows[0]!.region).toBe(last.region);
      const events = await t.admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_events WHERE action = 'agency.update' AND entity_id = $1",
        [id],
      );
      expect(events.rows[0]!.n).toBe(mine.length);
    }
    // contention really happened (else the test proved nothing about concurrent writers)
    expect(refused).toBeGreaterThan(0);
  }, 600_000);
});
