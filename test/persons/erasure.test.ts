import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readLedger, reapplyErasureLedger } from '../../src/server/features/persons/erasure-ledger.js';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import { systemContext } from '../../src/server/platform/system-context.js';
import { createAgency, createUser, signIn } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';
import { canariesInDatabase, canariesThroughApi, type Seeded, seedCanaryPerson } from './canaries.js';
import { removeLedger, restartLikeMain, testRetention } from './reopen.js';
import { staff } from './support.js';

const STATS = `SELECT sex, birth_year, citizenships, count(*)::int AS n FROM persons
  GROUP BY sex, birth_year, citizenships ORDER BY sex, birth_year, citizenships::text`;

/** What a refused or invalid request must leave untouched. */
async function fingerprint(t: TestApp) {
  const { rows } = await t.admin.query(
    `SELECT (SELECT count(*)::int FROM audit_events WHERE outcome <> 'denied') AS audit,
            (SELECT md5(coalesce(string_agg(e::text, '|' ORDER BY e.id), '')) FROM erasure_requests e) AS requests,
            (SELECT md5(coalesce(string_agg(p::text, '|' ORDER BY p.id), '')) FROM persons p) AS persons,
            (SELECT count(*)::int FROM person_keys) AS keys`,
  );
  return rows[0];
}

