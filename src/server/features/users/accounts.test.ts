import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency, createUser, signIn } from '../../../../test/factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../../../../test/support/app.js';
import { Browser } from '../../../../test/support/http.js';
import { writeFingerprint } from '../../../../test/support/snapshot.js';
import type { AgencyView } from '../../../shared/contracts/admin.js';
import { systemContext } from '../../platform/system-context.js';
import { withTx } from '../../platform/tx.js';
import { applyUserPatch } from './index.js';

/** Account-level actions: deactivation, role changes and resets end sessions at once (G12), step-up, takeovers. */
describe.each(ENGINES)('user accounts on %s', (engine) => {
  let t: TestApp;
  let operator: AgencyView;
  let agencyA: AgencyView;
  let agencyB: AgencyView;
  let sysadminId: string;
  let sysadmin: Browser;
  let adminA: Browser;

  const as = async (userId: string, options: { authenticatedAt?: Date } = {}) => {
    const b = new Browser(t);
    b.cookie = await signIn(t, userId, options);
    return b;
  };
  const memberOf = async (
    agencyId: string,
    roles: Parameters<typeof createUser>[1]['roles'] = ['case_manager'],
  ) => (await createUser(t, { agencyId, roles })).id;
  const lastEvent = async () =>
    (await t.admin.query("SELECT * FROM audit_events WHERE outcome <> 'denied' ORDER BY seq DESC LIMIT 1"))
      .rows[0];
  const liveSessions = async (userId: string) =>
    (
      await t.admin.query(
        'SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL',
        [userId],
      )
    ).rows[0].n;

  beforeAll(async () => {
    t = await createTestApp(engine);
    operator = await createAgency(t, { type: 'system_operator' });
    agencyA = await createAgency(t, { type: 'police' });
    agencyB = await createAgency(t, { type: 'ngo' });
    sysadminId = await memberOf(operator.id, ['system_admin']);
    sysadmin = await as(sysadminId);
    adminA = await as(await memberOf(agencyA.id, ['agency_admin']));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('deactivation ends every session at once: the very next request gets 401', async () => {
    const id = await memberOf(agencyA.id);
    const user = await as(id);
    const laptop = await as(id);
    expect((await user.get('/api/me')).statusCode).toBe(200);
    const res = await adminA.patch(
      `/api/users/${id}`,
      { active: false },
      await adminA.ifMatch(`/api/users/${id}`),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().active).toBe(false);
    expect(await lastEvent()).toMatchObject({ action: 'user.update', entity_id: id, fields: ['active'] });
    expect((await user.get('/api/me')).statusCode).toBe(401);
    expect((await laptop.get('/api/me')).statusCode).toBe(401);
    expect(await liveSessions(id)).toBe(0);
    // Reactivated, the account works again with a new sign-in only.
    expect(
      (
        await adminA.patch(`/api/users/${id}`, { active: true }, await adminA.ifMatch(`/api/users/${id}`))
      ).json().active,
    ).toBe(true);
    expect((await user.get('/api/me')).statusCode).toBe(401);
    expect((await (await as(id)).get('/api/me')).statusCode).toBe(200);
  });

  it("a role change ends the user's sessions: the next request gets 401", async () => {
    const id = await memberOf(agencyA.id, ['trainer']);
    const user = await as(id);
    expect(
      (
        await adminA.put(
          `/api/users/${id}/memberships`,
          { agencyId: agencyA.id, roles: ['nap_focal_point'] },
          await adminA.ifMatch(`/api/users/${id}`),
        )
      ).statusCode,
    ).toBe(200);
    expect((await user.get('/api/me')).statusCode).toBe(401);
    const fresh = await as(id);
    expect((await fresh.get('/api/me')).json().memberships[0].roles).toEqual(['nap_focal_point']);
  });

  it("ends all of a user's sessions on request", async () => {
    const id = await memberOf(agencyA.id);
    const user = await as(id);
    const res = await adminA.post(`/api/users/${id}/revoke-sessions`);
    expect(res.json()).toEqual({ ok: true });
    expect(await lastEvent()).toMatchObject({
      action: 'user.revoke_sessions',
      entity_id: id,
      fields: ['sessions'],
    });
    expect((await user.get('/api/me')).statusCode).toBe(401);
  });

  it('nobody deactivates themselves or resets their own credentials (403, nothing written)', async () => {
    const me = (await adminA.get('/api/me')).json();
    const before = await writeFingerprint(t.admin);
    expect(
      (
        await adminA.patch(
          `/api/users/${me.id}`,
          { active: false },
          await adminA.ifMatch(`/api/users/${me.id}`),
        )
      ).json().code,
    ).toBe('forbidden');
    expect(
      (
        await sysadmin.patch(
          `/api/users/${sysadminId}`,
          { active: false },
          await sysadmin.ifMatch(`/api/users/${sysadminId}`),
        )
      ).json().code,
    ).toBe('forbidden');
    expect((await sysadmin.post(`/api/users/${sysadminId}/reset-credentials`)).json().code).toBe('forbidden');
    expect(await writeFingerprint(t.admin)).toEqual(before);
  });

  it('reset-credentials needs a step-up within 5 minutes (403 reauth_required)', async () => {
    const id = await memberOf(agencyA.id);
    const stale = await as(sysadminId, { authenticatedAt: new Date(t.clock.now().getTime() - 301_000) });
    const before = await writeFingerprint(t.admin);
    const refused = await stale.post(`/api/users/${id}/reset-credentials`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('reauth_required');
    expect(await writeFingerprint(t.admin)).toEqual(before);
    const recent = await as(sysadminId, { authenticatedAt: new Date(t.clock.now().getTime() - 299_000) });
    expect((await recent.post(`/api/users/${id}/reset-credentials`)).statusCode).toBe(200);
  });

  it('granting roles needs a step-up within 5 minutes too (G14)', async () => {
    const id = await memberOf(agencyA.id);
    const stale = await as(sysadminId, { authenticatedAt: new Date(t.clock.now().getTime() - 301_000) });
    const before = await writeFingerprint(t.admin);
    const put = await stale.put(
      `/api/users/${id}/memberships`,
      { agencyId: agencyA.id, roles: ['trainer'] },
      await stale.ifMatch(`/api/users/${id}`),
    );
    expect(put.json().code).toBe('reauth_required');
    const create = await stale.post('/api/users', {
      username: 'stepup.newcomer',
      displayName: 'Step Up',
      agencyId: agencyA.id,
      roles: ['trainer'],
    });
    expect(create.json().code).toBe('reauth_required');
    expect(await writeFingerprint(t.admin)).toEqual(before);
  });

  it('reset-credentials clears password and second factor, ends sessions and returns a new setup token', async () => {
    const id = await memberOf(agencyA.id);
    await t.admin.query(
      `UPDATE users SET password_hash = 'x', mfa_enrolled_at = now(), mfa_secret_enc = '\\x01', setup_token_hash = NULL
        WHERE id = $1`,
      [id],
    );
    await t.admin.query(`INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, '\\x02')`, [id]);
    const user = await as(id);
    const res = await adminA.post(`/api/users/${id}/reset-credentials`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ setupToken: expect.any(String), setupExpiresAt: expect.any(String) });
    const row = (await t.admin.query('SELECT * FROM users WHERE id = $1', [id])).rows[0];
    expect(row).toMatchObject({ password_hash: null, mfa_secret_enc: null, mfa_enrolled_at: null });
    expect(row.setup_token_hash).not.toBeNull();
    expect(
      (await t.admin.query('SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = $1', [id])).rows[0]
        .n,
    ).toBe(0);
    expect((await user.get('/api/me')).statusCode).toBe(401);
    const event = await lastEvent();
    expect(event).toMatchObject({ action: 'user.reset_credentials', entity_id: id });
    expect(JSON.stringify(event)).not.toContain(res.json().setupToken);
  });

  it('an agency admin cannot take over an account holding more than they could grant (403, nothing written)', async () => {
    // A system administrator who also helps out in agency A, and a colleague who also works in agency B.
    const otherAdmin = await memberOf(operator.id, ['system_admin']);
    await t.admin.query(`INSERT INTO memberships (user_id, agency_id, roles) VALUES ($1, $2, '{trainer}')`, [
      otherAdmin,
      agencyA.id,
    ]);
    const twoJobs = await memberOf(agencyA.id, ['case_manager']);
    await t.admin.query(`INSERT INTO memberships (user_id, agency_id, roles) VALUES ($1, $2, '{trainer}')`, [
      twoJobs,
      agencyB.id,
    ]);
    const before = await writeFingerprint(t.admin);
    for (const id of [otherAdmin, twoJobs]) {
      expect((await adminA.get(`/api/users/${id}`)).statusCode).toBe(200);
      for (const res of [
        await adminA.post(`/api/users/${id}/reset-credentials`),
        await adminA.patch(`/api/users/${id}`, { active: false }, await adminA.ifMatch(`/api/users/${id}`)),
        await adminA.patch(
          `/api/users/${id}`,
          { displayName: 'Taken over' },
          await adminA.ifMatch(`/api/users/${id}`),
        ),
        await adminA.post(`/api/users/${id}/revoke-sessions`),
      ]) {
        expect([res.statusCode, res.json().code]).toEqual([403, 'forbidden']);
      }
    }
    expect(await writeFingerprint(t.admin)).toEqual(before);
    // Their roles inside agency A remain the agency admin's to manage.
    const res = await adminA.put(
      `/api/users/${twoJobs}/memberships`,
      {
        agencyId: agencyA.id,
        roles: ['nap_focal_point'],
      },
      await adminA.ifMatch(`/api/users/${twoJobs}`),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().memberships).toEqual([
      expect.objectContaining({ agencyId: agencyA.id, roles: ['nap_focal_point'] }),
    ]);
  });

  it('never leaves the system without an active system administrator (422 last_admin)', async () => {
    expect(await countAdmins()).toBeGreaterThan(0);
    // Through the routes nobody can remove the last one (nobody deactivates themselves); the invariant
    // itself is enforced in the transaction, whoever asks.
    const admins = await t.admin.query<{ id: string }>(
      `SELECT DISTINCT m.user_id AS id FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE 'system_admin' = ANY(m.roles) AND u.active`,
    );
    const ctx = systemContext(t.deps, 'last-admin-test');
    const before = await writeFingerprint(t.admin);
    await expect(
      withTx(t.deps.db.pool, null, async (tx) => {
        for (const { id } of admins.rows) await applyUserPatch(tx, ctx, id, { active: false });
      }),
    ).rejects.toMatchObject({ code: 'last_admin' });
    expect(await writeFingerprint(t.admin)).toEqual(before);
  });

  it('two administrators deactivating each other at the same time: exactly one succeeds', async () => {
    const agency = await createAgency(t, { type: 'system_operator' });
    const x = await memberOf(agency.id, ['system_admin']);
    const y = await memberOf(agency.id, ['system_admin']);
    // Leave x and y as the only active administrators.
    const others = await t.admin.query<{ id: string }>(
      `SELECT DISTINCT m.user_id AS id FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE 'system_admin' = ANY(m.roles) AND u.active AND m.user_id <> ALL($1::uuid[])`,
      [[x, y]],
    );
    await t.admin.query('UPDATE users SET active = false WHERE id = ANY($1::uuid[])', [
      others.rows.map((r) => r.id),
    ]);
    const [bx, by] = [await as(x), await as(y)];
    const results = await Promise.all([
      bx.patch(`/api/users/${y}`, { active: false }, await bx.ifMatch(`/api/users/${y}`)),
      by.patch(`/api/users/${x}`, { active: false }, await by.ifMatch(`/api/users/${x}`)),
    ]);
    const outcomes = results.map((r) => r.statusCode).sort();
    // Either one wins and the other is refused, or the loser's session was already ended (401).
    expect(outcomes[0]).toBe(200);
    expect([401, 422]).toContain(outcomes[1]);
    expect(await countAdmins()).toBe(1);
    await t.admin.query('UPDATE users SET active = true WHERE id = ANY($1::uuid[])', [
      others.rows.map((r) => r.id),
    ]);
  });

  async function countAdmins(): Promise<number> {
    const { rows } = await t.admin.query<{ n: number }>(
      `SELECT count(DISTINCT u.id)::int AS n FROM users u JOIN memberships m ON m.user_id = u.id
         JOIN agencies a ON a.id = m.agency_id WHERE u.active AND a.active AND 'system_admin' = ANY(m.roles)`,
    );
    return rows[0]!.n;
  }
});
