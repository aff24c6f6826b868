import { type FieldClass, IDENTIFYING_CLASSES } from '../../../shared/domain/fields.js';
import { FILE_KIND_CLASS, type FileKind } from '../../../shared/domain/files.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { CommitThenThrow, type Tx } from '../../platform/tx.js';

/**
 * The bulk-access brake (G22). Every read of a person's identifying data counts: reveals of identity or
 * contact, histories with their previous values, downloads of files of those classes. Past
 * `bulkRevealsPerHour` distinct persons in the last hour, a read of one more person needs a recent
 * step-up: it is refused (audited as denied) and the DPO is alerted. Persons already read in the window
 * stay readable, so a caseworker is never stopped in the middle of one case.
 */

const WINDOW_MS = 3600_000;
const STEP_UP_FRESH_MS = 5 * 60_000;
const IDENTIFYING_KINDS = (Object.keys(FILE_KIND_CLASS) as FileKind[]).filter((k) =>
  IDENTIFYING_CLASSES.includes(FILE_KIND_CLASS[k]),
);

/** The audit actions of identifying reads; the fields say which classes (or file kinds) were read. */
const DISTINCT_PERSONS_READ = `SELECT DISTINCT entity_id FROM audit_events
  WHERE actor_user_id = $1 AND at >= $2 AND outcome = 'success'
    AND action IN ('person.reveal', 'person.file.read', 'person.history.read')
    AND ((action IN ('person.reveal', 'person.history.read') AND fields && $3::text[])
      OR (action = 'person.file.read' AND fields && $4::text[]))`;

/** Whether a read of these classes (or of a file of this kind) reads identifying data. */
export function identifying(read: { classes?: readonly FieldClass[]; fileKind?: FileKind }): boolean {
  return (
    (read.classes ?? []).some((c) => IDENTIFYING_CLASSES.includes(c)) ||
    (read.fileKind !== undefined && IDENTIFYING_KINDS.includes(read.fileKind))
  );
}

/**
 * Checks the brake before an identifying read of `person`. Past the limit, the denied read is audited and
 * the DPO alerted in `tx`, which commits, and the request is refused with reauth_required.
 */
export async function brake(
  deps: Pick<AppDeps, 'config'>,
  tx: Tx,
  ctx: RequestContext,
  person: { id: string; owner_agency_id: string },
  denied: { action: string; fields: readonly string[] },
): Promise<void> {
  const actor = requireActor(ctx);
  const now = ctx.now();
  if (now.getTime() - actor.authenticatedAt.getTime() <= STEP_UP_FRESH_MS) return;
  const { rows } = await tx.query<{ entity_id: string }>(DISTINCT_PERSONS_READ, [
    actor.userId,
    new Date(now.getTime() - WINDOW_MS),
    IDENTIFYING_CLASSES,
    IDENTIFYING_KINDS,
  ]);
  const seen = new Set(rows.map((r) => r.entity_id));
  if (seen.has(person.id) || seen.size < deps.config.bulkRevealsPerHour) return;
  await tx.query(
    "INSERT INTO alerts (kind, user_id, agency_id, person_id, created_at) VALUES ('bulk_access', $1, $2, $3, $4)",
    [actor.userId, person.owner_agency_id, person.id, now],
  );
  await writeAudit(tx, ctx, {
    action: denied.action,
    outcome: 'denied',
    entityType: 'person',
    entityId: person.id,
    fields: denied.fields,
  });
  throw new CommitThenThrow(new AppError('reauth_required'));
}
