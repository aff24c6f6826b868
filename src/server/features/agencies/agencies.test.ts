import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency, createUser, signIn } from '../../../../test/factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../../../../test/support/app.js';
import { Browser } from '../../../../test/support/http.js';
import { comparable } from '../../../../test/support/identical.js';
import { writeFingerprint } from '../../../../test/support/snapshot.js';
import type { AgencyView } from '../../../shared/contracts/admin.js';

describe.each(ENGINES)('agencies on %s', (engine) => {
  let t: TestApp;
  let sysadmin: Browser;
  let police: AgencyView;
  let other: AgencyView;
  let inactive: AgencyView;
  let officer: Browser;
  let coordinator: Browser;

  const as = async (userId: string, locale = 'en') => {
    const b = new Browser(t, locale);
    b.cookie = await signIn(t, userId);
    return b;
  };
  const lastEvent = async () =>
    (await t.admin.query("SELECT * FROM audit_events WHERE outcome <> 'denied' ORDER BY seq DESC LIMIT 1"))
      .rows[0];

  beforeAll(async () => {
    t = await createTestApp(engine);
    const operator = await createAgency(t, { type: 'system_operator' });
    sysadmin = await as((await createUser(t, { agencyId: operator.id, roles: ['system_admin'] })).id);
    police = await createAgency(t, {
      code: 'police-mary',
      type: 'police',
      name: { tk: 'Mary polisiýasy', ru: 'Полиция Мары', en: 'Mary police' },
    });
    other = await createAgency(t, {
      code: 'shelter-dashoguz',
      type: 'rehabilitation_centre',
      name: {
        tk: 'Daşoguz dikeldiş merkezi',
        ru: 'Дашогузский реабилитационный центр',
        en: 'Dashoguz shelter',
      },
    });
    inactive = await createAgency(t, { code: 'closed-office', type: 'ngo', active: false });
    officer = await as((await createUser(t, { agencyId: police.id, roles: ['competent_authority'] })).id);
    const secretariat = await createAgency(t, { type: 'nrm_secretariat' });
    coordinator = await as(
      (await createUser(t, { agencyId: secretariat.id, roles: ['national_coordinator'] })).id,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates an agency (201) with an audit event naming the fields, in the same transaction', async () => {
    const res = await sysadmin.post('/api/agencies', {
      code: 'iom-balkan',
      type: 'iom',
      name: { tk: 'HMG Balkan', ru: 'МОМ Балкан', en: 'IOM Balkan' },
      region: 'Balkan',
    });
    expect(res.statusCode).toBe(201);
    const agency = res.json();
    expect(agency).toMatchObject({
      code: 'iom-balkan',
      type: 'iom',
      region: 'Balkan',
      active: true,
      version: 1,
    });
    const event = await lastEvent();
    expect(event).toMatchObject({
      action: 'agency.create',
      entity_type: 'agency',
      entity_id: agency.id,
      outcome: 'success',
    });
    expect(event.fields).toEqual(['code', 'type', 'name', 'region']);
    expect(event.request_id).toBe(res.headers['x-request-id']);
    expect(JSON.stringify(event)).not.toContain('Balkan');
  });

  it('never commits an agency without its audit event (the audit insert failing rolls the change back)', async () => {
    const before = await writeFingerprint(t.admin);
    await t.admin.query('REVOKE INSERT ON audit_events FROM halas_app');
    try {
      const res = await sysadmin.post('/api/agencies', { code: 'no-audit', type: 'ngo', name: police.name });
      expect(res.statusCode).toBe(500);
      expect(res.json().code).toBe('internal_error');
    } finally {
      await t.admin.query('GRANT INSERT ON audit_events TO halas_app');
    }
    expect(await writeFingerprint(t.admin)).toEqual(before);
    expect((await t.admin.query("SELECT 1 FROM agencies WHERE code = 'no-audit'")).rowCount).toBe(0);
  });

  it('refuses a duplicate code with 409 agency_code_taken and writes nothing', async () => {
    const before = await writeFingerprint(t.admin);
    const res = await sysadmin.post('/api/agencies', {
      code: 'police-mary',
      type: 'police',
      name: police.name,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('agency_code_taken');
    expect(await writeFingerprint(t.admin)).toEqual(before);
  });

  it('lists every agency for the system administrator, sorted by name in the caller language', async () => {
    const res = await sysadmin.get('/api/agencies?includeInactive=true');
    expect(res.statusCode).toBe(200);
    const { items, total } = res.json() as { items: AgencyView[]; total: number };
    expect(total).toBe(items.length);
    expect(items.map((a) => a.id)).toEqual(expect.arrayContaining([police.id, other.id, inactive.id]));
    const names = items.map((a) => a.name.en);
    expect(names).toEqual(
      [...names].sort(new Intl.Collator('en', { sensitivity: 'base', numeric: true }).compare),
    );
    const ru = (
      await (
        await as(
          (
            await createUser(t, { agencyId: police.id, roles: ['agency_admin'], locale: 'ru' })
          ).id,
          'ru',
        )
      ).get('/api/agencies')
    ).json();
    const ruNames = (ru.items as AgencyView[]).map((a) => a.name.ru);
    expect(ruNames).toEqual(
      [...ruNames].sort(new Intl.Collator('ru', { sensitivity: 'base', numeric: true }).compare),
    );
  });

  it('hides inactive agencies unless asked', async () => {
    const ids = (await sysadmin.get('/api/agencies')).json().items.map((a: AgencyView) => a.id);
    expect(ids).not.toContain(inactive.id);
    expect(ids).toContain(police.id);
  });

  it('matches q against the code and every localized name, ignoring case (Cyrillic too)', async () => {
    const find = async (q: string) =>
      (await sysadmin.get(`/api/agencies?q=${encodeURIComponent(q)}`))
        .json()
        .items.map((a: AgencyView) => a.id);
    expect(await find('POLICE-MARY')).toEqual([police.id]);
    expect(await find('полиция мары')).toEqual([police.id]);
    expect(await find('DAŞOGUZ')).toEqual([other.id]);
    expect(await find('no such agency')).toEqual([]);
  });

  it('shows an agency-scoped user only their own agency, in items and total', async () => {
    const res = await officer.get('/api/agencies?includeInactive=true');
    expect(res.json()).toEqual({ items: [expect.objectContaining({ id: police.id })], total: 1 });
    expect((await officer.get('/api/agencies?q=dashoguz')).json()).toEqual({ items: [], total: 0 });
    expect((await officer.get(`/api/agencies/${police.id}`)).statusCode).toBe(200);
  });

  it('gives every signed-in user the directory of all agencies: who they are, nothing more', async () => {
    const res = await officer.get('/api/agencies/directory', { 'accept-language': 'ru' });
    expect(res.statusCode).toBe(200);
    const entries = res.json() as { id: string; name: { ru: string } }[];
    expect(entries.map((e) => e.id)).toEqual(expect.arrayContaining([police.id, other.id, inactive.id]));
    const shelter = entries.find((e) => e.id === other.id);
    expect(shelter).toEqual({
      id: other.id,
      code: 'shelter-dashoguz',
      type: 'rehabilitation_centre',
      name: other.name,
      active: true,
    });
    const names = entries.map((e) => e.name.ru);
    expect(names).toEqual(
      [...names].sort(new Intl.Collator('ru', { sensitivity: 'base', numeric: true }).compare),
    );
    expect((await new Browser(t).get('/api/agencies/directory')).statusCode).toBe(401);
  });

  it('answers an out-of-scope agency exactly like a random id (404, same bytes)', async () => {
    const outOfScope = await officer.get(`/api/agencies/${other.id}`);
    const random = await officer.get(`/api/agencies/${randomUUID()}`);
    expect(outOfScope.statusCode).toBe(404);
    expect(comparable(outOfScope)).toEqual(comparable(random));
  });

  it('lets the national coordinator read every agency but not change one', async () => {
    expect((await coordinator.get(`/api/agencies/${other.id}`)).statusCode).toBe(200);
    const res = await coordinator.patch(
      `/api/agencies/${other.id}`,
      { region: 'Mary' },
      await coordinator.ifMatch(`/api/agencies/${other.id}`),
    );
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      code: 'forbidden',
      message: expect.any(String),
      requestId: expect.any(String),
    });
  });

  it('updates only what changed, bumps the version and audits column names only', async () => {
    const res = await sysadmin.patch(
      `/api/agencies/${other.id}`,
      { region: 'Daşoguz', name: other.name },
      await sysadmin.ifMatch(`/api/agencies/${other.id}`),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ region: 'Daşoguz', version: other.version + 1 });
    const event = await lastEvent();
    expect(event).toMatchObject({ action: 'agency.update', entity_id: other.id, fields: ['region'] });
    expect(JSON.stringify(event)).not.toContain('Daşoguz');

    const before = await writeFingerprint(t.admin);
    const same = await sysadmin.patch(
      `/api/agencies/${other.id}`,
      { region: 'Daşoguz' },
      await sysadmin.ifMatch(`/api/agencies/${other.id}`),
    );
    expect(same.statusCode).toBe(200);
    expect(await writeFingerprint(t.admin)).toEqual(before);
  });

  it("deactivating an agency ends its members' rights on their next request", async () => {
    const agency = await createAgency(t, { type: 'ngo' });
    const member = await as((await createUser(t, { agencyId: agency.id, roles: ['case_manager'] })).id);
    expect((await member.get(`/api/agencies/${agency.id}`)).statusCode).toBe(200);
    expect(
      (
        await sysadmin.patch(
          `/api/agencies/${agency.id}`,
          { active: false },
          await sysadmin.ifMatch(`/api/agencies/${agency.id}`),
        )
      ).json().active,
    ).toBe(false);
    expect((await member.get(`/api/agencies/${agency.id}`)).statusCode).toBe(403);
  });

  it('never deactivates the agency of the last system administrators (422 last_admin, nothing written)', async () => {
    const me = (await sysadmin.get('/api/me')).json();
    const operatorId = me.memberships[0].agencyId;
    const before = await writeFingerprint(t.admin);
    const res = await sysadmin.patch(
      `/api/agencies/${operatorId}`,
      { active: false },
      await sysadmin.ifMatch(`/api/agencies/${operatorId}`),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('last_admin');
    expect(await writeFingerprint(t.admin)).toEqual(before);
  });

  it('lists every validation problem, in the caller language, and writes nothing', async () => {
    const before = await writeFingerprint(t.admin);
    const res = await sysadmin.post('/api/agencies', {
      code: 'Bad Code!',
      type: 'bakery',
      name: { tk: '', ru: 'Пекарня' },
      owner_agency_id: randomUUID(),
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      '',
      'code',
      'name.en',
      'name.tk',
      'type',
    ]);
    expect(await writeFingerprint(t.admin)).toEqual(before);

    const ru = await as(
      (await createUser(t, { agencyId: police.id, roles: ['competent_authority'], locale: 'ru' })).id,
      'ru',
    );
    const bad = await ru.get('/api/agencies/not-a-uuid?includeInactive=maybe');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('Некоторые поля заполнены неверно. Проверьте их.');
    expect(bad.json().issues.map((i: { path: string }) => i.path)).toEqual(['id']);
    const badQuery = await ru.get('/api/agencies?includeInactive=maybe&extra=1');
    expect(
      badQuery
        .json()
        .issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['', 'includeInactive']);
    expect(badQuery.json().issues.every((i: { message: string }) => /[а-я]/i.test(i.message))).toBe(true);
  });
});
