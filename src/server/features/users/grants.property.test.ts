import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency, createUser, signIn, unique } from '../../../../test/factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../../../../test/support/app.js';
import { Browser } from '../../../../test/support/http.js';
import {
  type AgencyType,
  grantableRoles,
  type MembershipLike,
  ROLES,
  type Role,
} from '../../../shared/domain/access.js';

/**
 * G08, as a property: over random sequences of grants (role changes and user creation) by random actors,
 * every change that succeeds only adds or removes roles the actor could grant in that agency at that
 * moment, every refused one writes nothing, and the database always equals a model that applies only the
 * accepted changes. So nobody ends up with a role their granter could not give.
 * Seeded: FC_SEED=<n> replays a run; FC_RUNS=<n> sets the number of runs (DEEP=1 raises it).
 */
const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FC_RUNS ?? (process.env.DEEP ? 200 : 25));

/**
 * A command picks indices into the world's current users and agencies (modulo their number). `agency: null`
 * means the actor's own agency and `colleague` a target from that agency, so many commands are plausible
 * ones, while the rest probe everything else.
 */
type Command =
  | { kind: 'grant'; actor: number; target: number; colleague: boolean; agency: number | null; roles: Role[] }
  | { kind: 'create'; actor: number; agency: number | null; roles: Role[] };

const actorArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 2 }), weight: 3 },
  { arbitrary: fc.nat(), weight: 2 },
);
const agencyArb = fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.nat(), weight: 2 });
/** Mostly roles an agency admin may give in a police or NGO agency; sometimes anything, system-wide roles included. */
const everyday = ROLES.filter(
  (r) => !['system_admin', 'dpo', 'national_coordinator', 'hotline_operator'].includes(r),
);
const roleSet = fc.oneof(
  { arbitrary: fc.subarray(everyday, { maxLength: 3 }), weight: 3 },
  {
    arbitrary: fc.subarray([...ROLES, 'system_admin', 'dpo', 'national_coordinator'] as Role[], {
      maxLength: 3,
    }),
    weight: 2,
  },
);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('grant' as const),
    actor: actorArb,
    target: fc.nat(),
    colleague: fc.boolean(),
    agency: agencyArb,
    roles: roleSet,
  }),
  fc.record({ kind: fc.constant('create' as const), actor: actorArb, agency: agencyArb, roles: roleSet }),
);

describe.each(ENGINES)('G08: no escalation through grants on %s', (engine) => {
  let t: TestApp;
  let operatorId: string;
  let sysadminId: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    operatorId = (await createAgency(t, { type: 'system_operator' })).id;
    sysadminId = (await createUser(t, { agencyId: operatorId, roles: ['system_admin'] })).id;
    console.info(`G08 property on ${engine}: seed ${SEED}, ${RUNS} runs (FC_SEED / FC_RUNS to change)`);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Memberships as a session would load them: active agencies, at least one role. */
  async function effectiveMemberships(userId: string): Promise<MembershipLike[]> {
    const { rows } = await t.admin.query<{ agency_id: string; roles: Role[] }>(
      `SELECT m.agency_id, m.roles FROM memberships m JOIN agencies a ON a.id = m.agency_id JOIN users u ON u.id = m.user_id
        WHERE m.user_id = $1 AND a.active AND u.active AND cardinality(m.roles) > 0`,
      [userId],
    );
    return rows.map((r) => ({ agencyId: r.agency_id, roles: r.roles }));
  }

  async function dbState(users: readonly string[]): Promise<Map<string, Role[]>> {
    const { rows } = await t.admin.query<{ user_id: string; agency_id: string; roles: Role[] }>(
      'SELECT user_id, agency_id, roles FROM memberships WHERE user_id = ANY($1::uuid[])',
      [users],
    );
    return new Map(rows.map((r) => [`${r.user_id}|${r.agency_id}`, [...r.roles].sort()]));
  }

  async function run(commands: Command[]): Promise<void> {
    // A fresh little world per run: three agencies, their admins and staff, and the global system admin.
    const types: AgencyType[] = ['police', 'ngo', 'hotline_ngo'];
    const agencies = [
      operatorId,
      ...(await Promise.all(types.map(async (type) => (await createAgency(t, { type })).id))),
    ];
    const seedUsers: Array<[number, Role[]]> = [
      [1, ['agency_admin']],
      [2, ['agency_admin']],
      [1, ['case_manager']],
      [2, ['trainer']],
      [3, ['hotline_operator']],
    ];
    const users = [sysadminId];
    for (const [agency, roles] of seedUsers)
      users.push((await createUser(t, { agencyId: agencies[agency]!, roles })).id);
    const model = await dbState(users);

    for (const command of commands) {
      const actorId = users[command.actor % users.length]!;
      const granter = await effectiveMemberships(actorId);
      const agencyId =
        command.agency === null
          ? (granter[0]?.agencyId ?? agencies[1]!)
          : agencies[command.agency % agencies.length]!;
      const mayGrant = grantableRoles(granter, agencyId);
      const browser = new Browser(t);
      browser.cookie = await signIn(t, actorId);

      if (command.kind === 'grant') {
        const pool = command.colleague
          ? users.filter((u) => model.has(`${u}|${agencyId}`) && u !== actorId)
          : users;
        const targetId =
          pool.length > 0 ? pool[command.target % pool.length]! : users[command.target % users.length]!;
        const key = `${targetId}|${agencyId}`;
        const before = model.get(key) ?? [];
        const res = await browser.put(
          `/api/users/${targetId}/memberships`,
          {
            agencyId,
            roles: command.roles,
          },
          await browser.ifMatch(`/api/users/${targetId}`),
        );
        if (res.statusCode === 200) {
          const after = [...new Set(command.roles)].sort();
          const changed = [
            ...after.filter((r) => !before.includes(r)),
            ...before.filter((r) => !after.includes(r)),
          ];
          expect(
            changed.every((r) => mayGrant.includes(r)),
            `${actorId} changed ${changed} in ${agencyId}`,
          ).toBe(true);
          expect(targetId).not.toBe(actorId);
          if (after.length > 0) model.set(key, after);
          else model.delete(key);
        } else {
          expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, res.body).toBeLessThan(500);
        }
      } else {
        const res = await browser.post('/api/users', {
          username: unique('g08'),
          displayName: 'Property Person',
          agencyId,
          roles: command.roles.length > 0 ? command.roles : ['trainer'],
        });
        if (res.statusCode === 201) {
          const created = res.json().user as { id: string; memberships: Array<{ roles: Role[] }> };
          const granted = created.memberships[0]!.roles;
          expect(
            granted.every((r) => mayGrant.includes(r)),
            `${actorId} granted ${granted}`,
          ).toBe(true);
          users.push(created.id);
          model.set(`${created.id}|${agencyId}`, [...granted].sort());
        } else {
          expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, res.body).toBeLessThan(500);
        }
      }
      // Nothing happened that the model does not explain: refused requests wrote nothing.
      expect(await dbState(users)).toEqual(model);
    }
  }

  it('random grant sequences by random actors never exceed what the granter could grant', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 12 }), (commands) => run(commands)),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});
