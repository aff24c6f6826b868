import type { z } from 'zod';
import type { BreakGlassOpen } from '../../../shared/contracts/break-glass.js';
import { permissionScope } from '../../../shared/domain/access.js';
import { type FieldClass, readableClasses } from '../../../shared/domain/fields.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type Actor, type RequestContext, requireActor } from '../../platform/context.js';
import { loadPersonKeys, openField, sealField } from '../../platform/crypto/index.js';
import { AppError } from '../../platform/errors.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { readAgencies } from './policy.js';
import * as repo from './repo.js';

/**
 * Break-the-glass: in an emergency, a holder of `person.break_glass` opens ONE person outside their
 * agencies' scope, found by its pseudonymous reference (never by listing), for a fixed window
 * (`HALAS_BREAK_GLASS_MINUTES`), with a reason and a recent step-up (route: recentAuthSeconds).
 *
 * - The grant is for that user and that person only, until expiry; it opens the record read-only, with
 *   the classes the user's roles read in the agency through which the grant was taken.
 * - The service finds the person under a grant only after checking it on the application's clock; row-level
 *   security checks it again (policy persons_break_glass on `app.user_id` and `app.now`).
 * - The DPO is alerted when the grant is made; every read under it is audited with the grant's id
 *   (`break_glass.read`, entity `break_glass_grant`), and the DPO lists all grants.
 * - The reason is sealed under the person's data key: erasing the person erases it too.
 */

const REASON_COLUMN = 'break_glass_grants.reason';

/** Agencies through which the actor may break the glass (never 'all'). */
function breakGlassAgencies(actor: Actor): string[] {
  const scope = permissionScope(actor.memberships, 'person.break_glass');
  return scope.all ? [] : scope.agencyIds;
}

export async function openBreakGlass(
  deps: AppDeps,
  ctx: RequestContext,
  body: z.infer<typeof BreakGlassOpen>,
) {
  const actor = requireActor(ctx);
  const acting = breakGlassAgencies(actor);
  if (acting.length === 0) throw new AppError('forbidden');
  const agencyId = acting[0]!;
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + deps.config.breakGlassMinutes * 60_000);
  // The person is by definition outside the actor's scope: the lookup by reference is the oversight path,
  // and it answers with the reference and the id only.
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const found = await tx.query<{
        id: string;
        ref: string;
        owner_agency_id: string;
        erased_at: Date | null;
        merged_into: string | null;
      }>('SELECT id, ref, owner_agency_id, erased_at, merged_into FROM persons WHERE ref = $1', [body.ref]);
      const person = found.rows[0];
      // an erased record has nothing to read; a merged one points to its survivor (open that one)
      if (!person || person.erased_at || person.merged_into) throw new AppError('not_found');
      if (await repo.findInScope(tx, readAgencies(actor), now, person.id))
        throw new AppError('break_glass_unneeded');
      const open = await tx.query(
        'SELECT 1 FROM break_glass_grants WHERE user_id = $1 AND person_id = $2 AND expires_at > $3',
        [actor.userId, person.id, now],
      );
      if (open.rowCount) throw new AppError('break_glass_unneeded');
      const dek = (await loadPersonKeys(tx, deps.keyring, [person.id])).get(person.id);
      if (!dek) throw new AppError('not_found');
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO break_glass_grants (user_id, agency_id, person_id, reason, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          actor.userId,
          agencyId,
          person.id,
          sealField(dek, person.id, REASON_COLUMN, body.reason),
          now,
          expiresAt,
        ],
      );
      const grantId = rows[0]!.id;
      await tx.query(
        "INSERT INTO alerts (kind, user_id, agency_id, person_id, created_at) VALUES ('break_glass', $1, $2, $3, $4)",
        [actor.userId, person.owner_agency_id, person.id, now],
      );
      await writeAudit(tx, ctx, {
        action: 'break_glass.open',
        entityType: 'break_glass_grant',
        entityId: grantId,
        actorAgencyId: agencyId,
        fields: ['person_id', 'reason', 'expires_at'],
      });
      return { id: grantId, personId: person.id, personRef: person.ref, expiresAt: expiresAt.toISOString() };
    },
    { systemPath: 'oversight' },
  );
}

/**
 * The person under an unexpired grant of the actor, or undefined. Sets the transaction's clock (`app.now`)
 * so that row-level security decides expiry on the same clock as this check.
 */
