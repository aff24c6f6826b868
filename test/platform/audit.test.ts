import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import { insertUser, PASSWORD } from '../auth/support.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';

const CANARY = 'Canary Zz9Qx Gulnabat';

describe.each(ENGINES)('audit trail on %s (G27, G28, G29)', (engine) => {
  let t: TestApp;
  let b: Browser;
  beforeAll(async () => {
    t = await createTestApp(engine, { demo: true });
    await insertUser(t, 'aud1', { demo: true });
    b = new Browser(t);
    await b.post('/api/auth/login', { username: 'aud1', password: PASSWORD });
    for (let i = 0; i < 5; i++) await b.patch('/api/me', { displayName: `${CANARY} ${i}` });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes one event per change, with field names and never values', async () => {
    const { rows } = await t.admin.query(
      "SELECT * FROM audit_events WHERE action = 'user.update_self' ORDER BY seq",
    );
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row.fields).toEqual(['display_name']);
      expect(row.request_id).toBeTruthy();
      expect(row.actor_user_id).toBeTruthy();
      expect(row.at).toBeInstanceOf(Date);
    }
    const dump = await t.admin.query('SELECT row_to_json(a)::text AS j FROM audit_events a');
    expect(dump.rows.some((r) => r.j.includes('Zz9Qx'))).toBe(false);
  });

  it('verifies the chain, and detects an altered, deleted or forged event', async () => {
    expect(await verifyAuditChain(t.admin)).toMatchObject({ ok: true });
    const client = await t.admin.connect();
    try {
      await client.query('BEGIN');
      await client.query("UPDATE audit_events SET action = 'user.read' WHERE seq = 3");
      expect(await verifyAuditChain(client)).toMatchObject({ ok: false, firstBroken: { seq: 3 } });
      await client.query('ROLLBACK');

      await client.query('BEGIN');
      await client.query('DELETE FROM audit_events WHERE seq = 4');
      expect(await verifyAuditChain(client)).toMatchObject({ ok: false, firstBroken: { seq: 4 } });
      await client.query('ROLLBACK');

      await client.query('BEGIN');
      const last = await client.query('SELECT max(seq)::int AS m FROM audit_events');
      await client.query('DELETE FROM audit_events WHERE seq = $1', [last.rows[0].m]);
      expect((await verifyAuditChain(client)).ok).toBe(false);
      await client.query('ROLLBACK');

      await client.query('BEGIN');
      await client.query(
        `INSERT INTO audit_events (seq, at, action, outcome, fields, prev_hash, hash)
         SELECT max(seq) + 1, now(), 'forged', 'success', '{}', hash, hash FROM audit_events
          WHERE seq = (SELECT max(seq) FROM audit_events) GROUP BY hash`,
      );
      expect((await verifyAuditChain(client)).ok).toBe(false);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await verifyAuditChain(t.admin)).toMatchObject({ ok: true });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit rows to the runtime role', async () => {
    const client = await t.admin.connect();
    try {
      for (const statement of [
        'UPDATE audit_events SET action = action',
        'DELETE FROM audit_events',
        'TRUNCATE audit_events',
      ]) {
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE halas_app');
        await expect(client.query(statement)).rejects.toMatchObject({ code: '42501' });
        await client.query('ROLLBACK');
      }
    } finally {
      client.release();
    }
  });

  it('commits no business change when its audit event cannot be written', async () => {
    const before = await t.admin.query("SELECT display_name FROM users WHERE username = 'aud1'");
    await t.admin.query('REVOKE INSERT ON audit_events FROM halas_app');
    try {
      const res = await b.patch('/api/me', { displayName: 'Should not stick' });
      expect(res.statusCode).toBe(500);
    } finally {
      await t.admin.query('GRANT INSERT ON audit_events TO halas_app');
    }
    const after = await t.admin.query("SELECT display_name FROM users WHERE username = 'aud1'");
    expect(after.rows[0].display_name).toBe(before.rows[0].display_name);
    expect(await verifyAuditChain(t.admin)).toMatchObject({ ok: true });
  });

  it('records authenticated denials through the central hook', async () => {
    const res = await b.get('/api/audit');
    expect(res.statusCode).toBe(403);
    const { rows } = await t.admin.query(
      "SELECT * FROM audit_events WHERE action = 'access.denied' ORDER BY seq DESC LIMIT 1",
    );
    expect(rows[0]).toMatchObject({ outcome: 'denied', entity_type: 'route', entity_id: 'GET /api/audit' });
  });

  it('keeps the chain ordered and gapless under concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 16 }, (_, i) => b.patch('/api/me', { displayName: `Parallel ${i}` })),
    );
    const result = await verifyAuditChain(t.admin);
    expect(result.ok).toBe(true);
  });
});