describe.each(ENGINES)('erasure requests on %s (G24, GDPR Art. 17)', (engine) => {
  let t: TestApp;
  let agency: string;
  let requester: Awaited<ReturnType<typeof staff>>;
  let dpo: Awaited<ReturnType<typeof staff>>;
  let dpo2: Awaited<ReturnType<typeof staff>>;
  let coordinator: Awaited<ReturnType<typeof staff>>;
  let coordinator2: Awaited<ReturnType<typeof staff>>;
  let hotline: Awaited<ReturnType<typeof staff>>;
  let n = 0;
  const retention = testRetention();

  const seed = () =>
    seedCanaryPerson(requester, `E${engine.slice(0, 1)}`, n++, {
      sex: n % 2 ? 'female' : 'male',
      birthYear: 1990 + (n % 7),
      citizenships: ['TM'],
    });
  const ask = (p: Seeded, who = requester, reason = 'The person asked to be forgotten (Art. 17).') =>
    who.post(`/api/persons/${p.id}/erasure-requests`, { reason });

  beforeAll(async () => {
    t = await createTestApp(engine, { retention });
    agency = (await createAgency(t, { type: 'social_protection' })).id;
    const secretariat = (await createAgency(t, { type: 'nrm_secretariat' })).id;
    requester = await staff(t, agency, ['case_manager']);
    hotline = await staff(t, agency, ['hotline_operator']);
    dpo = await staff(t, secretariat, ['dpo']);
    dpo2 = await staff(t, secretariat, ['dpo']);
    coordinator = await staff(t, secretariat, ['national_coordinator']);
    coordinator2 = await staff(t, secretariat, ['national_coordinator']);
  });
  afterAll(async () => {
    await t?.close();
    removeLedger(retention);
  });

  it('request → DPO approves → second approver approves → the person is crypto-shredded', async () => {
    const keep = await seed();
    const p = await seed();
    const statsBefore = (await t.admin.query(STATS)).rows;
    expect(await canariesThroughApi(requester, [p], (x) => x.canaries[0]!)).not.toEqual([]);

    const asked = await ask(p);
    expect(asked.statusCode, asked.body).toBe(201);
    const request = asked.json();
    expect(request).toMatchObject({ status: 'pending', personRef: p.ref, reason: null });
    expect(asked.body).not.toContain('forgotten');

    const queue = await dpo.get('/api/erasure-requests');
    expect(queue.statusCode).toBe(200);
    expect(queue.json().items.map((r: { id: string }) => r.id)).toContain(request.id);
    const detail = await dpo.get(`/api/erasure-requests/${request.id}`);
    expect(detail.json().reason).toBe('The person asked to be forgotten (Art. 17).');

    const first = await dpo.post(`/api/erasure-requests/${request.id}/approve`, {});
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'pending', dpoApprovedBy: dpo.userId, completedAt: null });
    expect((await t.admin.query('SELECT 1 FROM person_keys WHERE person_id = $1', [p.id])).rowCount).toBe(1);

    t.clock.advance(60_000);
    const second = await coordinator.post(`/api/erasure-requests/${request.id}/approve`, {});
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toMatchObject({
      status: 'approved',
      secondApprovedBy: coordinator.userId,
      completedAt: t.clock.now().toISOString(),
      reasonShredded: true,
    });

    // the person page says when, and nothing identifying is left anywhere
    const view = await requester.get(`/api/persons/${p.id}`);
    expect(view.json()).toMatchObject({
      erased: true,
      erasedAt: t.clock.now().toISOString(),
      readable: [],
      languages: [],
      interpreterNeeded: null,
    });
    expect(await canariesThroughApi(requester, [p], (x) => x.canaries[0]!)).toEqual([]);
    expect(await canariesInDatabase(t, p.canaries)).toEqual([]);
    expect((await dpo.get(`/api/erasure-requests/${request.id}`)).json()).toMatchObject({
      reason: null,
      reasonShredded: true,
    });
    // the other person is untouched, and the scan does find live data
    expect(await canariesThroughApi(requester, [keep], (x) => x.canaries[0]!)).toContain(keep.canaries[0]);
    expect((await canariesInDatabase(t, keep.canaries)).length).toBeGreaterThan(0);

    // statistics unchanged, audit chain intact, the erasure in the ledger outside the database
    expect((await t.admin.query(STATS)).rows).toEqual(statsBefore);
    expect((await verifyAuditChain(t.admin)).ok).toBe(true);
    const events = await t.admin.query(
      "SELECT action, fields FROM audit_events WHERE entity_id = $1 AND action = 'person.erase'",
      [p.id],
    );
    expect(events.rowCount).toBe(1);
    expect(readLedger(retention.ledgerFile).map((e) => e.personId)).toContain(p.id);
    expect(fs.readFileSync(retention.ledgerFile, 'utf8')).not.toMatch(/Qz/);

    // a later request for the same person is refused, writing nothing
    const before = await fingerprint(t);
    const again = await ask(p);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('person_erased');
    expect(await fingerprint(t)).toEqual(before);
  });

  it('shreds the records merged into the person too, and lists them in the ledger', async () => {
    const survivor = await seed();
    const merged = await seed();
    // a merge (features/persons/merge.ts) leaves a tombstone pointing to the survivor, its key kept for undo
    await t.admin.query('UPDATE persons SET merged_into = $2 WHERE id = $1', [merged.id, survivor.id]);
    const id = (await ask(survivor)).json().id;
    expect((await dpo.post(`/api/erasure-requests/${id}/approve`, {})).statusCode).toBe(200);
    expect((await coordinator.post(`/api/erasure-requests/${id}/approve`, {})).statusCode).toBe(200);
    const keys = await t.admin.query('SELECT person_id FROM person_keys WHERE person_id = ANY($1::uuid[])', [
      [survivor.id, merged.id],
    ]);
    expect(keys.rowCount).toBe(0);
    expect(await canariesInDatabase(t, [...survivor.canaries, ...merged.canaries])).toEqual([]);
    const ledger = readLedger(retention.ledgerFile).map((e) => e.personId);
    expect(ledger).toEqual(expect.arrayContaining([survivor.id, merged.id]));
    const events = await t.admin.query(
      "SELECT entity_id FROM audit_events WHERE action = 'person.erase' AND entity_id = ANY($1::text[])",
      [[survivor.id, merged.id]],
    );
    expect(events.rowCount).toBe(2);
  });

  it('refuses self-approval, a second approval by the same user, and a second approver without the DPO', async () => {
    const p = await seed();
    const own = await ask(p, dpo);
    expect(own.statusCode, own.body).toBe(201);
    const id = own.json().id;
    const before = await fingerprint(t);
    const self = await dpo.post(`/api/erasure-requests/${id}/approve`, {});
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('erasure_self_approval');
    const selfReject = await dpo.post(`/api/erasure-requests/${id}/reject`, { reason: 'No.' });
    expect(selfReject.statusCode).toBe(403);
    expect(await fingerprint(t)).toEqual(before);

    expect((await coordinator.post(`/api/erasure-requests/${id}/approve`, {})).statusCode).toBe(200);
    const mid = await fingerprint(t);
    const twice = await coordinator.post(`/api/erasure-requests/${id}/approve`, {});
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('erasure_decided');
    const noDpo = await coordinator2.post(`/api/erasure-requests/${id}/approve`, {});
    expect(noDpo.statusCode).toBe(403);
    expect(noDpo.json().code).toBe('erasure_dpo_required');
    expect(await fingerprint(t)).toEqual(mid);

    // another DPO completes it
    const done = await dpo2.post(`/api/erasure-requests/${id}/approve`, {});
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().status).toBe('approved');
    const after = await fingerprint(t);
    const late = await dpo.post(`/api/erasure-requests/${id}/approve`, {});
    expect(late.statusCode).toBe(409);
    expect(await fingerprint(t)).toEqual(after);
  });

  it('rejection with a reason keeps the person', async () => {
    const p = await seed();
    // an id in upper case is the same person (the reason stays bound to the stored id)
    const id = (await ask({ ...p, id: p.id.toUpperCase() })).json().id;
    const empty = await dpo.post(`/api/erasure-requests/${id}/reject`, { reason: '   ' });
    expect(empty.statusCode).toBe(400);
    const rejected = await dpo.post(`/api/erasure-requests/${id}/reject`, {
      reason: 'Criminal proceedings still need the record.',
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json()).toMatchObject({ status: 'rejected', rejectedBy: dpo.userId });
    expect((await dpo.get(`/api/erasure-requests/${id}`)).json().rejectionReason).toBe(
      'Criminal proceedings still need the record.',
    );
    expect((await coordinator.post(`/api/erasure-requests/${id}/approve`, {})).statusCode).toBe(409);
    expect((await requester.get(`/api/persons/${p.id}`)).json().erased).toBe(false);
    expect(await canariesThroughApi(requester, [p], (x) => x.canaries[0]!)).toContain(p.canaries[0]);
    // a new request may follow a rejection
    expect((await ask(p)).statusCode).toBe(201);
  });

  it('answers wrong roles, other agencies, unknown ids and bad input with a clear 4xx, writing nothing', async () => {
    const p = await seed();
    const other = await staff(t, (await createAgency(t, { type: 'crisis_room' })).id, ['case_manager']);
    const before = await fingerprint(t);
    const cases: Array<[Promise<import('fastify').LightMyRequestResponse>, number, string]> = [
      [ask(p, hotline), 403, 'forbidden'],
      [ask(p, other), 404, 'not_found'],
      [ask({ ...p, id: '00000000-0000-4000-8000-000000000000' }), 404, 'not_found'],
      [requester.post(`/api/persons/${p.id}/erasure-requests`, { reason: '' }), 400, 'validation_failed'],
      [requester.post(`/api/persons/${p.id}/erasure-requests`, {}), 400, 'validation_failed'],
      [
        requester.post(`/api/persons/${p.id}/erasure-requests`, { reason: 'x', extra: 1 }),
        400,
        'validation_failed',
      ],
      [requester.get('/api/erasure-requests'), 403, 'forbidden'],
      [hotline.get('/api/erasure-requests'), 403, 'forbidden'],
      [dpo.post('/api/erasure-requests/00000000-0000-4000-8000-000000000000/approve', {}), 404, 'not_found'],
      [dpo.post('/api/erasure-requests/not-a-uuid/approve', {}), 400, 'validation_failed'],
    ];
    for (const [res, status, code] of cases) {
      const r = await res;
      expect(r.statusCode, r.body).toBe(status);
      expect(r.json().code).toBe(code);
    }
    expect(await fingerprint(t)).toEqual(before);

    const id = (await ask(p)).json().id;
    const ruUser = await createUser(t, { agencyId: agency, roles: ['case_manager'], locale: 'ru' });
    const ruCookie = await signIn(t, ruUser.id);
    const pending = await fingerprint(t);
    const dup = await ask(p);
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('erasure_pending');
    expect((await requester.post(`/api/erasure-requests/${id}/approve`, {})).statusCode).toBe(403);
    // in Russian, too
    const ru = new Browser(t, 'ru');
    ru.cookie = ruCookie;
    const dupRu = await ru.post(`/api/persons/${p.id}/erasure-requests`, { reason: 'Просьба' });
    expect(dupRu.json().message).toMatch(/удален/);
    expect(await fingerprint(t)).toEqual(pending);

    // approvals need a fresh second factor
    const stale = new Browser(t);
    stale.cookie = await signIn(t, dpo.userId, {
      authenticatedAt: new Date(t.clock.now().getTime() - 3600_000),
    });
    const old = await stale.post(`/api/erasure-requests/${id}/approve`, {});
    expect(old.statusCode).toBe(403);
    expect(old.json().code).toBe('reauth_required');
    expect(await fingerprint(t)).toEqual(pending);

    // the person page lists the person's requests for the requester, without reasons
    const mine = await requester.get(`/api/persons/${p.id}/erasure-requests`);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()[0]).toMatchObject({ id, status: 'pending', reason: null });
    expect((await other.get(`/api/persons/${p.id}/erasure-requests`)).statusCode).toBe(404);
  });
});

