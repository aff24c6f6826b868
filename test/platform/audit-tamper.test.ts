import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import { AuditEventView } from '../../src/shared/contracts/audit.js';
import { insertUser, PASSWORD } from '../auth/support.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';

const RUNS = process.env.DEEP ? 1000 : 150;

/** One random single mutation a superuser could make to the stored trail. */
const mutation = (maxSeq: number) =>
  fc.oneof(
    fc.record({
      kind: fc.constant('alter-action' as const),
      seq: fc.integer({ min: 1, max: maxSeq }),
      value: fc.string({ minLength: 1, maxLength: 12 }),
    }),
    fc.record({
      kind: fc.constant('alter-fields' as const),
      seq: fc.integer({ min: 1, max: maxSeq }),
      value: fc.string({ minLength: 1, maxLength: 12 }),
    }),
    fc.record({
      kind: fc.constant('alter-time' as const),
      seq: fc.integer({ min: 1, max: maxSeq }),
      value: fc.integer({ min: 1, max: 10_000_000 }),
    }),
    fc.record({ kind: fc.constant('alter-actor' as const), seq: fc.integer({ min: 1, max: maxSeq }) }),
    fc.record({ kind: fc.constant('delete' as const), seq: fc.integer({ min: 1, max: maxSeq }) }),
    fc.record({ kind: fc.constant('swap' as const), seq: fc.integer({ min: 1, max: maxSeq - 1 }) }),
    fc.record({ kind: fc.constant('forge-append' as const) }),
    fc.record({ kind: fc.constant('truncate-tail' as const), seq: fc.integer({ min: 1, max: maxSeq }) }),
  );

describe.each(ENGINES)('audit tamper detection on %s (G28, G29)', (engine) => {
  let t: TestApp;
  let maxSeq = 0;
  beforeAll(async () => {
    t = await createTestApp(engine, { demo: true });
    await insertUser(t, 'tamper1', { demo: true });
    const b = new Browser(t);
    await b.post('/api/auth/login', { username: 'tamper1', password: PASSWORD });
    for (let i = 0; i < 12; i++) await b.patch('/api/me', { displayName: `Name\r\n${i}` });
    maxSeq = (await t.admin.query('SELECT max(seq)::int AS m FROM audit_events')).rows[0].m;
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`detects every one of ${RUNS} random single mutations`, async () => {
    const client = await t.admin.connect();
    try {
      await fc.assert(
        fc.asyncProperty(mutation(maxSeq), async (m) => {
          await client.query('BEGIN');
          try {
            switch (m.kind) {
              case 'alter-action':
                await client.query('UPDATE audit_events SET action = action || $2 WHERE seq = $1', [
                  m.seq,
                  m.value,
                ]);
                break;
              case 'alter-fields':
                await client.query('UPDATE audit_events SET fields = fields || $2::text WHERE seq = $1', [
                  m.seq,
                  m.value,
                ]);
                break;
              case 'alter-time':
                await client.query(
                  'UPDATE audit_events SET at = at + make_interval(secs => $2) WHERE seq = $1',
                  [m.seq, m.value / 1000],
                );
                break;
              case 'alter-actor':
                await client.query(
                  'UPDATE audit_events SET actor_user_id = gen_random_uuid() WHERE seq = $1',
                  [m.seq],
                );
                break;
              case 'delete':
                await client.query('DELETE FROM audit_events WHERE seq = $1', [m.seq]);
                break;
              case 'swap':
                await client.query('UPDATE audit_events SET seq = -1 WHERE seq = $1', [m.seq]);
                await client.query('UPDATE audit_events SET seq = $1 WHERE seq = $1 + 1', [m.seq]);
                await client.query('UPDATE audit_events SET seq = $1 + 1 WHERE seq = -1', [m.seq]);
                break;
              case 'forge-append':
                await client.query(
                  `INSERT INTO audit_events (seq, at, action, outcome, fields, prev_hash, hash)
                   SELECT seq + 1, at, 'user.read', 'success', '{}', hash, sha256(hash) FROM audit_events
                    ORDER BY seq DESC LIMIT 1`,
                );
                break;
              case 'truncate-tail':
                await client.query('DELETE FROM audit_events WHERE seq >= $1', [m.seq]);
                break;
            }
            const result = await verifyAuditChain(client);
            expect(result.ok).toBe(false);
          } finally {
            await client.query('ROLLBACK');
          }
        }),
        { numRuns: RUNS },
      );
    } finally {
      client.release();
    }
    expect((await verifyAuditChain(t.admin)).ok).toBe(true);
  });

  it('every stored event has the required shape, UTC time, and no line breaks (G29)', async () => {
    const { rows } = await t.admin.query(
      `SELECT seq, at, actor_user_id, actor_agency_id, actor_role, action, outcome, entity_type, entity_id, fields, request_id
         FROM audit_events ORDER BY seq`,
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) {
      const view = {
        seq: r.seq,
        at: r.at.toISOString(),
        actorUserId: r.actor_user_id,
        actorUsername: null,
        actorAgencyId: r.actor_agency_id,
        actorRole: r.actor_role,
        action: r.action,
        outcome: r.outcome,
        entityType: r.entity_type,
        entityId: r.entity_id,
        fields: r.fields,
        requestId: r.request_id,
      };
      expect(() => AuditEventView.parse(view)).not.toThrow();
      expect(JSON.stringify(r)).not.toMatch(/\\r|\\n/);
      expect(r.request_id).toBeTruthy();
    }
  });
});
