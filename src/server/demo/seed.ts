import { PersonCreate } from '../../shared/contracts/persons.js';
import { ageAt, CHILD_ASSENT_FROM_AGE } from '../../shared/domain/consent.js';
import type { AppDeps } from '../app.js';
import { hashPassword } from '../features/auth/index.js';
import { createPerson, giveConsent, withdrawConsent } from '../features/persons/index.js';
import { writeAudit } from '../platform/audit.js';
import type { Actor, ActorMembership, RequestContext } from '../platform/context.js';
import { ACTOR_MEMBERSHIPS } from '../platform/sessions.js';
import { withTx } from '../platform/tx.js';
import { DEMO_AGENCIES, DEMO_PASSWORD, DEMO_USERS } from './data.js';
import { DEMO_PERSONS, type DemoRegistrar } from './persons.js';

const DAY_MS = 86_400_000;
/** The demo mechanism's history starts this long before the first start (agencies and staff first). */
const HISTORY_DAYS = 450;

/** A demo user as the actor of a request, with the memberships a session of theirs would carry. */
const DEMO_ACTOR = `SELECT u.id, u.username, u.display_name, ${ACTOR_MEMBERSHIPS} AS memberships
  FROM users u WHERE u.username = $1 AND u.demo_account`;

/**
 * Creates the demo mechanism once (an instance that already has agencies is left alone): agencies and one
 * user per role, dated as if they had been set up before the demo's history begins. True when created now.
 */
export async function seedDemo(deps: AppDeps, ctx: RequestContext): Promise<boolean> {
  const start = ctx.now().getTime();
  return seedMechanism(deps, { ...ctx, now: () => new Date(start - HISTORY_DAYS * DAY_MS) });
}

async function seedMechanism(deps: AppDeps, ctx: RequestContext): Promise<boolean> {
  const passwordHash = await hashPassword(deps.config, DEMO_PASSWORD);
  return withTx(deps.db.pool, null, async (tx) => {
    const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM agencies');
    if ((rows[0]?.n ?? 0) > 0) return false;
    const ids = new Map<string, string>();
    for (const a of DEMO_AGENCIES) {
      const r = await tx.query<{ id: string }>(
        'INSERT INTO agencies (code, type, name, region) VALUES ($1, $2, $3, $4) RETURNING id',
        [a.code, a.type, JSON.stringify(a.name), a.region],
      );
      ids.set(a.code, r.rows[0]!.id);
      await writeAudit(tx, ctx, {
        action: 'agency.create',
        entityType: 'agency',
        entityId: r.rows[0]!.id,
        fields: ['code', 'type', 'name', 'region'],
      });
    }
    for (const u of DEMO_USERS) {
      const r = await tx.query<{ id: string }>(
        `INSERT INTO users (username, display_name, locale, password_hash, password_changed_at, demo_account)
         VALUES ($1, $2, $3, $4, $5, true) RETURNING id`,
        [u.username, u.displayName, u.locale, passwordHash, ctx.now()],
      );
      const userId = r.rows[0]!.id;
      await tx.query('INSERT INTO memberships (user_id, agency_id, roles) VALUES ($1, $2, $3)', [
        userId,
        ids.get(u.agency),
        u.roles,
      ]);
      await writeAudit(tx, ctx, {
        action: 'user.create',
        entityType: 'user',
        entityId: userId,
        fields: ['username', 'display_name', 'locale', 'roles'],
      });
    }
    return true;
  });
}

/**
 * Registers the demo survivors (demo/persons.ts) after `seedDemo`, through the same services a user's request
 * goes through (encryption, search tokens, duplicate review, consents, audit), each step at its own date in
 * the months before now, in time order. Returns how many persons were registered.
 */
export async function seedDemoPersons(deps: AppDeps, ctx: RequestContext): Promise<number> {
  const start = ctx.now().getTime();
  const agencyIds = new Map<string, string>();
  const actors = new Map<DemoRegistrar, Actor>();
  await withTx(deps.db.pool, null, async (tx) => {
    const agencies = await tx.query<{ id: string; code: string }>('SELECT id, code FROM agencies');
    for (const a of agencies.rows) agencyIds.set(a.code, a.id);
    for (const username of ['casemanager', 'border', 'hotline'] as const) {
      const { rows } = await tx.query<{
        id: string;
        username: string;
        display_name: string;
        memberships: ActorMembership[];
      }>(DEMO_ACTOR, [username]);
      const u = rows[0]!;
      actors.set(username, {
        userId: u.id,
        username: u.username,
        displayName: u.display_name,
        sessionId: 'demo-seed',
        memberships: u.memberships,
        authenticatedAt: new Date(start),
      });
    }
  });
  // Every registration, consent and withdrawal as a dated step, run in time order.
  const steps: Array<{ at: number; run: () => Promise<void> }> = [];
  DEMO_PERSONS.forEach((demo, i) => {
    // registered during office hours, a different hour for each person
    const day = new Date(start - demo.daysAgo * DAY_MS);
    const at = Date.UTC(
      day.getUTCFullYear(),
      day.getUTCMonth(),
      day.getUTCDate(),
      4 + (i % 8),
      (i * 17) % 60,
    );
    const actor = actors.get(demo.by)!;
    const as = (t: number): RequestContext => ({
      ...ctx,
      actor: { ...actor, authenticatedAt: new Date(t) },
      now: () => new Date(t),
    });
    const evidence = demo.by === 'casemanager' ? ('signed_form' as const) : ('verbal_witnessed' as const);
    // set by the registration step, which runs before the withdrawal step
    let personId = '';
    let mediaId = '';
    steps.push({
      at,
      run: async () => {
        const { person } = await createPerson(deps, as(at), PersonCreate.parse(demo.person));
        personId = person.id;
        const child = person.presumedChild;
        const giver = {
          givenBy: child ? ('guardian' as const) : ('person' as const),
          childAssent:
            child &&
            person.birthYear !== null &&
            ageAt(person.birthYear, new Date(at)) >= CHILD_ASSENT_FROM_AGE
              ? true
              : null,
          evidence,
          givenAt: new Date(at).toISOString(),
        };
        await giveConsent(deps, as(at), person.id, {
          purpose: 'assistance',
          dataClasses: ['identity', 'contact', 'trafficking', 'health', 'legal', 'child'],
          ...giver,
        });
        for (const r of demo.referrals ?? [])
          await giveConsent(deps, as(at), person.id, {
            purpose: 'referral',
            recipientAgencyId: agencyIds.get(r.to)!,
            dataClasses: r.classes,
            ...giver,
          });
        if (demo.mediaWithdrawnAfter !== undefined) {
          const media: { id: string } = await giveConsent(deps, as(at), person.id, {
            purpose: 'media',
            dataClasses: ['trafficking'],
            ...giver,
          });
          mediaId = media.id;
        }
      },
    });
    if (demo.mediaWithdrawnAfter !== undefined) {
      const withdrawn = at + demo.mediaWithdrawnAfter * DAY_MS;
      steps.push({
        at: withdrawn,
        run: async () => {
          await withdrawConsent(deps, as(withdrawn), personId, mediaId, { withdrawnBy: 'person' });
        },
      });
    }
  });
  steps.sort((a, b) => a.at - b.at);
  for (const step of steps) await step.run();
  return DEMO_PERSONS.length;
}
