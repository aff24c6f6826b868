import type { z } from 'zod';
import type { ErasureRequestCreate, ErasureRequestView } from '../../../shared/contracts/erasure.js';
import { permissionScope } from '../../../shared/domain/access.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type Actor, type RequestContext, requireActor } from '../../platform/context.js';
import { loadPersonKeys, openField, sealField } from '../../platform/crypto/index.js';
import { AppError } from '../../platform/errors.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { appendLedger, SHRED_FIELDS, shredPerson } from './erasure-ledger.js';

/**
 * Erasure on request (GDPR Art. 17, ADR 13). A holder of `erasure.request` asks, with a reason, for a person
 * of their agency (the DPO for any person); the DPO approves, plus a second approver (another holder of
 * `erasure.approve`); nobody approves their own request or approves twice. The final approval crypto-shreds
 * the person in the same transaction as the decision and its audit events, then the erasure ledger outside
 * the database records it. The reasons are sealed under the person's data key, so they go with the person.
 *
 * Decisions are taken across agencies and show pseudonymous references only: the oversight system path.
 */
const REASON = 'erasure_requests.reason';
const REJECTION = 'erasure_requests.rejection_reason';

interface Row {
  id: string;
  person_id: string;
  person_ref: string;
  owner_agency_id: string;
  status: ErasureRequestView['status'];
  reason: Buffer;
  rejection_reason: Buffer | null;
  requested_by: string;
  requested_by_name: string | null;
  requested_at: Date;
  dpo_approved_by: string | null;
  dpo_approved_at: Date | null;
  second_approved_by: string | null;
  second_approved_at: Date | null;
  rejected_by: string | null;
  rejected_at: Date | null;
  completed_at: Date | null;
}

const SELECT = `SELECT e.*, p.ref AS person_ref, u.display_name AS requested_by_name
  FROM erasure_requests e JOIN persons p ON p.id = e.person_id LEFT JOIN users u ON u.id = e.requested_by`;

const iso = (d: Date | null) => d?.toISOString() ?? null;

function view(r: Row, reasons?: { reason: string | null; rejection: string | null; shredded: boolean }) {
  return {
    id: r.id,
    personId: r.person_id,
    personRef: r.person_ref,
    ownerAgencyId: r.owner_agency_id,
    status: r.status,
    requestedBy: r.requested_by,
    requestedByName: r.requested_by_name,
    requestedAt: r.requested_at.toISOString(),
    dpoApprovedBy: r.dpo_approved_by,
    dpoApprovedAt: iso(r.dpo_approved_at),
    secondApprovedBy: r.second_approved_by,
    secondApprovedAt: iso(r.second_approved_at),
    rejectedBy: r.rejected_by,
    rejectedAt: iso(r.rejected_at),
    completedAt: iso(r.completed_at),
    reason: reasons?.reason ?? null,
    rejectionReason: reasons?.rejection ?? null,
    reasonShredded: reasons?.shredded ?? r.completed_at !== null,
  } satisfies ErasureRequestView;
}

/** The agencies whose persons the actor may act on with this permission: all, or a list. */
function scopeOf(actor: Actor, permission: 'erasure.request' | 'erasure.approve') {
  const scope = permissionScope(actor.memberships, permission);
  return { all: scope.all, agencyIds: scope.all ? [] : scope.agencyIds };
}

const IN_SCOPE = `${SELECT} WHERE e.id = $1 AND ($2::boolean OR e.owner_agency_id = ANY($3::uuid[]))`;
const IN_SCOPE_FOR_UPDATE = `${IN_SCOPE} FOR UPDATE OF e`;

/** One approval, in the DPO's slot or the second approver's; the request is approved when both are filled. */
const APPROVE_REST = `status = CASE WHEN $4 THEN 'approved' ELSE status END,
  completed_at = CASE WHEN $4 THEN $3 ELSE completed_at END, version = version + 1 WHERE id = $1`;
const APPROVE = {
  dpo: `UPDATE erasure_requests SET dpo_approved_by = $2, dpo_approved_at = $3, ${APPROVE_REST}`,
  second: `UPDATE erasure_requests SET second_approved_by = $2, second_approved_at = $3, ${APPROVE_REST}`,
} as const;

