import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency, signIn } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';
import { comparable } from '../support/identical.js';
import { writeFingerprint } from '../support/snapshot.js';
import { staff } from './support.js';

const IDENTITY = {
  names: [
    { value: 'Aýgül Orazowa', kind: 'primary' },
    { value: 'Айгуль Оразова', kind: 'alias' },
  ],
  birthDate: '1998-04-12',
  documents: [{ type: 'passport', number: 'A1234567', issuingCountry: 'TM', heldBy: 'employer' }],
};
const CONTACT = {
  phones: [{ number: '+993 65 123456', safeToCall: false }],
  addresses: [{ text: 'Shelter, Mary province', kind: 'shelter' }],
  safeContact: { safeToCallBack: false, codeWord: 'pomegranate', doNotContactVia: ['sms'] },
};

describe.each(ENGINES)('persons on %s', (engine) => {
  let t: TestApp;
  let agencyA: string;
  let agencyB: string;
  let hotlineA: Browser & { userId: string };
  let caseA: Browser & { userId: string };
  let caseA2: Browser & { userId: string };
  let authorityA: Browser & { userId: string };
  let caseB: Browser & { userId: string };
  let providerB: Browser & { userId: string };
  let coordinator: Browser & { userId: string };

  beforeAll(async () => {
    t = await createTestApp(engine);
    agencyA = (await createAgency(t, { type: 'hotline_ngo' })).id;
    agencyB = (await createAgency(t, { type: 'rehabilitation_centre' })).id;
    const secretariat = (await createAgency(t, { type: 'nrm_secretariat' })).id;
    hotlineA = await staff(t, agencyA, ['hotline_operator']);
    caseA = await staff(t, agencyA, ['case_manager']);
    caseA2 = await staff(t, agencyA, ['case_manager']);
    authorityA = await staff(t, agencyA, ['competent_authority']);
    caseB = await staff(t, agencyB, ['case_manager']);
    providerB = await staff(t, agencyB, ['service_provider']);
    coordinator = await staff(t, secretariat, ['national_coordinator']);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function register(b: Browser, body: Record<string, unknown> = {}) {
    const res = await b.post('/api/persons', {
      sex: 'female',
      birthYear: 1998,
      identity: IDENTITY,
      contact: CONTACT,
      ...body,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as {
      person: { id: string; ref: string; readable: string[] };
      possibleDuplicates: Array<{ id: string }>;
    };
  }

  it('registers a person with encrypted identity and contact, and lists only a pseudonymous reference', async () => {
    const { person } = await register(hotlineA);
    expect(person.ref).toMatch(/^P-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(person.readable).toEqual(['identity', 'contact']);
    const list = await hotlineA.get('/api/persons');
    expect(list.json().total).toBeGreaterThanOrEqual(1);
    expect(list.body).not.toMatch(/Orazowa|Оразова|A1234567|pomegranate/);
    const raw = await t.admin.query('SELECT row_to_json(p)::text AS j FROM persons p WHERE id = $1', [
      person.id,
    ]);
    expect(raw.rows[0].j).not.toMatch(/Orazowa|Оразова|A1234567|pomegranate|123456/);
    const audit = await t.admin.query(
      "SELECT fields FROM audit_events WHERE action = 'person.create' AND entity_id = $1",
      [person.id],
    );
    expect(audit.rows[0].fields).toEqual(
      expect.arrayContaining(['sex', 'birth_year', 'identity', 'contact']),
    );
  });

  it('reveals only readable classes, audits every reveal, and refuses writes to classes the role may not write', async () => {
    const { person } = await register(hotlineA);
    const revealed = await hotlineA.get(`/api/persons/${person.id}/fields?classes=identity,contact`);
    expect(revealed.statusCode).toBe(200);
    expect(revealed.json().identity.names[0].value).toBe('Aýgül Orazowa');
    expect(revealed.json().contact.safeContact.codeWord).toBe('pomegranate');
    const events = await t.admin.query(
      "SELECT fields FROM audit_events WHERE action = 'person.reveal' AND entity_id = $1",
      [person.id],
    );
    expect(events.rows).toHaveLength(1);
    expect(JSON.stringify(events.rows)).not.toMatch(/Orazowa|pomegranate/);
    expect((await hotlineA.get(`/api/persons/${person.id}/fields?classes=health`)).statusCode).toBe(403);
    const before = await writeFingerprint(t.admin);
    const write = await hotlineA.patch(
      `/api/persons/${person.id}`,
      { health: { notes: 'x' } },
      await hotlineA.ifMatch(`/api/persons/${person.id}`),
    );
    expect(write.json().code).toBe('field_not_writable');
    const create = await hotlineA.post('/api/persons', { health: { notes: 'x' } });
    expect(create.json().code).toBe('field_not_writable');
    expect(await writeFingerprint(t.admin)).toEqual(before);
    const view = await authorityA.get(`/api/persons/${person.id}`);
    expect(view.json().readable).toEqual(['identity', 'contact', 'trafficking', 'legal']);
    expect(view.json().writable).toEqual(['legal']);
  });

  it('keeps persons of other agencies out of sight: 404 identical to a random id, absent from lists and search', async () => {
    const { person } = await register(caseA);
    const other = await caseB.get(`/api/persons/${person.id}`);
    const random = await caseB.get(`/api/persons/${randomUUID()}`);
    expect(other.statusCode).toBe(404);
    expect(comparable(other)).toEqual(comparable(random));
    const reveal = await caseB.get(`/api/persons/${person.id}/fields?classes=identity`);
    expect(comparable(reveal)).toEqual(
      comparable(await caseB.get(`/api/persons/${randomUUID()}/fields?classes=identity`)),
    );
    const list = await caseB.get('/api/persons');
    expect(list.json().items.map((i: { id: string }) => i.id)).not.toContain(person.id);
    const search = await caseB.post('/api/persons/search', { name: 'Aygul Orazova' });
    expect(search.json().map((i: { id: string }) => i.id)).not.toContain(person.id);
    const found = await caseA.post('/api/persons/search', { name: 'Aygul Orazova' });
    expect(found.json().map((i: { id: string }) => i.id)).toContain(person.id);
  });

  it('shares a person with another agency by consent, only the consented classes, until withdrawal', async () => {
    const { person } = await register(caseA);
    const given = await caseA.post(`/api/persons/${person.id}/consents`, {
      purpose: 'referral',
      recipientAgencyId: agencyB,
      dataClasses: ['identity'],
      givenBy: 'person',
      evidence: 'signed_form',
      givenAt: t.clock.now().toISOString(),
    });
    expect(given.statusCode, given.body).toBe(201);
    const seen = await caseB.get(`/api/persons/${person.id}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json().readable).toEqual(['identity']);
    expect(seen.json().writable).toEqual([]);
    expect(
      (await caseB.get(`/api/persons/${person.id}/fields?classes=identity`)).json().identity.names,
    ).toHaveLength(2);
    expect((await caseB.get(`/api/persons/${person.id}/fields?classes=contact`)).statusCode).toBe(403);
    expect((await providerB.get(`/api/persons/${person.id}`)).json().readable).toEqual(['identity']);
    await caseA.post(`/api/persons/${person.id}/consents/${given.json().id}/withdraw`, {
      withdrawnBy: 'person',
    });
    expect((await caseB.get(`/api/persons/${person.id}`)).statusCode).toBe(404);
  });

  it('requires a guardian (and the child’s assent from 12) for a child, and a recipient for a referral', async () => {
    const { person } = await register(caseA, { birthYear: 2013 });
    const base = {
      purpose: 'assistance',
      dataClasses: ['identity'],
      evidence: 'verbal_witnessed',
      givenAt: t.clock.now().toISOString(),
    };
    expect(
      (await caseA.post(`/api/persons/${person.id}/consents`, { ...base, givenBy: 'person' })).json().code,
    ).toBe('consent_invalid');
    expect(
      (await caseA.post(`/api/persons/${person.id}/consents`, { ...base, givenBy: 'guardian' })).json().code,
    ).toBe('consent_invalid');
    const ok = await caseA.post(`/api/persons/${person.id}/consents`, {
      ...base,
      givenBy: 'guardian',
      childAssent: true,
    });
    expect(ok.statusCode).toBe(201);
    const referral = await caseA.post(`/api/persons/${person.id}/consents`, {
      ...base,
      purpose: 'referral',
      givenBy: 'guardian',
      childAssent: true,
    });
    expect(referral.json().code).toBe('consent_invalid');
    const ru = new Browser(t, 'ru');
    ru.cookie = caseA.cookie;
    const missing = await ru.post(`/api/persons/${person.id}/consents`, { purpose: 'referral' });
    expect(missing.statusCode).toBe(400);
  });

  it('discloses without consent only through an override approved by a second person, and alerts the DPO', async () => {
    const { person } = await register(caseA);
    const asked = await caseA.post(`/api/persons/${person.id}/consent-overrides`, {
      purpose: 'referral',
      recipientAgencyId: agencyB,
      dataClasses: ['identity', 'contact'],
      reason: 'Immediate danger: the person must be placed in the rehabilitation centre tonight.',
    });
    expect(asked.statusCode, asked.body).toBe(201);
    expect((await caseB.get(`/api/persons/${person.id}`)).statusCode).toBe(404);
    const self = await caseA.post(`/api/persons/${person.id}/consent-overrides/${asked.json().id}/decision`, {
      decision: 'approve',
    });
    expect(self.statusCode).toBe(403);
    const approved = await caseA2.post(
      `/api/persons/${person.id}/consent-overrides/${asked.json().id}/decision`,
      { decision: 'approve' },
    );
    expect(approved.json().status).toBe('approved');
    expect((await caseB.get(`/api/persons/${person.id}`)).json().readable).toEqual(['identity', 'contact']);
    const alerts = await t.admin.query(
      "SELECT count(*)::int AS n FROM alerts WHERE kind = 'consent_override' AND person_id = $1",
      [person.id],
    );
    expect(alerts.rows[0].n).toBe(1);
    const stored = await t.admin.query('SELECT reason FROM consent_overrides WHERE id = $1', [
      asked.json().id,
    ]);
    expect(stored.rows[0].reason).not.toMatch(/danger/);
  });

  it('brakes bulk identifying reads: past the hourly limit a step-up is required and an alert raised (G07)', async () => {
    t.deps.config.bulkRevealsPerHour = 3;
    try {
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push((await register(caseA)).person.id);
      const reader = await staff(t, agencyA, ['case_manager']);
      reader.cookie = await signIn(t, reader.userId, {
        authenticatedAt: new Date(t.clock.now().getTime() - 10 * 60_000),
      });
      for (const id of ids.slice(0, 3))
        expect((await reader.get(`/api/persons/${id}/fields?classes=identity`)).statusCode).toBe(200);
      expect((await reader.get(`/api/persons/${ids[0]}/fields?classes=identity`)).statusCode).toBe(200);
      const fourth = await reader.get(`/api/persons/${ids[3]}/fields?classes=identity`);
      expect(fourth.statusCode).toBe(403);
      expect(fourth.json().code).toBe('reauth_required');
      const alerts = await t.admin.query(
        "SELECT count(*)::int AS n FROM alerts WHERE kind = 'bulk_access' AND user_id = $1",
        [reader.userId],
      );
      expect(alerts.rows[0].n).toBe(1);
      reader.cookie = await signIn(t, reader.userId);
      expect((await reader.get(`/api/persons/${ids[3]}/fields?classes=identity`)).statusCode).toBe(200);
    } finally {
      t.deps.config.bulkRevealsPerHour = 60;
    }
  });

  it('raises a duplicate-review task for a likely match in another agency without revealing it', async () => {
    const { person } = await register(caseA, {
      identity: { names: [{ value: 'Maýsa Gurbanowa', kind: 'primary' }] },
      birthYear: 1990,
    });
    const second = await register(caseB, {
      identity: { names: [{ value: 'Maysa Gurbanova', kind: 'primary' }] },
      birthYear: 1990,
    });
    expect(second.possibleDuplicates).toEqual([]);
    const tasks = await t.admin.query(
      "SELECT * FROM tasks WHERE kind = 'duplicate_review' AND person_id = $1",
      [second.person.id],
    );
    expect(tasks.rows.map((r) => r.related_person_id)).toContain(person.id);
    const third = await register(caseA, {
      identity: { names: [{ value: 'Maisa Gurbanowa', kind: 'primary' }] },
      birthYear: 1990,
    });
    expect(third.possibleDuplicates.map((d) => d.id)).toContain(person.id);
    void coordinator;
  });

  it('enforces row-level security under the runtime role: no context, no rows (G06)', async () => {
    await register(caseA);
    // the embedded engine serialises transactions: ask the superuser connection first
    const expected = await t.admin.query(
      `SELECT p.id FROM persons p WHERE p.owner_agency_id = $1
        OR p.id IN (SELECT person_id FROM consents WHERE recipient_agency_id = $1 AND withdrawn_at IS NULL)
        OR p.id IN (SELECT person_id FROM consent_overrides WHERE recipient_agency_id = $1 AND status = 'approved')
        ORDER BY p.id`,
      [agencyB],
    );
    const allPersons = await t.admin.query('SELECT count(*)::int AS n FROM persons');
    const client = await t.admin.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE halas_app');
      for (const table of ['persons', 'person_keys', 'consents']) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
        expect(rows[0].n, table).toBe(0);
      }
      await client.query("SELECT set_config('app.agency_ids', $1, true)", [agencyB]);
      const seen = await client.query('SELECT id FROM persons ORDER BY id');
      expect(seen.rows).toEqual(expected.rows);
      expect(seen.rows.length).toBeLessThan(allPersons.rows[0].n);
      await expect(
        client.query("INSERT INTO persons (ref, owner_agency_id) VALUES ('P-XXXX-XXXX', $1)", [agencyA]),
      ).rejects.toMatchObject({ code: '42501' });
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
