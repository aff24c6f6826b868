import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppDeps, buildApp } from '../../src/server/app.js';
import { keyringForTests } from '../../src/server/platform/crypto/index.js';
import { secretsFromKey } from '../../src/server/platform/secrets.js';
import { txStats } from '../../src/server/platform/tx.js';
import { createAgency } from '../factories/index.js';
import { staff } from '../persons/support.js';
import { createTestApp, createTestDatabase, ENGINES, FakeClock, type TestApp } from '../support/app.js';

/**
 * Fault injection below the application: a pool whose connections fail the k-th statement of the next
 * SERIALIZABLE transaction (the business transaction of a registration; claims, sessions and the answer
 * store run READ COMMITTED and are not touched). ROLLBACK is never failed.
 */
class Faults {
  failAt: number | null = null;
  fired: string | null = null;
  /** Statements of the business transactions seen while recording. */
  recording: string[] | null = null;

  wrap(pool: pg.Pool): pg.Pool {
    const faults = this;
    return new Proxy(pool, {
      get(target, prop) {
        if (prop === 'connect') return async () => faults.wrapClient(await target.connect());
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private wrapClient(client: pg.PoolClient): pg.PoolClient {
    let inBusiness = false;
    let n = 0;
    const query = (text: unknown, params?: unknown) => {
      const sql = typeof text === 'string' ? text : ((text as { text?: string })?.text ?? '');
      if (sql.startsWith('BEGIN ISOLATION LEVEL SERIALIZABLE')) {
        inBusiness = true;
        n = 0;
      } else if (inBusiness && sql === 'ROLLBACK') {
        inBusiness = false;
      } else if (inBusiness) {
        n++;
        this.recording?.push(sql);
        if (sql === 'COMMIT') inBusiness = false;
        if (this.failAt === n) {
          this.failAt = null;
          this.fired = sql;
          return Promise.reject(new Error('injected fault'));
        }
      }
      return (client.query as (t: unknown, p?: unknown) => Promise<unknown>)(text, params);
    };
    return new Proxy(client, {
      get(target, prop) {
        if (prop === 'query') return query;
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

/** Row counts of every table, and the audit chain head: equal snapshots mean "nothing committed". */
async function stateOf(admin: pg.Pool): Promise<Record<string, unknown>> {
  const { rows: tables } = await admin.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: Record<string, unknown> = {};
  for (const { table_name } of tables) {
    const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table_name}"`);
    out[table_name] = rows[0]!.n;
  }
  const head = await admin.query<{ seq: number; hash: Buffer }>('SELECT seq, hash FROM audit_head');
  out.audit_head = head.rows.map((r) => `${r.seq}:${r.hash.toString('hex')}`);
  return out;
}

describe.each(ENGINES)('person registration is atomic on %s (G35)', (engine) => {
  let t: TestApp;
  const faults = new Faults();

  beforeAll(async () => {
    const { db, config, drop } = await createTestDatabase(engine);
    const clock = new FakeClock();
    const deps: AppDeps = {
      config,
      db: { ...db, pool: faults.wrap(db.pool), close: () => db.close() },
      secrets: secretsFromKey(randomBytes(32)),
      keyring: keyringForTests(),
      clock: clock.now,
    };
    const app = await buildApp(deps);
    t = {
      engine,
      app,
      deps,
      clock,
      admin: db.pool,
      async close() {
        await app.close();
        await db.close();
        await drop();
      },
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('leaves the database exactly as before when any step of a registration fails', async () => {
    const agencyA = (await createAgency(t, { type: 'hotline_ngo' })).id;
    const agencyB = (await createAgency(t, { type: 'border_service' })).id;
    const operator = await staff(t, agencyA, ['hotline_operator']);
    const border = await staff(t, agencyB, ['frontline_identifier']);
    const body = {
      sex: 'female',
      birthYear: 1997,
      identity: { names: [{ value: 'Bägül Atayewa', kind: 'primary' }] },
    };
    // the same person already registered elsewhere: registration also raises a duplicate-review task
    expect((await border.post('/api/persons', body)).statusCode).toBe(201);

    // record the steps of one registration's business transaction
    faults.recording = [];
    const recorded = await operator.post('/api/persons', body);
    expect(recorded.statusCode).toBe(201);
    const steps = faults.recording;
    faults.recording = null;
    for (const table of ['persons', 'person_keys', 'person_name_tokens', 'tasks', 'audit_events'])
      expect(
        steps.some((s) => s.includes(`INSERT INTO ${table}`)),
        table,
      ).toBe(true);
    expect(steps.at(-1)).toBe('COMMIT');

    for (let k = 1; k <= steps.length; k++) {
      const before = await stateOf(t.admin);
      faults.failAt = k;
      faults.fired = null;
      const res = await operator.post('/api/persons', body);
      expect(faults.fired, `step ${k} was reached`).not.toBeNull();
      expect(res.statusCode, `step ${k}: ${faults.fired}`).toBe(500);
      expect(res.json().code).toBe('internal_error');
      expect(await stateOf(t.admin), `step ${k}: ${faults.fired}`).toEqual(before);
    }
    // and without a fault it still works (the steps were the real ones)
    const before = await stateOf(t.admin);
    expect((await operator.post('/api/persons', body)).statusCode).toBe(201);
    const after = await stateOf(t.admin);
    expect(after.persons).toBe((before.persons as number) + 1);
    // one review task: the match in the other agency (a match in one's own agency is shown, not queued)
    expect(after.tasks).toBe((before.tasks as number) + 1);
  });
});

const HISTORIES = Number(process.env.HALAS_G35_HISTORIES ?? 200);

type Op =
  | { kind: 'give'; p: number }
  | { kind: 'withdraw'; p: number; pick: number }
  | { kind: 'read'; p: number }
  | { kind: 'override'; p: number; approve: boolean }
  | { kind: 'patch'; p: number; year: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('give' as const), p: fc.nat(1) }), weight: 3 },
  {
    arbitrary: fc.record({ kind: fc.constant('withdraw' as const), p: fc.nat(1), pick: fc.nat(9) }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('read' as const), p: fc.nat(1) }), weight: 5 },
  {
    arbitrary: fc.record({ kind: fc.constant('override' as const), p: fc.nat(1), approve: fc.boolean() }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('patch' as const),
      p: fc.nat(1),
      year: fc.integer({ min: 1970, max: 2000 }),
    }),
    weight: 3,
  },
);

describe.runIf(ENGINES.includes('postgres'))('concurrent consent histories on postgres (G35)', () => {
  let t: TestApp;
  let owner: Awaited<ReturnType<typeof staff>>;
  let second: Awaited<ReturnType<typeof staff>>;
  let recipient: Awaited<ReturnType<typeof staff>>;
  let ownerAgency: string;
  let recipientAgency: string;

  beforeAll(async () => {
    t = await createTestApp('postgres');
    ownerAgency = (await createAgency(t, { type: 'social_protection' })).id;
    recipientAgency = (await createAgency(t, { type: 'crisis_room' })).id;
    owner = await staff(t, ownerAgency, ['case_manager']);
    second = await staff(t, ownerAgency, ['case_manager']);
    recipient = await staff(t, recipientAgency, ['case_manager']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`${HISTORIES} random concurrent histories: no disclosure without consent, one owner, versions = accepted updates`, async () => {
    const retriesBefore = txStats.retries;
    let violations = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 4, maxLength: 8 }), { minLength: 4, maxLength: 4 }),
        async (plans) => {
          const persons: string[] = [];
          for (let i = 0; i < 2; i++) {
            const res = await owner.post('/api/persons', {
              sex: 'female',
              birthYear: 1990,
              identity: { names: [{ value: `History Person ${i}`, kind: 'primary' }] },
            });
            expect(res.statusCode).toBe(201);
            persons.push(res.json().person.id);
          }
          type Timed = { start: number; end: number };
          const gives: Array<Timed & { p: number; id: string }> = [];
          const withdrawals: Array<Timed & { id: string }> = [];
          const approvals: Array<Timed & { p: number }> = [];
          const reads: Array<Timed & { p: number; status: number }> = [];
          const accepted = [0, 0];
          // four concurrent clients: the owner agency's two case managers act (two sessions each);
          // every read is the recipient agency's
          const clients = [owner, second, owner, second];
          const run = async (op: Op, c: number) => {
            const b = op.kind === 'read' ? recipient : clients[c]!;
            const personId = persons[op.p]!;
            const start = performance.now();
            if (op.kind === 'give') {
              const res = await b.post(`/api/persons/${personId}/consents`, {
                purpose: 'referral',
                recipientAgencyId: recipientAgency,
                dataClasses: ['identity'],
                givenBy: 'person',
                evidence: 'signed_form',
                givenAt: t.clock.now().toISOString(),
              });
              expect(res.statusCode, res.body).toBe(201);
              gives.push({ p: op.p, id: res.json().id, start, end: performance.now() });
            } else if (op.kind === 'withdraw') {
              const mine = gives.filter((g) => g.p === op.p);
              if (mine.length === 0) return;
              const g = mine[op.pick % mine.length]!;
              const res = await b.post(`/api/persons/${personId}/consents/${g.id}/withdraw`, {
                withdrawnBy: 'person',
              });
              // already withdrawn by another client: not found, and nothing changed
              expect([200, 404], res.body).toContain(res.statusCode);
              if (res.statusCode === 200) withdrawals.push({ id: g.id, start, end: performance.now() });
            } else if (op.kind === 'read') {
              const res = await b.get(`/api/persons/${personId}/fields?classes=identity`);
              // 403: found under a consent withdrawn between the read's two statements (READ COMMITTED):
              // refused all the same, nothing disclosed
              expect([200, 403, 404], res.body).toContain(res.statusCode);
              reads.push({ p: op.p, status: res.statusCode, start, end: performance.now() });
            } else if (op.kind === 'override') {
              const asked = await b.post(`/api/persons/${personId}/consent-overrides`, {
                purpose: 'referral',
                recipientAgencyId: recipientAgency,
                dataClasses: ['identity'],
                reason: 'Concurrent history: urgent protection without reachable consent.',
              });
              expect(asked.statusCode, asked.body).toBe(201);
              const decider = b === second ? owner : second;
              const decideStart = performance.now();
              const decided = await decider.post(
                `/api/persons/${personId}/consent-overrides/${asked.json().id}/decision`,
                { decision: op.approve ? 'approve' : 'reject' },
              );
              expect(decided.statusCode, decided.body).toBe(200);
              if (op.approve) approvals.push({ p: op.p, start: decideStart, end: performance.now() });
            } else {
              for (let attempt = 0; ; attempt++) {
                expect(attempt).toBeLessThan(50);
                const res = await b.patch(
                  `/api/persons/${personId}`,
                  { birthYear: op.year },
                  await b.ifMatch(`/api/persons/${personId}`),
                );
                if (res.statusCode === 412) continue;
                expect(res.statusCode, res.body).toBe(200);
                accepted[op.p]!++;
                break;
              }
            }
          };
          const versionsBefore = await Promise.all(
            persons.map(
              async (id) =>
                (await t.admin.query('SELECT version FROM persons WHERE id = $1', [id])).rows[0]
                  .version as number,
            ),
          );
          await Promise.all(
            plans.map(async (plan, c) => {
              for (const op of plan) await run(op, c);
            }),
          );

          // 1. a read that disclosed identity overlapped a consent in force or followed an approved override
          for (const r of reads.filter((x) => x.status === 200)) {
            const consented = gives.some((g) => {
              if (g.p !== r.p || g.start >= r.end) return false;
              const w = withdrawals.find((x) => x.id === g.id);
              return !w || w.end > r.start;
            });
            const overridden = approvals.some((a) => a.p === r.p && a.start < r.end);
            if (!consented && !overridden) violations++;
          }
          // 2. every person has exactly one owning agency, and it is still the one that registered them
          const owners = await t.admin.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM persons p JOIN agencies a ON a.id = p.owner_agency_id
            WHERE p.id = ANY($1::uuid[]) AND p.owner_agency_id = $2`,
            [persons, ownerAgency],
          );
          expect(owners.rows[0]!.n).toBe(persons.length);
          // 3. accepted updates = version increments
          for (const [i, id] of persons.entries()) {
            const { rows } = await t.admin.query('SELECT version FROM persons WHERE id = $1', [id]);
            expect(rows[0].version).toBe(versionsBefore[i]! + accepted[i]!);
          }
          expect(violations).toBe(0);
        },
      ),
      { numRuns: HISTORIES, endOnFailure: true },
    );
    expect(violations).toBe(0);
    // retries are bounded (MAX_TX_ATTEMPTS) and counted; none ran out (a 500 would have failed above)
    expect(txStats.exhausted).toBe(0);
    expect(txStats.retries).toBeGreaterThanOrEqual(retriesBefore);
  }, 900_000);
});
