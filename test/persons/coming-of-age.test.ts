import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseConsentAt18Tasks } from '../../src/server/features/persons/coming-of-age.js';
import { type ConsentRecord, coveredClasses } from '../../src/shared/domain/consent.js';
import { createAgency, signIn } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import type { Browser } from '../support/http.js';
import { staff } from './support.js';

describe('coveredClasses at 18', () => {
  const guardian: ConsentRecord = {
    purpose: 'referral',
    givenBy: 'guardian',
    recipientAgencyId: 'b',
    recipientType: null,
    dataClasses: ['identity', 'contact'],
    givenAt: new Date('2020-01-01T00:00:00Z'),
    expiresAt: null,
    withdrawnAt: null,
  };
  const ask = (at: string, birthYear: number | null, birthYearEstimated = false) =>
    coveredClasses([guardian], [], {
      purpose: 'referral',
      recipientAgencyId: 'b',
      dataClasses: ['identity'],
      at: new Date(at),
      subject: { birthYear, birthYearEstimated },
    });

  it('counts a guardian’s consent only while the subject is presumed a child', () => {
    expect(ask('2026-12-31T23:59:59Z', 2008)).toEqual(['identity']);
    expect(ask('2027-01-01T00:00:00Z', 2008)).toEqual([]);
    // an estimated birth year keeps the presumption two years longer
    expect(ask('2028-12-31T23:59:59Z', 2008, true)).toEqual(['identity']);
    expect(ask('2029-01-01T00:00:00Z', 2008, true)).toEqual([]);
    // unknown age: presumed a child
    expect(ask('2040-01-01T00:00:00Z', null)).toEqual(['identity']);
    // the person's own consent is unaffected, and so is an override
    expect(
      coveredClasses([{ ...guardian, givenBy: 'person' }], [], {
        purpose: 'referral',
        recipientAgencyId: 'b',
        dataClasses: ['identity'],
        at: new Date('2030-01-01T00:00:00Z'),
        subject: { birthYear: 2008, birthYearEstimated: false },
      }),
    ).toEqual(['identity']);
    expect(
      coveredClasses(
        [guardian],
        [
          {
            purpose: 'referral',
            recipientAgencyId: 'b',
            dataClasses: ['identity'],
            status: 'approved',
            expiresAt: new Date('2031-01-01T00:00:00Z'),
          },
        ],
        {
          purpose: 'referral',
          recipientAgencyId: 'b',
          dataClasses: ['identity'],
          at: new Date('2030-01-01T00:00:00Z'),
          subject: { birthYear: 2008, birthYearEstimated: false },
        },
      ),
    ).toEqual(['identity']);
  });
});

