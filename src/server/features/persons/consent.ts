import type { z } from 'zod';
import type { ConsentCreate, ConsentWithdraw, OverrideCreate } from '../../../shared/contracts/persons.js';
import { ageAt, CHILD_ASSENT_FROM_AGE, inForce, presumedChild } from '../../../shared/domain/consent.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { loadPersonKeys, sealField } from '../../platform/crypto/index.js';
import { AppError } from '../../platform/errors.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { closeConsentAt18Task } from './coming-of-age.js';
import { agenciesWith, readAgencies } from './policy.js';
import * as repo from './repo.js';

const OVERRIDE_DAYS = 7;

interface ConsentRow {
  id: string;
  person_id: string;
  purpose: string;
  recipient_agency_id: string | null;
  recipient_type: string | null;
  data_classes: string[];
  given_by: string;
  child_assent: boolean | null;
  evidence: string;
  given_at: Date;
  expires_at: Date | null;
  withdrawn_at: Date | null;
  withdrawn_by: string | null;
}

function consentView(r: ConsentRow, now: Date) {
  return {
    id: r.id,
    personId: r.person_id,
    purpose: r.purpose,
    recipientAgencyId: r.recipient_agency_id,
    recipientType: r.recipient_type,
    dataClasses: r.data_classes,
    givenBy: r.given_by,
    childAssent: r.child_assent,
    evidence: r.evidence,
    givenAt: r.given_at.toISOString(),
    expiresAt: r.expires_at?.toISOString() ?? null,
    withdrawnAt: r.withdrawn_at?.toISOString() ?? null,
    withdrawnBy: r.withdrawn_by,
    inForce: inForce({ givenAt: r.given_at, expiresAt: r.expires_at, withdrawnAt: r.withdrawn_at }, now),
  } as never;
}

/** The person, in scope, owned by an agency where the actor holds `permission`; else not found / forbidden. */
async function ownedPerson(
  tx: Tx,
  ctx: RequestContext,
  personId: string,
  permission: 'consent.read' | 'consent.manage' | 'consent.override',
) {
  const actor = requireActor(ctx);
  const row = await repo.findInScope(
    tx,
    readAgencies(actor),
    ctx.now(),
    personId,
    permission !== 'consent.read',
  );
  if (!row) throw new AppError('not_found');
  if (!agenciesWith(actor, permission).includes(row.owner_agency_id)) throw new AppError('forbidden');
  return row;
}

export async function listConsents(deps: AppDeps, ctx: RequestContext, personId: string) {
  return withTx(deps.db.pool, ctx.actor, async (tx) => {
    await ownedPerson(tx, ctx, personId, 'consent.read');
    const { rows } = await tx.query<ConsentRow>(
      'SELECT * FROM consents WHERE person_id = $1 ORDER BY given_at DESC, id',
      [personId],
    );
    return rows.map((r) => consentView(r, ctx.now()));
  });
}

export async function giveConsent(
  deps: AppDeps,
  ctx: RequestContext,
  personId: string,
  body: z.infer<typeof ConsentCreate>,
) {
  const actor = requireActor(ctx);
  const now = ctx.now();
  return withTx(deps.db.pool, actor, async (tx) => {
    const person = await ownedPerson(tx, ctx, personId, 'consent.manage');
    const givenAt = new Date(body.givenAt);
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    const child = presumedChild(person.birth_year, person.birth_year_estimated, now);
    const assentAge = person.birth_year !== null && ageAt(person.birth_year, now) >= CHILD_ASSENT_FROM_AGE;
    const problems = [
      child && body.givenBy !== 'guardian',
      !child && body.givenBy !== 'person',
      child && assentAge && typeof body.childAssent !== 'boolean',
      !child && body.childAssent != null,
      givenAt > now,
      expiresAt !== null && expiresAt <= givenAt,
      (body.purpose === 'referral' || body.purpose === 'law_enforcement') &&
        !body.recipientAgencyId &&
        !body.recipientType,
    ];
    if (problems.some(Boolean)) throw new AppError('consent_invalid');
    if (body.recipientAgencyId) {
      const exists = await tx.query('SELECT 1 FROM agencies WHERE id = $1 AND active FOR SHARE', [
        body.recipientAgencyId,
      ]);
      if (!exists.rowCount) throw new AppError('consent_invalid');
    }
    const { rows } = await tx.query<ConsentRow>(
      `INSERT INTO consents (person_id, purpose, recipient_agency_id, recipient_type, data_classes, given_by, child_assent,
         evidence, given_at, expires_at, recorded_by, recorded_agency_id, owner_agency_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) RETURNING *`,
      [
        personId,
        body.purpose,
        body.recipientAgencyId ?? null,
        body.recipientType ?? null,
        body.dataClasses,
        body.givenBy,
        body.childAssent ?? null,
        body.evidence,
        givenAt,
        expiresAt,
        actor.userId,
        person.owner_agency_id,
        now,
      ],
    );
    const c = rows[0]!;
    await writeAudit(tx, ctx, {
      action: 'consent.give',
      entityType: 'consent',
      entityId: c.id,
      fields: [
        'purpose',
        'recipient',
        'data_classes',
        'given_by',
        'evidence',
        'given_at',
        ...(expiresAt ? ['expires_at'] : []),
      ],
    });
    if (body.givenBy === 'person') await closeConsentAt18Task(tx, ctx, personId);
    return consentView(c, now);
  });
}