export async function findUnderGrant(
  tx: Tx,
  ctx: RequestContext,
  personId: string,
): Promise<
  | {
      row: repo.PersonRow;
      access: { readable: FieldClass[]; writable: FieldClass[] };
      grantId: string;
      grantExpiresAt: Date;
    }
  | undefined
> {
  const actor = requireActor(ctx);
  const now = ctx.now();
  await tx.query("SELECT set_config('app.now', $1, true)", [now.toISOString()]);
  const grants = await tx.query<{ id: string; agency_id: string; expires_at: Date }>(
    `SELECT id, agency_id, expires_at FROM break_glass_grants WHERE user_id = $1 AND person_id = $2 AND expires_at > $3
      ORDER BY expires_at DESC LIMIT 1`,
    [actor.userId, personId, now],
  );
  const grant = grants.rows[0];
  // the grant works only while the user still holds the permission in the agency it was taken through
  if (!grant || !breakGlassAgencies(actor).includes(grant.agency_id)) return undefined;
  const { rows } = await tx.query<repo.PersonRow>(
    `SELECT ${repo.PERSON_COLUMNS} FROM persons p WHERE p.id = $1`,
    [personId],
  );
  if (!rows[0]) return undefined;
  const roles = actor.memberships.filter((m) => m.agencyId === grant.agency_id).flatMap((m) => m.roles);
  return {
    row: rows[0],
    access: { readable: readableClasses(roles), writable: [] },
    grantId: grant.id,
    grantExpiresAt: grant.expires_at,
  };
}

/** One audit event per read under a grant, naming the grant (and the classes read, or `record`). */
export async function auditGrantRead(
  tx: Tx,
  ctx: RequestContext,
  grantId: string,
  fields: readonly string[],
) {
  await writeAudit(tx, ctx, {
    action: 'break_glass.read',
    entityType: 'break_glass_grant',
    entityId: grantId,
    fields,
  });
}

interface GrantRow {
  id: string;
  user_id: string;
  username: string | null;
  agency_id: string;
  person_id: string;
  person_ref: string;
  person_agency_id: string;
  reason: Buffer;
  created_at: Date;
  expires_at: Date;
}

/** The DPO's list of break-the-glass grants: who, whom (reference), why, until when, how many reads. */
export async function listBreakGlass(
  deps: AppDeps,
  ctx: RequestContext,
  status: 'active' | 'expired' | 'all',
) {
  const now = ctx.now();
  return withTx(
    deps.db.pool,
    ctx.actor,
    async (tx) => {
      const { rows } = await tx.query<GrantRow>(
        `SELECT g.id, g.user_id, u.username, g.agency_id, g.person_id, p.ref AS person_ref,
                p.owner_agency_id AS person_agency_id, g.reason, g.created_at, g.expires_at
           FROM break_glass_grants g JOIN persons p ON p.id = g.person_id LEFT JOIN users u ON u.id = g.user_id
          WHERE $1 = 'all' OR ($1 = 'active') = (g.expires_at > $2)
          ORDER BY g.created_at DESC, g.id LIMIT 500`,
        [status, now],
      );
      const keys = await loadPersonKeys(tx, deps.keyring, [...new Set(rows.map((r) => r.person_id))]);
      const reads = await tx.query<{ entity_id: string; n: number }>(
        `SELECT entity_id, count(*)::int AS n FROM audit_events
          WHERE entity_type = 'break_glass_grant' AND entity_id = ANY($1::text[]) AND action = 'break_glass.read'
          GROUP BY entity_id`,
        [rows.map((r) => r.id)],
      );
      const readCount = new Map(reads.rows.map((r) => [r.entity_id, r.n]));
      if (rows.length > 0)
        await writeAudit(tx, ctx, {
          action: 'break_glass.list',
          entityType: 'break_glass_grant',
          fields: ['reason'],
        });
      return {
        items: rows.map((r) => {
          const dek = keys.get(r.person_id);
          return {
            id: r.id,
            userId: r.user_id,
            username: r.username,
            agencyId: r.agency_id,
            personRef: r.person_ref,
            personAgencyId: r.person_agency_id,
            reason: dek ? (openField(dek, r.person_id, REASON_COLUMN, r.reason) as string) : null,
            createdAt: r.created_at.toISOString(),
            expiresAt: r.expires_at.toISOString(),
            active: r.expires_at > now,
            reads: readCount.get(r.id) ?? 0,
          };
        }),
      };
    },
    { systemPath: 'oversight' },
  );
}