/** G24: a backup taken before an erasure, restored afterwards, must not bring the person back. */
describe.each(ENGINES)('restore after shred on %s (G24)', (engine) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-restore-'));
  const retention = testRetention();
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
    removeLedger(retention);
  });

  it('re-applies the erasure ledger at start-up, before any request, so the canaries stay unreadable', async () => {
    let t = await createTestApp(engine, { retention }, engine === 'embedded' ? { dataDir } : {});
    cleanups.push(() => t.close());
    const agency = (await createAgency(t, { type: 'social_protection' })).id;
    const secretariat = (await createAgency(t, { type: 'nrm_secretariat' })).id;
    const requester = await staff(t, agency, ['case_manager']);
    const dpoUser = await createUser(t, { agencyId: secretariat, roles: ['dpo'] });
    const coordUser = await createUser(t, { agencyId: secretariat, roles: ['national_coordinator'] });
    const victim = await seedCanaryPerson(requester, `R${engine.slice(0, 1)}`, 1, {
      sex: 'female',
      birthYear: 2001,
      citizenships: ['UZ'],
    });
    const bystander = await seedCanaryPerson(requester, `R${engine.slice(0, 1)}`, 2, {
      sex: 'male',
      birthYear: 1985,
      citizenships: ['TM'],
    });
    const statsBefore = (await t.admin.query(STATS)).rows;

    // the backup, taken before the erasure
    let restore: () => Promise<{ config: typeof t.deps.config; drop: () => Promise<void> }>;
    if (engine === 'embedded') {
      cleanups.pop();
      await t.app.close();
      await t.deps.db.close();
      const backup = `${dataDir}-backup`;
      fs.cpSync(path.join(dataDir, 'pgdata'), backup, { recursive: true });
      cleanups.push(async () => fs.rmSync(backup, { recursive: true, force: true }));
      ({ t } = await restartLikeMain(t, t.deps.config));
      cleanups.push(() => t.close());
      restore = async () => {
        // the database files go back; the ledger (outside pgdata) stays as it is now
        fs.rmSync(path.join(dataDir, 'pgdata'), { recursive: true, force: true });
        fs.cpSync(backup, path.join(dataDir, 'pgdata'), { recursive: true });
        return { config: t.deps.config, drop: async () => {} };
      };
    } else {
      const dumpFile = path.join(dataDir, 'before.dump');
      execFileSync('pg_dump', [
        '--format=custom',
        '--no-owner',
        `--file=${dumpFile}`,
        t.deps.config.databaseUrl!,
      ]);
      restore = async () => {
        const adminUrl = inject('pgAdminUrl');
        const name = `halas_restore_${randomBytes(5).toString('hex')}`;
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`CREATE DATABASE ${name}`);
        await c.end();
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        execFileSync('pg_restore', ['--no-owner', `--dbname=${url.toString()}`, dumpFile]);
        return {
          config: { ...t.deps.config, databaseUrl: url.toString() },
          drop: async () => {
            const d = new pg.Client({ connectionString: adminUrl });
            await d.connect();
            await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await d.end();
          },
        };
      };
    }

    // the erasure: request, DPO, second approver
    const dpo = new Browser(t);
    dpo.cookie = await signIn(t, dpoUser.id);
    const coordinator = new Browser(t);
    coordinator.cookie = await signIn(t, coordUser.id);
    const asker = new Browser(t);
    asker.cookie = await signIn(t, requester.userId);
    const asked = await asker.post(`/api/persons/${victim.id}/erasure-requests`, {
      reason: 'Asked by the person.',
    });
    expect(asked.statusCode, asked.body).toBe(201);
    expect((await dpo.post(`/api/erasure-requests/${asked.json().id}/approve`, {})).statusCode).toBe(200);
    expect((await coordinator.post(`/api/erasure-requests/${asked.json().id}/approve`, {})).statusCode).toBe(
      200,
    );
    expect(await canariesInDatabase(t, victim.canaries)).toEqual([]);
    const erasedAt = (await t.admin.query('SELECT erased_at FROM persons WHERE id = $1', [victim.id])).rows[0]
      .erased_at as Date;

    // stop, restore the pre-erasure backup, start again on it with the same ledger
    const previous = t;
    cleanups.pop();
    if (engine === 'embedded') {
      await previous.app.close();
      await previous.deps.db.close();
    } else {
      await previous.app.close();
      await previous.deps.db.close();
      cleanups.push(async () => {
        const d = new pg.Client({ connectionString: inject('pgAdminUrl') });
        await d.connect();
        await d.query(
          `DROP DATABASE IF EXISTS ${new URL(previous.deps.config.databaseUrl!).pathname.slice(1)} WITH (FORCE)`,
        );
        await d.end();
      });
    }
    const restored = await restore();
    if (restored.config.databaseUrl) {
      // the restored database holds the victim's key again: the backup really predates the erasure
      const c = new pg.Client({ connectionString: restored.config.databaseUrl });
      await c.connect();
      const keys = await c.query('SELECT 1 FROM person_keys WHERE person_id = $1', [victim.id]);
      await c.end();
      expect(keys.rowCount).toBe(1);
    }
    const started = await restartLikeMain(previous, restored.config, restored.drop);
    t = started.t;
    cleanups.push(() => t.close());
    expect(started.reapplied.reshredded).toBe(1);

    // before any request: no key, no tokens, no sealed column, the original erasure date
    const row = await t.admin.query(
      `SELECT erased_at, identity_enc, contact_enc, trafficking_enc, health_enc, legal_enc, child_enc,
              (SELECT count(*)::int FROM person_keys WHERE person_id = p.id) AS keys,
              (SELECT count(*)::int FROM person_name_tokens WHERE person_id = p.id) AS tokens
         FROM persons p WHERE id = $1`,
      [victim.id],
    );
    expect(row.rows[0]).toMatchObject({
      erased_at: erasedAt,
      identity_enc: null,
      contact_enc: null,
      trafficking_enc: null,
      health_enc: null,
      legal_enc: null,
      child_enc: null,
      keys: 0,
      tokens: 0,
    });
    const reader = new Browser(t);
    reader.cookie = await signIn(t, requester.userId);
    expect((await reader.get(`/api/persons/${victim.id}`)).json()).toMatchObject({ erased: true });
    expect(await canariesThroughApi(reader, [victim], (x) => x.canaries[0]!)).toEqual([]);
    expect(await canariesInDatabase(t, victim.canaries)).toEqual([]);
    expect(await canariesThroughApi(reader, [bystander], (x) => x.canaries[0]!)).toContain(
      bystander.canaries[0],
    );
    expect((await t.admin.query(STATS)).rows).toEqual(statsBefore);
    expect((await verifyAuditChain(t.admin)).ok).toBe(true);

    // a second start finds nothing left to do (reshredded above proves the backup predated the erasure)
    const again = await reapplyErasureLedger(t.deps, systemContext(t.deps, 'again'));
    expect(again.reshredded).toBe(0);
  });
});
