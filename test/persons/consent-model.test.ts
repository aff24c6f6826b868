import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency, signIn } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import type { Browser } from '../support/http.js';
import { staff } from './support.js';

const RUNS = process.env.DEEP ? 500 : 100;
const DAY = 86_400_000;

interface Model {
  consents: Array<{ id: string; expiresAt: number | null; withdrawn: boolean }>;
  overrideUntil: number | null;
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
const covered = (m: Model, at: number) =>
  m.consents.some((c) => !c.withdrawn && (c.expiresAt === null || c.expiresAt > at)) ||
  (m.overrideUntil !== null && m.overrideUntil > at);

class Give implements fc.AsyncCommand<Model, Real> {
  constructor(readonly days: number | null) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const expiresAt = this.days === null ? null : now(r) + this.days * DAY;
    const res = await r.owner.post(`/api/persons/${r.personId}/consents`, {
      purpose: 'referral',
      recipientAgencyId: r.recipientAgencyId,
      dataClasses: ['identity'],
      givenBy: 'person',
      evidence: 'signed_form',
      givenAt: r.t.clock.now().toISOString(),
      expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
    });
    expect(res.statusCode, res.body).toBe(201);
    m.consents.push({ id: res.json().id, expiresAt, withdrawn: false });
  }
  toString = () => `give(${this.days})`;
}

class Withdraw implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.consents.some((c) => !c.withdrawn);
  async run(m: Model, r: Real) {
    const c = m.consents.find((x) => !x.withdrawn)!;
    const res = await r.owner.post(`/api/persons/${r.personId}/consents/${c.id}/withdraw`, {
      withdrawnBy: 'person',
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
      fc.constant(new Read()),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 12 }), async (cmds) => {
        const resign = async () => {
          for (const b of [setup.owner, setup.second, setup.recipient])
            b.cookie = await signIn(t, (b as Browser & { userId: string }).userId);
        };
        await resign();
        const created = await setup.owner.post('/api/persons', {
          sex: 'female',
          birthYear: 1995,
          identity: { names: [{ value: 'Model Person', kind: 'primary' }] },
        });
        expect(created.statusCode).toBe(201);
        const real: Real = { ...setup, t, personId: created.json().person.id, resign };
        await fc.asyncModelRun(
          () => ({ model: { consents: [], overrideUntil: null }, real }),
          [...cmds, new Read()],
        );
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
