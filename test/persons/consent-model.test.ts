import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presumedChild } from '../../src/shared/domain/consent.js';
import { createAgency, signIn } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import type { Browser } from '../support/http.js';
import { staff } from './support.js';

const RUNS = process.env.DEEP ? 500 : 100;
const DAY = 86_400_000;
const START = '2026-03-01T09:00:00.000Z';

interface Model {
  consents: Array<{ id: string; expiresAt: number | null; withdrawn: boolean; byGuardian: boolean }>;
  overrideUntil: number | null;
  /** The person's birth year: a guardian's consent counts only while they are presumed a child. */
  birthYear: number;
}
interface Real {
  t: TestApp;
  owner: Browser;
  second: Browser;
  recipient: Browser;
  personId: string;
  recipientAgencyId: string;
  /** Sessions idle out after 15 minutes of fake time: sign everyone in again. */
  resign: () => Promise<void>;
}

const now = (r: Real) => r.t.clock.now().getTime();
const child = (m: Pick<Model, 'birthYear'>, at: number) => presumedChild(m.birthYear, false, new Date(at));
const covered = (m: Model, at: number) =>
  m.consents.some(
    (c) => !c.withdrawn && (c.expiresAt === null || c.expiresAt > at) && (!c.byGuardian || child(m, at)),
  ) ||
  (m.overrideUntil !== null && m.overrideUntil > at);

class Give implements fc.AsyncCommand<Model, Real> {
  constructor(readonly days: number | null) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const expiresAt = this.days === null ? null : now(r) + this.days * DAY;
    // a child's consent is given by a guardian (with the child's assent), an adult's by the person
    const byGuardian = child(m, now(r));
    const res = await r.owner.post(
      `/api/persons/${r.personId}/consents`,
      {
        purpose: 'referral',
        recipientAgencyId: r.recipientAgencyId,
        dataClasses: ['identity'],
        givenBy: byGuardian ? 'guardian' : 'person',
        ...(byGuardian ? { childAssent: true } : {}),
        evidence: 'signed_form',
        givenAt: r.t.clock.now().toISOString(),
        expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(res.statusCode, res.body).toBe(201);
    m.consents.push({ id: res.json().id, expiresAt, withdrawn: false, byGuardian });
  }
  toString = () => `give(${this.days})`;
}

class Withdraw implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.consents.some((c) => !c.withdrawn);
  async run(m: Model, r: Real) {
    const c = m.consents.find((x) => !x.withdrawn)!;
    const res = await r.owner.post(`/api/persons/${r.personId}/consents/${c.id}/withdraw`, {
      withdrawnBy: child(m, now(r)) ? 'guardian' : 'person',
    });
    expect(res.statusCode).toBe(200);
    c.withdrawn = true;
  }
  toString = () => 'withdraw';
}

class Override implements fc.AsyncCommand<Model, Real> {
  constructor(readonly approve: boolean) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const asked = await r.owner.post(`/api/persons/${r.personId}/consent-overrides`, {
      purpose: 'referral',
      recipientAgencyId: r.recipientAgencyId,
      dataClasses: ['identity'],
      reason: 'Urgent protection needed; the person cannot be reached to consent.',
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const decided = await r.second.post(
      `/api/persons/${r.personId}/consent-overrides/${asked.json().id}/decision`,
      {
        decision: this.approve ? 'approve' : 'reject',
      },
    );
    expect(decided.statusCode).toBe(200);
    if (this.approve) m.overrideUntil = Math.max(m.overrideUntil ?? 0, now(r) + 7 * DAY);
  }
  toString = () => `override(${this.approve})`;
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly days: number) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    r.t.clock.advance(this.days * DAY);
    await r.resign();
  }
  toString = () => `advance(${this.days})`;
}

/** Jumps to the next New Year's morning: a person born 18 years before it stops being presumed a child. */
class NewYear implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(_m: Model, r: Real) {
    const year = r.t.clock.now().getUTCFullYear();
    r.t.clock.current = new Date(Date.UTC(year + 1, 0, 1, 8));
    await r.resign();
  }
  toString = () => 'newYear';
}

class Read implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real) {
    const res = await r.recipient.get(`/api/persons/${r.personId}/fields?classes=identity`);
    // the invariant: the recipient can read ⇔ a consent in force or an approved, unexpired override
    expect(res.statusCode).toBe(covered(m, now(r)) ? 200 : 404);
  }
  toString = () => 'read';
}

describe.each(ENGINES)('consent gates sharing on %s (G05)', (engine) => {
  let t: TestApp;
  let setup: Omit<Real, 'personId' | 't' | 'resign'>;
  beforeAll(async () => {
    t = await createTestApp(engine);
    const a = (await createAgency(t, { type: 'social_protection' })).id;
    const b = (await createAgency(t, { type: 'crisis_room' })).id;
    setup = {
      owner: await staff(t, a, ['case_manager']),
      second: await staff(t, a, ['case_manager']),
      recipient: await staff(t, b, ['case_manager']),
      recipientAgencyId: b,
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`recipient can read ⇔ valid consent or approved override, over ${RUNS} random histories`, async () => {
    const commands = [
      fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }).map((d) => new Give(d)),
      fc.constant(new Withdraw()),
      fc.boolean().map((b) => new Override(b)),
      fc.integer({ min: 1, max: 20 }).map((d) => new Advance(d)),
      fc.constant(new NewYear()),
      fc.constant(new Read()),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 12 }), fc.boolean(), async (cmds, minor) => {
        const resign = async () => {
          for (const b of [setup.owner, setup.second, setup.recipient])
            b.cookie = await signIn(t, (b as Browser & { userId: string }).userId);
        };
        // every history starts on the same day (New Year jumps would otherwise run the years out of range)
        t.clock.current = new Date(START);
        await resign();
        // an adult, or a 17-year-old who turns 18 (no longer presumed a child) next New Year
        const birthYear = minor ? t.clock.now().getUTCFullYear() - 18 : 1995;
        const created = await setup.owner.post(
          '/api/persons',
          {
            sex: 'female',
            birthYear,
            identity: { names: [{ value: 'Model Person', kind: 'primary' }] },
          },
          { 'idempotency-key': randomUUID() },
        );
        expect(created.statusCode).toBe(201);
        const real: Real = { ...setup, t, personId: created.json().person.id, resign };
        await fc.asyncModelRun(
          () => ({ model: { consents: [], overrideUntil: null, birthYear }, real }),
          [...cmds, new Read()],
        );
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
