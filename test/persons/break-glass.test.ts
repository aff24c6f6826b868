import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import { createAgency, signIn } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser, SAME_ORIGIN } from '../support/http.js';
import { comparable } from '../support/identical.js';
import { writeFingerprint } from '../support/snapshot.js';
import { staff } from './support.js';

const REASON = 'Person found injured at the border post; the owning shelter cannot be reached at night.';
const MINUTE = 60_000;

describe.each(ENGINES)('break-the-glass on %s', (engine) => {
  let t: TestApp;
  let agencyA: string;
  let agencyB: string;
  let caseA: Browser & { userId: string };
  let caseB: Browser & { userId: string };
  let authorityB: Browser & { userId: string };
  let providerB: Browser & { userId: string };
  let analystB: Browser & { userId: string };
  let dpo: Browser & { userId: string };

  beforeAll(async () => {
    t = await createTestApp(engine);
    agencyA = (await createAgency(t, { type: 'rehabilitation_centre' })).id;
    agencyB = (await createAgency(t, { type: 'border_service' })).id;
    const secretariat = (await createAgency(t, { type: 'nrm_secretariat' })).id;
    caseA = await staff(t, agencyA, ['case_manager']);
    caseB = await staff(t, agencyB, ['case_manager']);
    authorityB = await staff(t, agencyB, ['competent_authority']);
    providerB = await staff(t, agencyB, ['service_provider']);
    analystB = await staff(t, agencyB, ['analyst']);
    dpo = await staff(t, secretariat, ['dpo']);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Sessions idle out after 15 minutes of fake time. */
  async function resign(...browsers: Array<Browser & { userId: string }>) {
    for (const b of browsers) b.cookie = await signIn(t, b.userId);
  }

  async function register(name: string) {
    const res = await caseA.post(
      '/api/persons',
      {
        sex: 'female',
        birthYear: 1996,
        identity: { names: [{ value: name, kind: 'primary' }] },
        health: { notes: 'Asthma; needs an inhaler.' },
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(res.statusCode, res.body).toBe(201);
    return res.json().person as { id: string; ref: string };
  }

  const counts = async () => {
    const { rows } = await t.admin.query(
      `SELECT (SELECT count(*)::int FROM break_glass_grants) AS grants,
              (SELECT count(*)::int FROM alerts) AS alerts`,
    );
    // sessions aside: the stale sign-in below creates one
    const { sessions: _s, live_sessions: _l, ...business } = await writeFingerprint(t.admin);
    return { ...rows[0], ...business };
  };

  it('opens one person to one user for the window, audited and alerted; then closes again', async () => {
    await resign(caseA, caseB, dpo);
    const person = await register('Gülälek Hojamyradowa');
    const neighbour = await register('Bahar Hojamyradowa');
    const random = await caseB.get(`/api/persons/${randomUUID()}`);
    expect((await caseB.get(`/api/persons/${person.id}`)).statusCode).toBe(404);

    const opened = await caseB.post('/api/break-glass', { ref: person.ref.toLowerCase(), reason: REASON });
    expect(opened.statusCode, opened.body).toBe(201);
    const grant = opened.json() as { id: string; personId: string; personRef: string; expiresAt: string };
    expect(grant.personId).toBe(person.id);
    expect(grant.personRef).toBe(person.ref);
    expect(new Date(grant.expiresAt).getTime()).toBe(t.clock.now().getTime() + 60 * MINUTE);

    const view = await caseB.get(`/api/persons/${person.id}`);
    expect(view.statusCode).toBe(200);
    // the case manager's class rules, read-only
    expect(view.json().readable).toEqual(['identity', 'contact', 'trafficking', 'health', 'legal', 'child']);
    expect(view.json().writable).toEqual([]);
    expect(view.json().emergencyAccessUntil).toBe(grant.expiresAt);
    expect((await caseA.get(`/api/persons/${person.id}`)).json().emergencyAccessUntil).toBeNull();
    const fields = await caseB.get(`/api/persons/${person.id}/fields?classes=identity,health`);
    expect(fields.statusCode).toBe(200);
    expect(fields.json().identity.names[0].value).toBe('Gülälek Hojamyradowa');
    const patch = await caseB.patch(
      `/api/persons/${person.id}`,
      { interpreterNeeded: true },
      { 'if-match': '"1"' },
    );
    expect(patch.statusCode).toBe(404);
    // only that person, only for that user
    expect((await caseB.get(`/api/persons/${neighbour.id}`)).statusCode).toBe(404);
    expect((await authorityB.get(`/api/persons/${person.id}`)).statusCode).toBe(404);
    // never listed or found by search
    expect((await caseB.get('/api/persons')).json().items.map((i: { id: string }) => i.id)).not.toContain(
      person.id,
    );

    const reads = await t.admin.query(
      `SELECT fields FROM audit_events WHERE action = 'break_glass.read' AND entity_type = 'break_glass_grant'
        AND entity_id = $1 ORDER BY seq`,
      [grant.id],
    );
    expect(reads.rows.map((r) => r.fields)).toEqual([['record'], ['identity', 'health']]);
    const openEvent = await t.admin.query(
      "SELECT actor_user_id, actor_agency_id, fields FROM audit_events WHERE action = 'break_glass.open' AND entity_id = $1",
      [grant.id],
    );
    expect(openEvent.rows).toEqual([
      {
        actor_user_id: caseB.userId,
        actor_agency_id: agencyB,
        fields: ['person_id', 'reason', 'expires_at'],
      },
    ]);
    const alerts = await t.admin.query(
      "SELECT user_id, agency_id FROM alerts WHERE kind = 'break_glass' AND person_id = $1",
      [person.id],
    );
    expect(alerts.rows).toEqual([{ user_id: caseB.userId, agency_id: agencyA }]);
    const stored = await t.admin.query('SELECT reason FROM break_glass_grants WHERE id = $1', [grant.id]);
    expect(stored.rows[0].reason.toString('latin1')).not.toMatch(/injured|border/);

    const listed = await dpo.get('/api/break-glass?status=active');
    expect(listed.statusCode).toBe(200);
    const event = listed.json().items.find((i: { id: string }) => i.id === grant.id);
    expect(event).toMatchObject({
      userId: caseB.userId,
      agencyId: agencyB,
      personRef: person.ref,
      personAgencyId: agencyA,
      reason: REASON,
      active: true,
      reads: 2,
    });
    expect(listed.body).not.toMatch(/Gülälek|Hojamyradowa|Asthma/);
    expect((await caseB.get('/api/break-glass')).statusCode).toBe(403);

    t.clock.advance(61 * MINUTE);
    await resign(caseB, dpo);
    const after = await caseB.get(`/api/persons/${person.id}`);
    expect(after.statusCode).toBe(404);
    expect(comparable(after)).toEqual(comparable(random));
    expect((await caseB.get(`/api/persons/${person.id}/fields?classes=identity`)).statusCode).toBe(404);
    const expired = await dpo.get('/api/break-glass?status=expired');
    expect(expired.json().items.find((i: { id: string }) => i.id === grant.id)).toMatchObject({
      active: false,
      reads: 2,
    });
    expect(
      (await dpo.get('/api/break-glass?status=active')).json().items.map((i: { id: string }) => i.id),
    ).not.toContain(grant.id);
    expect((await verifyAuditChain(t.admin)).ok).toBe(true);
  });

  it('row-level security sees the person only under an unexpired grant of the request’s user (G06)', async () => {
    await resign(caseA, caseB);
    const person = await register('Ogulgerek Annaýewa');
    const opened = await caseB.post('/api/break-glass', { ref: person.ref, reason: REASON });
    expect(opened.statusCode, opened.body).toBe(201);
    const expiresAt = new Date(opened.json().expiresAt);
    const client = await t.admin.connect();
    const visible = async (userId: string | null, at: Date | null) => {
      await client.query('BEGIN');
      try {
        await client.query('SET LOCAL ROLE halas_app');
        await client.query(
          "SELECT set_config('app.user_id', $1, true), set_config('app.agency_ids', $2, true), set_config('app.now', $3, true)",
          [userId ?? '', agencyB, at?.toISOString() ?? ''],
        );
        const persons = await client.query('SELECT id FROM persons WHERE id = $1', [person.id]);
        const keys = await client.query('SELECT person_id FROM person_keys WHERE person_id = $1', [
          person.id,
        ]);
        return persons.rowCount! + keys.rowCount!;
      } finally {
        await client.query('ROLLBACK');
      }
    };
    try {
      expect(await visible(caseB.userId, t.clock.now())).toBe(2);
      expect(await visible(caseB.userId, new Date(expiresAt.getTime() - 1))).toBe(2);
      expect(await visible(caseB.userId, expiresAt)).toBe(0);
      expect(await visible(authorityB.userId, t.clock.now())).toBe(0);
      expect(await visible(null, t.clock.now())).toBe(0);
      // no context at all: still no rows anywhere
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE halas_app');
      for (const table of ['persons', 'person_keys', 'consents', 'break_glass_grants']) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
        expect(rows[0].n, table).toBe(0);
      }
      // a grant cannot be forged for someone else
      await client.query("SELECT set_config('app.user_id', $1, true)", [authorityB.userId]);
      await expect(
        client.query(
          `INSERT INTO break_glass_grants (user_id, agency_id, person_id, reason, created_at, expires_at)
           VALUES ($1, $2, $3, '\\x00', now(), now() + interval '1 hour')`,
          [caseB.userId, agencyB, person.id],
        ),
      ).rejects.toMatchObject({ code: '42501' });
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('refuses the wrong role (403), a stale sign-in, bad input and needless grants, writing nothing', async () => {
    await resign(caseA, caseB, authorityB, providerB, analystB, dpo);
    const person = await register('Jeren Saparowa');
    const own = await register('Aýna Saparowa');
    const before = await counts();
    for (const b of [providerB, analystB, dpo]) {
      const res = await b.post('/api/break-glass', { ref: person.ref, reason: REASON });
      expect(res.statusCode).toBe(403);
    }
    const stale = new Browser(t);
    stale.cookie = await signIn(t, authorityB.userId, {
      authenticatedAt: new Date(t.clock.now().getTime() - 10 * MINUTE),
    });
    const reauth = await stale.post('/api/break-glass', { ref: person.ref, reason: REASON });
    expect(reauth.statusCode).toBe(403);
    expect(reauth.json().code).toBe('reauth_required');

    const short = await caseB.post('/api/break-glass', { ref: person.ref, reason: 'urgent' });
    expect(short.statusCode).toBe(400);
    expect(short.json().code).toBe('validation_failed');
    expect(short.json().issues.map((i: { path: string }) => i.path)).toEqual(['reason']);
    const badRef = await caseB.post('/api/break-glass', { ref: 'Robert; DROP', reason: REASON });
    expect(badRef.statusCode).toBe(400);
    const unknown = await caseB.post('/api/break-glass', { ref: 'P-ZZZZ-ZZZZ', reason: REASON });
    expect(unknown.statusCode).toBe(404);
    const extra = await caseB.post('/api/break-glass', { ref: person.ref, reason: REASON, minutes: 600 });
    expect(extra.statusCode).toBe(400);
    const inScope = await caseA.post('/api/break-glass', { ref: own.ref, reason: REASON });
    expect(inScope.statusCode).toBe(409);
    expect(inScope.json().code).toBe('break_glass_unneeded');
    expect(await counts()).toEqual(before);

    expect((await authorityB.post('/api/break-glass', { ref: person.ref, reason: REASON })).statusCode).toBe(
      201,
    );
    const again = await authorityB.post('/api/break-glass', { ref: person.ref, reason: REASON });
    expect(again.json().code).toBe('break_glass_unneeded');
    // the competent authority's class rules
    expect((await authorityB.get(`/api/persons/${person.id}`)).json().readable).toEqual([
      'identity',
      'contact',
      'trafficking',
      'legal',
    ]);
    expect((await authorityB.get(`/api/persons/${person.id}/fields?classes=health`)).statusCode).toBe(403);
  });
  it('under a grant, files and history are readable, each read audited with the grant; no file writes', async () => {
    await resign(caseA, caseB);
    const person = await register('Ogulşat Berdiýewa');
    const photo = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
      Buffer.from('bg-photo'),
      Buffer.from([0xff, 0xd9]),
    ]);
    const up = await t.app.inject({
      method: 'POST',
      url: `/api/persons/${person.id}/files?kind=photo`,
      headers: { ...SAME_ORIGIN, cookie: caseA.cookie ?? '', 'content-type': 'application/octet-stream' },
      payload: photo,
    });
    expect(up.statusCode, up.body).toBe(201);
    const fileId = up.json().id as string;
    expect((await caseB.get(`/api/persons/${person.id}/files`)).statusCode).toBe(404);
    expect((await caseB.get(`/api/persons/${person.id}/files/${fileId}`)).statusCode).toBe(404);
    expect((await caseB.get(`/api/persons/${person.id}/history`)).statusCode).toBe(404);

    const opened = await caseB.post('/api/break-glass', { ref: person.ref, reason: REASON });
    expect(opened.statusCode, opened.body).toBe(201);
    const grantId = opened.json().id as string;
    const files = await caseB.get(`/api/persons/${person.id}/files`);
    expect(files.statusCode).toBe(200);
    expect(files.json().map((f: { id: string }) => f.id)).toEqual([fileId]);
    const down = await caseB.get(`/api/persons/${person.id}/files/${fileId}`);
    expect(down.statusCode).toBe(200);
    expect(down.rawPayload.equals(photo)).toBe(true);
    const history = await caseB.get(`/api/persons/${person.id}/history?classes=identity`);
    expect(history.statusCode, history.body).toBe(200);
    // read-only: no upload, no delete
    const upB = await t.app.inject({
      method: 'POST',
      url: `/api/persons/${person.id}/files?kind=photo`,
      headers: { ...SAME_ORIGIN, cookie: caseB.cookie ?? '', 'content-type': 'application/octet-stream' },
      payload: photo,
    });
    expect([403, 404]).toContain(upB.statusCode);
    expect([403, 404]).toContain(
      (await caseB.delete(`/api/persons/${person.id}/files/${fileId}`)).statusCode,
    );
    expect(
      (await t.admin.query('SELECT count(*)::int AS n FROM person_files WHERE person_id = $1', [person.id]))
        .rows[0].n,
    ).toBe(1);

    const reads = await t.admin.query(
      `SELECT fields FROM audit_events WHERE action = 'break_glass.read' AND entity_id = $1 ORDER BY seq`,
      [grantId],
    );
    expect(reads.rows.map((r) => r.fields)).toEqual([['files'], ['photo'], ['history', 'identity']]);
    expect((await verifyAuditChain(t.admin)).ok).toBe(true);
  });
});
