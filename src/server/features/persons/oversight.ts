import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { withTx } from '../../platform/tx.js';

/**
 * National oversight without identities: the coordinator's duplicate-review queue and the DPO's alerts
 * show pseudonymous references and agencies, never names. These are the explicitly named cross-agency
 * reads (permissions duplicate.review and alert.read, held with scope `all`).
 */
const TASK_COLUMNS = `t.id, t.kind, t.status, t.created_at, t.resolution, p.ref AS person_ref, p.owner_agency_id AS person_agency_id,
  r.ref AS related_ref, r.owner_agency_id AS related_agency_id`;
const TASK_FROM = `FROM tasks t LEFT JOIN persons p ON p.id = t.person_id LEFT JOIN persons r ON r.id = t.related_person_id`;

interface TaskRow {
  id: string;
  kind: string;
  status: string;
  created_at: Date;
  resolution: string | null;
  person_ref: string | null;
  person_agency_id: string | null;
  related_ref: string | null;
  related_agency_id: string | null;
}

function taskView(r: TaskRow) {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    createdAt: r.created_at.toISOString(),
    personRef: r.person_ref ?? null,
    personAgencyId: r.person_agency_id ?? null,
    relatedPersonRef: r.related_ref ?? null,
    relatedAgencyId: r.related_agency_id ?? null,
    resolution: r.resolution ?? null,
  } as never;
}

export async function listTasks(
  deps: AppDeps,
  ctx: RequestContext,
  kind: string | undefined,
  status: string,
) {
  // persons rows of every agency are needed for their references: the system path, reading refs only.
  return withTx(
    deps.db.pool,
    ctx.actor,
    async (tx) => {
      const { rows } = await tx.query<TaskRow>(
        `SELECT ${TASK_COLUMNS} ${TASK_FROM}
          WHERE t.role = 'national_coordinator' AND t.status = $1 AND ($2::text IS NULL OR t.kind = $2)
          ORDER BY t.created_at, t.id LIMIT 500`,
        [status, kind ?? null],
      );
      return { items: rows.map(taskView) };
    },
    { systemPath: 'oversight' },
  );
}

export async function resolveTask(deps: AppDeps, ctx: RequestContext, id: string, resolution: string) {
  const actor = requireActor(ctx);
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const { rowCount } = await tx.query(
        `UPDATE tasks SET status = 'done', resolution = $2, resolved_at = $3, resolved_by = $4
          WHERE id = $1 AND status = 'open' AND role = 'national_coordinator'`,
        [id, resolution, ctx.now(), actor.userId],
      );
      if (!rowCount) throw new AppError('not_found');
      await writeAudit(tx, ctx, {
        action: 'task.resolve',
        entityType: 'task',
        entityId: id,
        fields: ['status', 'resolution'],
      });
      const { rows } = await tx.query<TaskRow>(`SELECT ${TASK_COLUMNS} ${TASK_FROM} WHERE t.id = $1`, [id]);
      return taskView(rows[0]!);
    },
    { systemPath: 'oversight' },
  );
}

interface AlertRow {
  id: string;
  kind: string;
  user_id: string;
  username: string | null;
  agency_id: string;
  person_ref: string | null;
  created_at: Date;
  acknowledged_at: Date | null;
}

function alertView(r: AlertRow) {
  return {
    id: r.id,
    kind: r.kind,
    userId: r.user_id,
    username: r.username ?? null,
    agencyId: r.agency_id,
    personRef: r.person_ref ?? null,
    createdAt: r.created_at.toISOString(),
    acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
  } as never;
}
const ALERT_SELECT = `SELECT a.*, u.username, p.ref AS person_ref FROM alerts a
  LEFT JOIN users u ON u.id = a.user_id LEFT JOIN persons p ON p.id = a.person_id`;

export async function listAlerts(deps: AppDeps, ctx: RequestContext, open: boolean) {
  return withTx(
    deps.db.pool,
    ctx.actor,
    async (tx) => {
      const { rows } = await tx.query<AlertRow>(
        `${ALERT_SELECT} WHERE (a.acknowledged_at IS NULL) = $1 ORDER BY a.created_at DESC LIMIT 500`,
        [open],
      );
      return { items: rows.map(alertView) };
    },
    { systemPath: 'oversight' },
  );
}

export async function acknowledgeAlert(deps: AppDeps, ctx: RequestContext, id: string) {
  const actor = requireActor(ctx);
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const { rowCount } = await tx.query(
        'UPDATE alerts SET acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1 AND acknowledged_at IS NULL',
        [id, ctx.now(), actor.userId],
      );
      if (!rowCount) throw new AppError('not_found');
      await writeAudit(tx, ctx, {
        action: 'alert.acknowledge',
        entityType: 'alert',
        entityId: id,
        fields: ['acknowledged_at'],
      });
      const { rows } = await tx.query<AlertRow>(`${ALERT_SELECT} WHERE a.id = $1`, [id]);
      return alertView(rows[0]!);
    },
    { systemPath: 'oversight' },
  );
}
