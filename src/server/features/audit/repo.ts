import type { z } from 'zod';
import type { AuditEventView, AuditQuery } from '../../../shared/contracts/audit.js';
import type { Tx } from '../../platform/tx.js';
import type { AgencyScope } from '../agencies/index.js';

interface EventRow {
  seq: number;
  at: Date;
  actor_user_id: string | null;
  actor_username: string | null;
  actor_agency_id: string | null;
  actor_role: string | null;
  action: string;
  outcome: AuditEventView['outcome'];
  entity_type: string | null;
  entity_id: string | null;
  fields: string[];
  request_id: string | null;
}

/**
 * One page of the audit trail, newest first, strictly before `before` (keyset paging on the sequence
 * number). `$1`/`$2` are the scope predicate: every agency, or events whose actor acted for one of these.
 * An `action` ending in "." matches every action with that prefix ("user." finds all user events).
 */
export async function selectEvents(
  tx: Tx,
  scope: AgencyScope,
  query: z.infer<typeof AuditQuery>,
  limit: number,
): Promise<AuditEventView[]> {
  const { rows } = await tx.query<EventRow>(
    `SELECT e.seq, e.at, e.actor_user_id, u.username AS actor_username, e.actor_agency_id, e.actor_role, e.action,
            e.outcome, e.entity_type, e.entity_id, e.fields, e.request_id
       FROM audit_events e
       LEFT JOIN users u ON u.id = e.actor_user_id
      WHERE ($1::boolean OR e.actor_agency_id = ANY($2::uuid[]))
        AND ($3::text IS NULL OR e.action = $3 OR (right($3, 1) = '.' AND left(e.action, length($3)) = $3))
        AND ($4::uuid IS NULL OR e.actor_user_id = $4)
        AND ($5::text IS NULL OR e.entity_type = $5)
        AND ($6::text IS NULL OR e.entity_id = $6)
        AND ($7::text IS NULL OR e.outcome = $7)
        AND ($8::timestamptz IS NULL OR e.at >= $8)
        AND ($9::timestamptz IS NULL OR e.at <= $9)
        AND ($10::bigint IS NULL OR e.seq < $10)
      ORDER BY e.seq DESC
      LIMIT $11`,
    [
      scope.all,
      scope.all ? [] : scope.agencyIds,
      query.action || null,
      query.actorUserId ?? null,
      query.entityType || null,
      query.entityId || null,
      query.outcome ?? null,
      query.from ?? null,
      query.to ?? null,
      query.before ?? null,
      limit,
    ],
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actorUserId: r.actor_user_id,
    actorUsername: r.actor_username,
    actorAgencyId: r.actor_agency_id,
    actorRole: r.actor_role,
    action: r.action,
    outcome: r.outcome,
    entityType: r.entity_type,
    entityId: r.entity_id,
    fields: r.fields,
    requestId: r.request_id,
  }));
}
