import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { RequestContext } from './context.js';
import { markIdempotencyCommitted } from './idempotency-claims.js';
import type { Tx } from './tx.js';

export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditInput {
  action: string;
  outcome?: AuditOutcome;
  entityType?: string | null;
  entityId?: string | null;
  /** Names of the fields that changed or were read: never their values. */
  fields?: readonly string[];
  /** Overrides the actor (e.g. a sign-in before any session exists). */
  actorUserId?: string | null;
  actorAgencyId?: string | null;
  actorRole?: string | null;
}

export interface AuditRow {
  seq: number;
  at: Date;
  actorUserId: string | null;
  actorAgencyId: string | null;
  actorRole: string | null;
  action: string;
  outcome: AuditOutcome;
  entityType: string | null;
  entityId: string | null;
  fields: string[];
  requestId: string | null;
}

export const GENESIS_HASH = Buffer.alloc(32);

/** The canonical bytes hashed for one event: the previous hash, then the event as a JSON array. */
export function eventHash(prevHash: Buffer, row: AuditRow): Buffer {
  const canonical = JSON.stringify([
    row.seq,
    row.at.toISOString(),
    row.actorUserId,
    row.actorAgencyId,
    row.actorRole,
    row.action,
    row.outcome,
    row.entityType,
    row.entityId,
    row.fields,
    row.requestId,
  ]);
  return createHash('sha256').update(prevHash).update(canonical, 'utf8').digest();
}

/** Audit text never carries line breaks or control characters (log injection). */
function clean(value: string | null | undefined, max = 200): string | null {
  if (value === null || value === undefined) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, max);
}

/**
 * Appends one event to the hash chain inside the caller's transaction: if the business change rolls back,
 * so does its audit event, and a change can never commit without one. Locking the chain head orders
 * concurrent writers, so sequence numbers have no gaps and each event hashes its predecessor.
 */
export async function writeAudit(tx: Tx, ctx: RequestContext, input: AuditInput): Promise<AuditRow> {
  if (ctx.idempotencyClaim && (input.outcome ?? 'success') === 'success')
    await markIdempotencyCommitted(tx, ctx.idempotencyClaim);
  const head = await tx.query<{ seq: number; hash: Buffer }>(
    'UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash',
  );
  const { seq, hash: prevHash } = head.rows[0]!;
  const firstMembership = ctx.actor?.memberships[0];
  const row: AuditRow = {
    seq,
    at: ctx.now(),
    actorUserId: input.actorUserId !== undefined ? input.actorUserId : (ctx.actor?.userId ?? null),
    actorAgencyId:
      input.actorAgencyId !== undefined ? input.actorAgencyId : (firstMembership?.agencyId ?? null),
    actorRole: clean(
      input.actorRole !== undefined ? input.actorRole : (firstMembership?.roles.join(',') ?? null),
    ),
    action: clean(input.action, 80)!,
    outcome: input.outcome ?? 'success',
    entityType: clean(input.entityType, 40),
    entityId: clean(input.entityId, 80),
    fields: (input.fields ?? []).map((f) => clean(f, 80)!),
    requestId: clean(ctx.requestId, 80),
  };
  const hash = eventHash(prevHash, row);
  await tx.query(
    `INSERT INTO audit_events (seq, at, actor_user_id, actor_agency_id, actor_role, action, outcome, entity_type,
       entity_id, fields, request_id, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      row.seq,
      row.at,
      row.actorUserId,
      row.actorAgencyId,
      row.actorRole,
      row.action,
      row.outcome,
      row.entityType,
      row.entityId,
      row.fields,
      row.requestId,
      prevHash,
      hash,
    ],
  );
  await tx.query('UPDATE audit_head SET hash = $1 WHERE id = 1', [hash]);
  return row;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The first event whose link is broken, and why. */
  firstBroken?: { seq: number; reason: string };
}

/** Walks the whole chain in order, in batches, recomputing every hash. */
export async function verifyAuditChain(client: pg.Pool | pg.PoolClient, batch = 5000): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const { rows } = await client.query(
      `SELECT seq, at, actor_user_id, actor_agency_id, actor_role, action, outcome, entity_type, entity_id, fields,
              request_id, prev_hash, hash
         FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2`,
      [expectedSeq, batch],
    );
    for (const r of rows) {
      const row: AuditRow = {
        seq: Number(r.seq),
        at: r.at,
        actorUserId: r.actor_user_id,
        actorAgencyId: r.actor_agency_id,
        actorRole: r.actor_role,
        action: r.action,
        outcome: r.outcome,
        entityType: r.entity_type,
        entityId: r.entity_id,
        fields: r.fields,
        requestId: r.request_id,
      };
      if (row.seq !== expectedSeq)
        return {
          ok: false,
          checked,
          firstBroken: { seq: expectedSeq, reason: `event ${expectedSeq} is missing` },
        };
      if (!prev.equals(r.prev_hash))
        return {
          ok: false,
          checked,
          firstBroken: { seq: row.seq, reason: 'previous-hash link does not match' },
        };
      if (!eventHash(prev, row).equals(r.hash))
        return {
          ok: false,
          checked,
          firstBroken: { seq: row.seq, reason: 'content does not match its hash' },
        };
      prev = r.hash;
      expectedSeq++;
      checked++;
    }
    if (rows.length < batch) break;
  }
  const head = await client.query<{ seq: number; hash: Buffer }>(
    'SELECT seq, hash FROM audit_head WHERE id = 1',
  );
  const h = head.rows[0];
  if (!h || Number(h.seq) !== expectedSeq - 1 || !h.hash.equals(prev))
    return {
      ok: false,
      checked,
      firstBroken: {
        seq: expectedSeq,
        reason: 'the chain ends before the recorded head (events removed at the end)',
      },
    };
  return { ok: true, checked };
}
