import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency, createUser, signIn } from '../../../../test/factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../../../../test/support/app.js';
import { Browser } from '../../../../test/support/http.js';
import { comparable } from '../../../../test/support/identical.js';
import { writeFingerprint } from '../../../../test/support/snapshot.js';
import type { AgencyView, UserView } from '../../../shared/contracts/admin.js';
import { GRANTABLE_ROLES } from '../../../shared/domain/access.js';

describe.each(ENGINES)('users on %s', (engine) => {
  let t: TestApp;
  let operator: AgencyView;
  let agencyA: AgencyView;
  let agencyB: AgencyView;
  let sysadmin: Browser;
  let adminA: Browser;
  let dpo: Browser;
  let colleagueA: string;
  let userB: string;
  let both: string;

  const as = async (userId: string, locale = 'en') => {
    const b = new Browser(t, locale);
    b.cookie = await signIn(t, userId);
    return b;
  };
  const ids = (res: { json(): { items: UserView[] } }) => res.json().items.map((u) => u.id);
  const lastEvent = async () =>
    (await t.admin.query("SELECT * FROM audit_events WHERE outcome <> 'denied' ORDER BY seq DESC LIMIT 1"))
      .rows[0];
  const newUser = (agencyId: string, roles: string[], extra: Record<string, unknown> = {}) => ({
    username: `u${randomUUID().slice(0, 8)}`,
    displayName: 'Gülälek Annaýewa',
    agencyId,
    roles,
    ...extra,
  });

  beforeAll(async () => {
    t = await createTestApp(engine);
    operator = await createAgency(t, { type: 'system_operator' });
    agencyA = await createAgency(t, { type: 'police' });
    agencyB = await createAgency(t, { type: 'ngo' });
    const secretariat = await createAgency(t, { type: 'nrm_secretariat' });
    sysadmin = await as((await createUser(t, { agencyId: operator.id, roles: ['system_admin'] })).id);
    adminA = await as((await createUser(t, { agencyId: agencyA.id, roles: ['agency_admin'] })).id);
    dpo = await as((await createUser(t, { agencyId: secretariat.id, roles: ['dpo'] })).id);
    colleagueA = (
      await createUser(t, { agencyId: agencyA.id, roles: ['case_manager'], displayName: 'Ýazgül Ataýewa' })
    ).id;
    userB = (
      await createUser(t, { agencyId: agencyB.id, roles: ['hotline_operator'], displayName: 'Aman Berdiýew' })
    ).id;
    both = (await createUser(t, { agencyId: agencyA.id, roles: ['analyst'], displayName: 'Bägül Çaryýewa' }))
      .id;
    await t.admin.query(
      `INSERT INTO memberships (user_id, agency_id, roles) VALUES ($1, $2, '{case_manager}')`,
      [both, agencyB.id],
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('creating users', () => {
    it('creates a user without a password and returns a one-time setup token that works once', async () => {
      const body = newUser(agencyA.id, ['case_manager', 'competent_authority', 'case_manager'], {
        locale: 'ru',
      });
      const res = await sysadmin.post('/api/users', body);
      expect(res.statusCode).toBe(201);
      const created = res.json();
      expect(created.user).toMatchObject({
        username: body.username,
        locale: 'ru',
        active: true,
        passwordSet: false,
        mfaEnrolled: false,
        memberships: [
          { agencyId: agencyA.id, agencyCode: agencyA.code, roles: ['competent_authority', 'case_manager'] },
        ],
      });
      expect(created.setupToken.length).toBeGreaterThanOrEqual(30);
      const event = await lastEvent();
      expect(event).toMatchObject({
        action: 'user.create',
        entity_id: created.user.id,
        request_id: res.headers['x-request-id'],
      });
      expect(event.fields).toEqual(['username', 'display_name', 'locale', 'roles', 'setup_token']);
      expect(JSON.stringify(event)).not.toContain(body.username);

      const anonymous = new Browser(t);
      const setup = { token: created.setupToken, password: 'a long and unusual passphrase 7' };
      expect((await anonymous.post('/api/auth/setup', setup)).statusCode).toBe(200);
      expect((await anonymous.post('/api/auth/setup', setup)).statusCode).toBe(422);
    });

    it('lets an agency admin create users in their own agency with roles they may grant', async () => {
      const res = await adminA.post('/api/users', newUser(agencyA.id, ['agency_admin', 'trainer']));
      expect(res.statusCode).toBe(201);
      expect(res.json().user.memberships[0].roles).toEqual(['agency_admin', 'trainer']);
    });

    it.each([['system_admin'], ['dpo'], ['national_coordinator']])(
      'refuses an agency admin granting %s (403 role_not_grantable, nothing written)',
      async (role) => {
        const before = await writeFingerprint(t.admin);
        const res = await adminA.post('/api/users', newUser(agencyA.id, ['trainer', role]));
        expect(res.statusCode).toBe(403);
        expect(res.json().code).toBe('role_not_grantable');
        expect(await writeFingerprint(t.admin)).toEqual(before);
      },
    );

    it('refuses an agency admin creating users elsewhere, the same for another and an unknown agency', async () => {
      const before = await writeFingerprint(t.admin);
      const elsewhere = await adminA.post('/api/users', newUser(agencyB.id, ['trainer']));
      const unknown = await adminA.post('/api/users', newUser(randomUUID(), ['trainer']));
      expect(elsewhere.statusCode).toBe(403);
      expect(comparable(elsewhere)).toEqual(comparable(unknown));
      expect(await writeFingerprint(t.admin)).toEqual(before);
    });

    it('refuses roles not meant for the agency type (400 validation_failed with an issue on roles)', async () => {
      for (const roles of [['hotline_operator'], ['system_admin'], ['national_coordinator', 'trainer']]) {
        const res = await sysadmin.post('/api/users', newUser(agencyA.id, roles));
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({
          code: 'validation_failed',
          issues: [{ path: 'roles', code: 'invalid_value' }],
        });
      }
      const unknownAgency = await sysadmin.post('/api/users', newUser(randomUUID(), ['trainer']));
      expect(unknownAgency.json().issues).toEqual([expect.objectContaining({ path: 'agencyId' })]);
      expect((await sysadmin.post('/api/users', newUser(agencyB.id, ['hotline_operator']))).statusCode).toBe(
        201,
      );
    });

    it('refuses a username that is taken, whatever its case (409, nothing written)', async () => {
      const first = await sysadmin.post(
        '/api/users',
        newUser(agencyB.id, ['trainer'], { username: 'maral.orazowa' }),
      );
      expect(first.statusCode).toBe(201);
      const before = await writeFingerprint(t.admin);
      const res = await sysadmin.post(
        '/api/users',
        newUser(agencyB.id, ['trainer'], { username: 'Maral.Orazowa' }),
      );
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('username_taken');
      expect(await writeFingerprint(t.admin)).toEqual(before);
    });

    it('lists every validation problem, in the caller language', async () => {
      const before = await writeFingerprint(t.admin);
      const res = await sysadmin.post('/api/users', {
        username: 'x',
        displayName: 42,
        agencyId: 'not-a-uuid',
        roles: ['pilot'],
        created_by: 'me',
      });
      expect(res.statusCode).toBe(400);
      const paths = res
        .json()
        .issues.map((i: { path: string }) => i.path)
        .sort();
      expect(paths).toEqual(['', 'agencyId', 'displayName', 'roles.0', 'username']);
      expect(await writeFingerprint(t.admin)).toEqual(before);

      const anonymous = await t.app.inject({
        method: 'GET',
        url: '/api/users',
        headers: { 'accept-language': 'ru' },
      });
      expect(anonymous.json().message).toBe('Пожалуйста, войдите в систему.');
      const ruAdmin = await as(
        (await createUser(t, { agencyId: operator.id, roles: ['system_admin'], locale: 'ru' })).id,
        'ru',
      );
      const ru = await ruAdmin.post('/api/users', { username: 'x', roles: [] });
      expect(ru.json().message).toBe('Некоторые поля заполнены неверно. Проверьте их.');
      expect(ru.json().issues.find((i: { path: string }) => i.path === 'displayName').message).toBe(
        'Это поле обязательно.',
      );
    });
  });

  describe('reading users', () => {
    it('offers exactly the grantable roles that fit the agency type', async () => {
      const roles = async (b: Browser, agencyId: string) =>
        (await b.get(`/api/users/grantable-roles?agencyId=${agencyId}`)).json().roles;
      expect(await roles(adminA, agencyA.id)).toEqual(
        GRANTABLE_ROLES.agency_admin.filter((r) => r !== 'hotline_operator'),
      );
      expect(await roles(adminA, agencyB.id)).toEqual([]);
      expect(await roles(adminA, randomUUID())).toEqual([]);
      expect(await roles(sysadmin, operator.id)).toContain('system_admin');
      expect(await roles(sysadmin, agencyB.id)).toContain('hotline_operator');
      expect(await roles(sysadmin, agencyB.id)).not.toContain('system_admin');
    });

    it('shows an agency admin only users of their agency, in items and total', async () => {
      const res = await adminA.get('/api/users?limit=200');
      expect(res.statusCode).toBe(200);
      const list = res.json() as { items: UserView[]; total: number };
      expect(list.total).toBe(list.items.length);
      expect(list.items.every((u) => u.memberships.every((m) => m.agencyId === agencyA.id))).toBe(true);
      expect(ids(res)).toEqual(expect.arrayContaining([colleagueA, both]));
      expect(ids(res)).not.toContain(userB);
      expect((await adminA.get(`/api/users?agencyId=${agencyB.id}`)).json()).toMatchObject({
        items: [],
        total: 0,
      });
    });

    it('shows a colleague who also works elsewhere with only the memberships in scope', async () => {
      const view = (await adminA.get(`/api/users/${both}`)).json() as UserView;
      expect(view.memberships.map((m) => m.agencyId)).toEqual([agencyA.id]);
      const full = (await dpo.get(`/api/users/${both}`)).json() as UserView;
      expect(full.memberships.map((m) => m.agencyId).sort()).toEqual([agencyA.id, agencyB.id].sort());
    });

    it('answers an out-of-scope user exactly like a random id (404, same bytes)', async () => {
      const outOfScope = await adminA.get(`/api/users/${userB}`);
      expect(outOfScope.statusCode).toBe(404);
      expect(comparable(outOfScope)).toEqual(comparable(await adminA.get(`/api/users/${randomUUID()}`)));
      const write = await adminA.patch(
        `/api/users/${userB}`,
        { displayName: 'X' },
        await adminA.ifMatch(`/api/users/${userB}`),
      );
      expect(comparable(write)).toEqual(
        comparable(
          await adminA.patch(`/api/users/${randomUUID()}`, { displayName: 'X' }, { 'if-match': '"0"' }),
        ),
      );
    });

    it('sorts by name in the caller language and filters by text, agency and status, with paging', async () => {
      const all = (await sysadmin.get('/api/users?limit=200')).json() as { items: UserView[]; total: number };
      const names = all.items.map((u) => u.displayName);
      expect(names).toEqual(
        [...names].sort(new Intl.Collator('en', { sensitivity: 'base', numeric: true }).compare),
      );
      expect(all.total).toBe(all.items.length);
      const page = (await sysadmin.get('/api/users?limit=2&offset=1')).json();
      expect(page.total).toBe(all.total);
      expect(page.items.map((u: UserView) => u.id)).toEqual(all.items.slice(1, 3).map((u) => u.id));
      expect(ids(await sysadmin.get(`/api/users?q=${encodeURIComponent('ÝAZGÜL')}`))).toEqual([colleagueA]);
      expect(ids(await sysadmin.get(`/api/users?agencyId=${agencyB.id}&q=aman`))).toEqual([userB]);
      expect(ids(await dpo.get(`/api/users?agencyId=${agencyB.id}&active=false`))).toEqual([]);
    });
  });

  describe('changing users', () => {
    it('renames a user and audits the column name only', async () => {
      const res = await adminA.patch(
        `/api/users/${colleagueA}`,
        { displayName: 'Ýazgül Ataýewa-Orazowa' },
        await adminA.ifMatch(`/api/users/${colleagueA}`),
      );
      expect(res.statusCode).toBe(200);
      expect(res.json().displayName).toBe('Ýazgül Ataýewa-Orazowa');
      const event = await lastEvent();
      expect(event).toMatchObject({ action: 'user.update', entity_id: colleagueA, fields: ['display_name'] });
      expect(JSON.stringify(event)).not.toContain('Orazowa');
    });

    it('changes roles in an agency the actor administers, and removes the membership with an empty list', async () => {
      const target = await createUser(t, { agencyId: agencyA.id, roles: ['trainer'] });
      const res = await adminA.put(
        `/api/users/${target.id}/memberships`,
        {
          agencyId: agencyA.id,
          roles: ['case_manager'],
        },
        await adminA.ifMatch(`/api/users/${target.id}`),
      );
      expect(res.statusCode).toBe(200);
      expect(res.json().memberships).toEqual([
        expect.objectContaining({ agencyId: agencyA.id, roles: ['case_manager'] }),
      ]);
      expect(await lastEvent()).toMatchObject({
        action: 'user.roles_change',
        entity_id: target.id,
        fields: ['roles'],
      });
      const removed = await adminA.put(
        `/api/users/${target.id}/memberships`,
        {
          agencyId: agencyA.id,
          roles: [],
        },
        await adminA.ifMatch(`/api/users/${target.id}`),
      );
      expect(removed.json().memberships).toEqual([]);
      // No longer in the admin's agency: now out of scope.
      expect((await adminA.get(`/api/users/${target.id}`)).statusCode).toBe(404);
    });

    it("refuses role changes beyond the actor's grants, and changes to one's own roles; nothing written", async () => {
      const me = (await adminA.get('/api/me')).json();
      const before = await writeFingerprint(t.admin);
      const cases: Array<[string, unknown, number, string]> = [
        [colleagueA, { agencyId: agencyA.id, roles: ['case_manager', 'dpo'] }, 403, 'role_not_grantable'],
        [both, { agencyId: agencyB.id, roles: ['case_manager', 'trainer'] }, 403, 'role_not_grantable'],
        [both, { agencyId: agencyB.id, roles: ['case_manager'] }, 403, 'role_not_grantable'],
        [colleagueA, { agencyId: agencyA.id, roles: ['hotline_operator'] }, 400, 'validation_failed'],
        [me.id, { agencyId: agencyA.id, roles: ['agency_admin', 'case_manager'] }, 403, 'forbidden'],
      ];
      for (const [id, body, status, code] of cases) {
        const res = await adminA.put(
          `/api/users/${id}/memberships`,
          body,
          await adminA.ifMatch(`/api/users/${id}`),
        );
        expect([res.statusCode, res.json().code]).toEqual([status, code]);
      }
      expect(await writeFingerprint(t.admin)).toEqual(before);
    });
  });
});