async function requestInScope(tx: Tx, actor: Actor, id: string, forUpdate: boolean): Promise<Row> {
  const scope = scopeOf(actor, 'erasure.approve');
  const { rows } = await tx.query<Row>(forUpdate ? IN_SCOPE_FOR_UPDATE : IN_SCOPE, [
    id,
    scope.all,
    scope.agencyIds,
  ]);
  if (!rows[0]) throw new AppError('not_found');
  return rows[0];
}

export async function requestErasure(
  deps: AppDeps,
  ctx: RequestContext,
  personId: string,
  body: z.infer<typeof ErasureRequestCreate>,
) {
  const actor = requireActor(ctx);
  const scope = scopeOf(actor, 'erasure.request');
  const now = ctx.now();
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const { rows } = await tx.query<{ id: string; owner_agency_id: string; erased_at: Date | null }>(
        `SELECT id, owner_agency_id, erased_at FROM persons
          WHERE id = $1 AND ($2::boolean OR owner_agency_id = ANY($3::uuid[])) FOR UPDATE`,
        [personId, scope.all, scope.agencyIds],
      );
      const person = rows[0];
      if (!person) throw new AppError('not_found');
      if (person.erased_at) throw new AppError('person_erased');
      const pending = await tx.query(
        "SELECT 1 FROM erasure_requests WHERE person_id = $1 AND status = 'pending'",
        [personId],
      );
      if (pending.rowCount) throw new AppError('erasure_pending');
      // the id as stored (lower case): the reason's envelope is bound to it
      const dek = (await loadPersonKeys(tx, deps.keyring, [person.id])).get(person.id);
      if (!dek) throw new AppError('person_erased');
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO erasure_requests (person_id, owner_agency_id, reason, requested_by, requested_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [
          person.id,
          person.owner_agency_id,
          sealField(dek, person.id, REASON, body.reason),
          actor.userId,
          now,
        ],
      );
      const id = inserted.rows[0]!.id;
      await writeAudit(tx, ctx, {
        action: 'erasure.request',
        entityType: 'erasure_request',
        entityId: id,
        fields: ['person_id', 'reason'],
      });
      return view((await tx.query<Row>(`${SELECT} WHERE e.id = $1`, [id])).rows[0]!);
    },
    { systemPath: 'oversight' },
  );
}

/** The requests of one person, for the person page (no reasons). */
export async function listForPerson(deps: AppDeps, ctx: RequestContext, personId: string) {
  const actor = requireActor(ctx);
  const scope = scopeOf(actor, 'erasure.request');
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const person = await tx.query(
        'SELECT 1 FROM persons WHERE id = $1 AND ($2::boolean OR owner_agency_id = ANY($3::uuid[]))',
        [personId, scope.all, scope.agencyIds],
      );
      if (!person.rowCount) throw new AppError('not_found');
      const { rows } = await tx.query<Row>(`${SELECT} WHERE e.person_id = $1 ORDER BY e.requested_at DESC`, [
        personId,
      ]);
      return rows.map((r) => view(r));
    },
    { systemPath: 'oversight', readOnly: true },
  );
}

/** The DPO's queue: requests by status, oldest first, references only. */
export async function listRequests(deps: AppDeps, ctx: RequestContext, status: ErasureRequestView['status']) {
  const actor = requireActor(ctx);
  const scope = scopeOf(actor, 'erasure.approve');
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const { rows } = await tx.query<Row>(
        `${SELECT} WHERE e.status = $1 AND ($2::boolean OR e.owner_agency_id = ANY($3::uuid[]))
          ORDER BY e.requested_at, e.id LIMIT 500`,
        [status, scope.all, scope.agencyIds],
      );
      return { items: rows.map((r) => view(r)) };
    },
    { systemPath: 'oversight', readOnly: true },
  );
}

async function openReasons(deps: AppDeps, tx: Tx, r: Row) {
  const dek = (await loadPersonKeys(tx, deps.keyring, [r.person_id])).get(r.person_id);
  if (!dek) return { reason: null, rejection: null, shredded: true };
  return {
    reason: openField(dek, r.person_id, REASON, r.reason) as string,
    rejection: r.rejection_reason
      ? (openField(dek, r.person_id, REJECTION, r.rejection_reason) as string)
      : null,
    shredded: false,
  };
}

