import type { z } from 'zod';
import { AuditEventView, type AuditPage, type AuditQuery } from '../../../shared/contracts/audit.js';
import { permissionScope } from '../../../shared/domain/access.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { withTx } from '../../platform/tx.js';
import { selectEvents } from './repo.js';

const FILTERS = [
  'action',
  'actorUserId',
  'entityType',
  'entityId',
  'outcome',
  'from',
  'to',
  'before',
] as const;

/**
 * Reads one page of the audit trail. Reading it is itself audited, in the same transaction, with the names
 * of the filters used (never their values). Each row is checked against the contract before it leaves.
 */
export async function readAudit(
  deps: Pick<AppDeps, 'db'>,
  ctx: RequestContext,
  query: z.infer<typeof AuditQuery>,
): Promise<z.infer<typeof AuditPage>> {
  const actor = requireActor(ctx);
  const scope = permissionScope(actor.memberships, 'audit.read');
  return withTx(deps.db.pool, actor, async (tx) => {
    const rows = await selectEvents(tx, scope, query, query.limit + 1);
    const items = rows.slice(0, query.limit).map((row) => AuditEventView.parse(row));
    const nextBefore = rows.length > query.limit ? items[items.length - 1]!.seq : null;
    await writeAudit(tx, ctx, {
      action: 'audit.read',
      entityType: 'audit',
      fields: FILTERS.filter((f) => query[f] !== undefined && query[f] !== ''),
    });
    return { items, nextBefore };
  });
}
