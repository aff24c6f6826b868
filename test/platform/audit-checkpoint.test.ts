import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash, GENESIS_HASH, verifyAuditChain } from '../../src/server/platform/audit.js';
import {
  loadCheckpointKey,
  verifyCheckpoints,
  writeCheckpoint,
} from '../../src/server/platform/audit-checkpoint.js';
import { insertUser, PASSWORD } from '../auth/support.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';

describe.each(ENGINES)('signed audit checkpoints on %s (G28)', (engine) => {
  let t: TestApp;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-cp-'));
  const file = path.join(dir, 'checkpoints.jsonl');
  beforeAll(async () => {
    t = await createTestApp(engine, { demo: true });
    await insertUser(t, 'cp1', { demo: true });
    const b = new Browser(t);
    await b.post('/api/auth/login', { username: 'cp1', password: PASSWORD });
    for (let i = 0; i < 6; i++) await b.patch('/api/me', { displayName: `Checkpoint ${i}` });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('detects a history rewritten consistently by a superuser, which the chain alone cannot', async () => {
    const key = loadCheckpointKey(path.join(dir, 'audit-checkpoint.key'));
    expect(fs.statSync(path.join(dir, 'audit-checkpoint.key')).mode & 0o777).toBe(0o600);
    await writeCheckpoint(t.admin, file, key);
    expect(await verifyCheckpoints(t.admin, file, key)).toMatchObject({ ok: true, checked: 1 });
    const client = await t.admin.connect();
    try {
      await client.query('BEGIN');
      await client.query("UPDATE audit_events SET action = 'user.read' WHERE seq = 2");
      // recompute every hash from the genesis, as an attacker with full access would
      const { rows } = await client.query('SELECT * FROM audit_events ORDER BY seq');
      let prev: Buffer = GENESIS_HASH;
      for (const r of rows) {
        const hash = eventHash(prev, {
          seq: Number(r.seq),
          at: r.at,
          actorUserId: r.actor_user_id,
          actorAgencyId: r.actor_agency_id,
          actorRole: r.actor_role,
          action: r.action,
          outcome: r.outcome,
          entityType: r.entity_type,
          entityId: r.entity_id,
          fields: r.fields,
          requestId: r.request_id,
        });
        await client.query('UPDATE audit_events SET prev_hash = $2, hash = $3 WHERE seq = $1', [
          r.seq,
          prev,
          hash,
        ]);
        prev = hash;
      }
      await client.query('UPDATE audit_head SET hash = $1 WHERE id = 1', [prev]);
      expect((await verifyAuditChain(client)).ok).toBe(true);
      expect(await verifyCheckpoints(client, file, key)).toMatchObject({ ok: false });
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const forged = JSON.parse(fs.readFileSync(file, 'utf8').trim());
    fs.writeFileSync(file, `${JSON.stringify({ ...forged, seq: forged.seq - 1 })}\n`);
    expect((await verifyCheckpoints(t.admin, file, key)).firstBroken?.reason).toMatch(/signature/);
  });
});