describe.each(ENGINES)('consent at 18 on %s', (engine) => {
  let t: TestApp;
  let agencyA: string;
  let agencyB: string;
  let caseA: Browser & { userId: string };
  let hotlineA: Browser & { userId: string };
  let caseB: Browser & { userId: string };

  beforeAll(async () => {
    t = await createTestApp(engine);
    agencyA = (await createAgency(t, { type: 'hotline_ngo' })).id;
    agencyB = (await createAgency(t, { type: 'rehabilitation_centre' })).id;
    caseA = await staff(t, agencyA, ['case_manager']);
    hotlineA = await staff(t, agencyA, ['hotline_operator']);
    caseB = await staff(t, agencyB, ['case_manager']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const resign = async () => {
    for (const b of [caseA, hotlineA, caseB]) b.cookie = await signIn(t, b.userId);
  };
  async function register(birthYear: number, birthYearEstimated = false) {
    const res = await caseA.post(
      '/api/persons',
      {
        sex: 'female',
        birthYear,
        birthYearEstimated,
        identity: { names: [{ value: 'Dünýä Meredowa', kind: 'primary' }] },
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(res.statusCode, res.body).toBe(201);
    return res.json().person.id as string;
  }
  async function consent(personId: string, givenBy: 'person' | 'guardian') {
    return caseA.post(
      `/api/persons/${personId}/consents`,
      {
        purpose: 'referral',
        recipientAgencyId: agencyB,
        dataClasses: ['identity'],
        givenBy,
        ...(givenBy === 'guardian' ? { childAssent: true } : {}),
        evidence: 'signed_form',
        givenAt: t.clock.now().toISOString(),
      },
      { 'idempotency-key': randomUUID() },
    );
  }
  const tasksOf = async (personId: string) =>
    (
      await t.admin.query(
        "SELECT status, role, agency_id, resolution FROM tasks WHERE kind = 'consent_at_18' AND person_id = $1",
        [personId],
      )
    ).rows;

  it('stops counting the guardian’s consent at 18, raises one task, and closes it with the person’s own consent', async () => {
    // 2026-03-01: born 2008 is 17 (a child), born 1990 an adult, born 2008 estimated possibly 15
    const child = await register(2008);
    const adult = await register(1990);
    const estimated = await register(2008, true);
    expect((await consent(child, 'guardian')).statusCode).toBe(201);
    expect((await consent(estimated, 'guardian')).statusCode).toBe(201);
    expect((await consent(adult, 'person')).statusCode).toBe(201);
    expect((await caseB.get(`/api/persons/${child}`)).statusCode).toBe(200);
    expect(await raiseConsentAt18Tasks(t.deps)).toBe(0);

    t.clock.current = new Date('2027-01-01T08:00:00.000Z');
    await resign();
    // the guardian's consent no longer shares the now-adult person; the estimated one is still a child
    expect((await caseB.get(`/api/persons/${child}`)).statusCode).toBe(404);
    expect((await caseB.get(`/api/persons/${child}/fields?classes=identity`)).statusCode).toBe(404);
    const listed = (await caseB.get('/api/persons?limit=200')).json().items.map((i: { id: string }) => i.id);
    expect(listed).not.toContain(child);
    expect(listed).toContain(estimated);
    expect(listed).toContain(adult);

    const auditBefore = (
      await t.admin.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'task.create'")
    ).rows[0].n;
    expect(await raiseConsentAt18Tasks(t.deps)).toBe(1);
    expect(await raiseConsentAt18Tasks(t.deps)).toBe(0);
    expect(await tasksOf(child)).toEqual([
      { status: 'open', role: 'case_manager', agency_id: agencyA, resolution: null },
    ]);
    expect(await tasksOf(adult)).toEqual([]);
    expect(await tasksOf(estimated)).toEqual([]);
    const auditAfter = (
      await t.admin.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'task.create'")
    ).rows[0].n;
    expect(auditAfter - auditBefore).toBe(1);

    const mine = await caseA.get('/api/agency-tasks');
    expect(mine.statusCode).toBe(200);
    const task = mine.json().items.find((i: { personId: string }) => i.personId === child);
    expect(task).toMatchObject({ kind: 'consent_at_18', status: 'open', personAgencyId: agencyA });
    expect(mine.body).not.toMatch(/Dünýä|Meredowa/);
    expect((await caseB.get('/api/agency-tasks')).json().items).toEqual([]);
    expect((await hotlineA.get('/api/agency-tasks')).json().items).toEqual([]);

    // a guardian can no longer consent for an adult; the person's own consent closes the task
    expect((await consent(child, 'guardian')).json().code).toBe('consent_invalid');
    expect((await consent(child, 'person')).statusCode).toBe(201);
    expect(await tasksOf(child)).toEqual([
      { status: 'done', role: 'case_manager', agency_id: agencyA, resolution: 'consent_recorded' },
    ]);
    expect((await caseB.get(`/api/persons/${child}`)).statusCode).toBe(200);
    expect((await caseA.get('/api/agency-tasks')).json().items).toEqual([]);
    expect(await raiseConsentAt18Tasks(t.deps)).toBe(0);

    // two years later the estimated birth year is no longer presumed a child either
    t.clock.current = new Date('2029-01-01T08:00:00.000Z');
    await resign();
    expect((await caseB.get(`/api/persons/${estimated}`)).statusCode).toBe(404);
    expect(await raiseConsentAt18Tasks(t.deps)).toBe(1);
    expect((await tasksOf(estimated)).map((r) => r.status)).toEqual(['open']);
  });
});
