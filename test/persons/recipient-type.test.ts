import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTx } from '../../src/server/platform/tx.js';
import { createAgency } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { staff } from './support.js';

/** A consent to a type of recipient ("any rehabilitation centre") shares the person with every agency of it. */
describe.each(ENGINES)('consent to a type of recipient on %s', (engine) => {
  let t: TestApp;
  let owner: Awaited<ReturnType<typeof staff>>;
  let shelterA: Awaited<ReturnType<typeof staff>>;
  let shelterB: Awaited<ReturnType<typeof staff>>;
  let ngo: Awaited<ReturnType<typeof staff>>;
  let shelterAgencyA: string;
  let ngoAgency: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    const police = (await createAgency(t, { type: 'police' })).id;
    shelterAgencyA = (await createAgency(t, { type: 'rehabilitation_centre' })).id;
    const shelterAgencyB = (await createAgency(t, { type: 'rehabilitation_centre' })).id;
    ngoAgency = (await createAgency(t, { type: 'ngo' })).id;
    owner = await staff(t, police, ['case_manager']);
    shelterA = await staff(t, shelterAgencyA, ['case_manager']);
    shelterB = await staff(t, shelterAgencyB, ['service_provider']);
    ngo = await staff(t, ngoAgency, ['case_manager']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (body: unknown) => owner.post('/api/persons', body, { 'idempotency-key': randomUUID() });

  /** The person's row as the runtime role sees it for one agency, under row-level security only. */
  const rlsSees = (agencyId: string, personId: string) =>
    withTx(
      t.deps.db.pool,
      {
        userId: randomUUID(),
        memberships: [
          {
            id: randomUUID(),
            agencyId,
            agencyCode: 'x',
            agencyName: { tk: 'x', ru: 'x', en: 'x' },
            agencyType: 'ngo',
            roles: [],
          },
        ],
      },
      async (tx) => (await tx.query('SELECT id FROM persons WHERE id = $1', [personId])).rowCount,
    );

  it('lets every agency of that type read the consented classes, no other agency, until withdrawal', async () => {
    const registered = await create({
      sex: 'female',
      birthYear: 1996,
      identity: { names: [{ value: 'Maýsa Durdyýewa', kind: 'primary' }] },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const id = registered.json().person.id as string;
    for (const who of [shelterA, shelterB, ngo])
      expect((await who.get(`/api/persons/${id}`)).statusCode).toBe(404);
    expect(await rlsSees(shelterAgencyA, id)).toBe(0);

    const given = await owner.post(
      `/api/persons/${id}/consents`,
      {
        purpose: 'referral',
        recipientType: 'rehabilitation_centre',
        dataClasses: ['identity'],
        givenBy: 'person',
        evidence: 'signed_form',
        givenAt: t.clock.now().toISOString(),
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(given.statusCode, given.body).toBe(201);

    for (const who of [shelterA, shelterB]) {
      const seen = await who.get(`/api/persons/${id}`);
      expect(seen.statusCode, seen.body).toBe(200);
      expect(seen.json().readable).toEqual(['identity']);
      expect(seen.json().writable).toEqual([]);
      expect((await who.get('/api/persons')).json().items.map((p: { id: string }) => p.id)).toContain(id);
      expect((await who.get(`/api/persons/${id}/fields?classes=contact`)).statusCode).toBe(403);
    }
    const names = await shelterA.get(`/api/persons/${id}/fields?classes=identity`);
    expect(names.statusCode).toBe(200);
    expect(names.json().identity.names[0].value).toBe('Maýsa Durdyýewa');
    expect((await ngo.get(`/api/persons/${id}`)).statusCode).toBe(404);
    expect(await rlsSees(shelterAgencyA, id)).toBe(1);
    expect(await rlsSees(ngoAgency, id)).toBe(0);

    const withdrawn = await owner.post(`/api/persons/${id}/consents/${given.json().id}/withdraw`, {
      withdrawnBy: 'person',
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    for (const who of [shelterA, shelterB])
      expect((await who.get(`/api/persons/${id}`)).statusCode).toBe(404);
    expect(await rlsSees(shelterAgencyA, id)).toBe(0);
  });
});