/** One request with its reasons: an audited read (the reasons may name circumstances). */
export async function getRequest(deps: AppDeps, ctx: RequestContext, id: string) {
  const actor = requireActor(ctx);
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const r = await requestInScope(tx, actor, id, false);
      const reasons = await openReasons(deps, tx, r);
      await writeAudit(tx, ctx, {
        action: 'erasure.read',
        entityType: 'erasure_request',
        entityId: id,
        fields: reasons.shredded ? [] : ['reason', ...(r.rejection_reason ? ['rejection_reason'] : [])],
      });
      return view(r, reasons);
    },
    { systemPath: 'oversight' },
  );
}

const isDpo = (actor: Actor) => actor.memberships.some((m) => m.roles.includes('dpo'));

/**
 * One approval. The DPO's fills the DPO slot, anyone else's (or a second DPO's) the second slot; when both
 * are filled the person is shredded here, in this transaction, and the ledger is appended after commit.
 */
export async function approveRequest(deps: AppDeps, ctx: RequestContext, id: string) {
  const actor = requireActor(ctx);
  const now = ctx.now();
  const outcome = await withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const r = await requestInScope(tx, actor, id, true);
      if (r.status !== 'pending') throw new AppError('erasure_decided');
      if (r.requested_by === actor.userId) throw new AppError('erasure_self_approval');
      if (r.dpo_approved_by === actor.userId || r.second_approved_by === actor.userId)
        throw new AppError('erasure_decided');
      const slot = isDpo(actor) && !r.dpo_approved_by ? 'dpo' : 'second';
      if (slot === 'second' && r.second_approved_by) throw new AppError('erasure_dpo_required');
      const complete = slot === 'dpo' ? r.second_approved_by !== null : r.dpo_approved_by !== null;
      await tx.query(APPROVE[slot], [id, actor.userId, now, complete]);
      await writeAudit(tx, ctx, {
        action: 'erasure.approve',
        entityType: 'erasure_request',
        entityId: id,
        fields: [`${slot}_approved_by`, ...(complete ? ['status', 'completed_at'] : [])],
      });
      const shredded = complete ? await shredPerson(tx, r.person_id, now) : [];
      for (const personId of shredded)
        await writeAudit(tx, ctx, {
          action: 'person.erase',
          entityType: 'person',
          entityId: personId,
          fields: SHRED_FIELDS,
        });
      return { shredded, row: (await tx.query<Row>(`${SELECT} WHERE e.id = $1`, [id])).rows[0]! };
    },
    { systemPath: 'oversight' },
  );
  recordInLedger(deps, ctx, outcome.shredded, now);
  return view(outcome.row);
}

/**
 * After commit: the shredding goes into the ledger outside the database. Should this fail (disk full), the
 * database already shows the erasure and the next start-up or retention run adds it (reconciliation).
 */
export function recordInLedger(
  deps: Pick<AppDeps, 'config'>,
  ctx: RequestContext,
  personIds: string[],
  at: Date,
) {
  try {
    appendLedger(
      deps.config.retention.ledgerFile,
      personIds.map((personId) => ({
        v: 1,
        personId,
        at: at.toISOString(),
        scope: 'person',
        source: 'request',
      })),
    );
  } catch (error) {
    ctx.log.error(
      { code: (error as NodeJS.ErrnoException).code },
      'could not append to the erasure ledger; it is reconciled at the next start or retention run',
    );
  }
}

export async function rejectRequest(deps: AppDeps, ctx: RequestContext, id: string, reason: string) {
  const actor = requireActor(ctx);
  const now = ctx.now();
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const r = await requestInScope(tx, actor, id, true);
      if (r.status !== 'pending') throw new AppError('erasure_decided');
      if (r.requested_by === actor.userId) throw new AppError('erasure_self_approval');
      const dek = (await loadPersonKeys(tx, deps.keyring, [r.person_id])).get(r.person_id);
      if (!dek) throw new AppError('person_erased');
      await tx.query(
        `UPDATE erasure_requests SET status = 'rejected', rejected_by = $2, rejected_at = $3,
                rejection_reason = $4, version = version + 1
          WHERE id = $1`,
        [id, actor.userId, now, sealField(dek, r.person_id, REJECTION, reason)],
      );
      await writeAudit(tx, ctx, {
        action: 'erasure.reject',
        entityType: 'erasure_request',
        entityId: id,
        fields: ['status', 'rejected_by', 'rejection_reason'],
      });
      return view((await tx.query<Row>(`${SELECT} WHERE e.id = $1`, [id])).rows[0]!);
    },
    { systemPath: 'oversight' },
  );
}