/** Withdrawal takes effect at once: the recipient's next request no longer finds the person. */
export async function withdrawConsent(
  deps: AppDeps,
  ctx: RequestContext,
  personId: string,
  consentId: string,
  body: z.infer<typeof ConsentWithdraw>,
) {
  const now = ctx.now();
  return withTx(deps.db.pool, ctx.actor, async (tx) => {
    await ownedPerson(tx, ctx, personId, 'consent.manage');
    const { rows } = await tx.query<ConsentRow>(
      `UPDATE consents SET withdrawn_at = $3, withdrawn_by = $4, version = version + 1
        WHERE id = $1 AND person_id = $2 AND withdrawn_at IS NULL RETURNING *`,
      [consentId, personId, now, body.withdrawnBy],
    );
    if (!rows[0]) throw new AppError('not_found');
    await writeAudit(tx, ctx, {
      action: 'consent.withdraw',
      entityType: 'consent',
      entityId: consentId,
      fields: ['withdrawn_at', 'withdrawn_by'],
    });
    return consentView(rows[0], now);
  });
}

interface OverrideRow {
  id: string;
  person_id: string;
  purpose: string;
  recipient_agency_id: string;
  data_classes: string[];
  status: string;
  requested_by: string;
  requested_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  expires_at: Date;
}

function overrideView(r: OverrideRow) {
  return {
    id: r.id,
    personId: r.person_id,
    purpose: r.purpose,
    recipientAgencyId: r.recipient_agency_id,
    dataClasses: r.data_classes,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at.toISOString(),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at?.toISOString() ?? null,
    expiresAt: r.expires_at.toISOString(),
  } as never;
}

/** A disclosure without consent, step one: a holder of consent.override asks, with a reason (sealed). */
export async function requestOverride(
  deps: AppDeps,
  ctx: RequestContext,
  personId: string,
  body: z.infer<typeof OverrideCreate>,
) {
  const actor = requireActor(ctx);
  const now = ctx.now();
  return withTx(deps.db.pool, actor, async (tx) => {
    await ownedPerson(tx, ctx, personId, 'consent.override');
    const dek = (await loadPersonKeys(tx, deps.keyring, [personId])).get(personId);
    if (!dek) throw new AppError('forbidden');
    const exists = await tx.query('SELECT 1 FROM agencies WHERE id = $1 AND active FOR SHARE', [
      body.recipientAgencyId,
    ]);
    if (!exists.rowCount) throw new AppError('consent_invalid');
    const reason = sealField(dek, personId, 'consent_overrides.reason', body.reason).toString('base64');
    const { rows } = await tx.query<OverrideRow>(
      `INSERT INTO consent_overrides (person_id, purpose, recipient_agency_id, data_classes, reason, requested_by,
         requested_at, status, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) RETURNING *`,
      [
        personId,
        body.purpose,
        body.recipientAgencyId,
        body.dataClasses,
        reason,
        actor.userId,
        now,
        new Date(now.getTime() + OVERRIDE_DAYS * 86400_000),
      ],
    );
    await writeAudit(tx, ctx, {
      action: 'consent.override_request',
      entityType: 'consent_override',
      entityId: rows[0]!.id,
      fields: ['purpose', 'recipient', 'data_classes', 'reason'],
    });
    return overrideView(rows[0]!);
  });
}

/** Step two: a different person holding consent.override in the owning agency decides; the DPO is alerted. */
export async function decideOverride(
  deps: AppDeps,
  ctx: RequestContext,
  personId: string,
  overrideId: string,
  decision: 'approve' | 'reject',
) {
  const actor = requireActor(ctx);
  const now = ctx.now();
  return withTx(deps.db.pool, actor, async (tx) => {
    const person = await ownedPerson(tx, ctx, personId, 'consent.override');
    const { rows } = await tx.query(
      "SELECT * FROM consent_overrides WHERE id = $1 AND person_id = $2 AND status = 'pending' AND expires_at > $3 FOR UPDATE",
      [overrideId, personId, now],
    );
    const o = rows[0];
    if (!o) throw new AppError('not_found');
    if (o.requested_by === actor.userId) throw new AppError('forbidden');
    const status = decision === 'approve' ? 'approved' : 'rejected';
    const updated = await tx.query<OverrideRow>(
      `UPDATE consent_overrides SET status = $2, decided_by = $3, decided_at = $4,
              expires_at = CASE WHEN $2 = 'approved' THEN $5 ELSE expires_at END
        WHERE id = $1 RETURNING *`,
      [overrideId, status, actor.userId, now, new Date(now.getTime() + OVERRIDE_DAYS * 86400_000)],
    );
    if (status === 'approved') {
      await tx.query(
        "INSERT INTO alerts (kind, user_id, agency_id, person_id, created_at) VALUES ('consent_override', $1, $2, $3, $4)",
        [actor.userId, person.owner_agency_id, personId, now],
      );
    }
    await writeAudit(tx, ctx, {
      action: `consent.override_${decision}`,
      entityType: 'consent_override',
      entityId: overrideId,
      fields: ['status'],
    });
    return overrideView(updated.rows[0]!);
  });
}

export async function listOverrides(deps: AppDeps, ctx: RequestContext, personId: string) {
  return withTx(deps.db.pool, ctx.actor, async (tx) => {
    await ownedPerson(tx, ctx, personId, 'consent.read');
    const { rows } = await tx.query<OverrideRow>(
      'SELECT * FROM consent_overrides WHERE person_id = $1 ORDER BY requested_at DESC',
      [personId],
    );
    return rows.map(overrideView);
  });
}
