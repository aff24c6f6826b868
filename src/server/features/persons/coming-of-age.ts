import { randomUUID } from 'node:crypto';
import { presumedChild } from '../../../shared/domain/consent.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { systemContext } from '../../platform/system-context.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { purgeMergeSnapshots } from './merge.js';

/**
 * Consent at 18. A person registered as a child (presumed a child when the record was created) who is no
 * longer presumed a child today gets one task, for the case managers of the owning agency, to obtain the
 * person's OWN consent: from that day coveredClasses() no longer counts their guardian's consents
 * (shared/domain/consent.ts). The task is closed when the person's own consent is recorded (consent.ts).
 *
 * The decision uses presumedChild() on the clear birth year (the sealed birth date is not opened by a
 * system job): an exact birth year turns adult on 1 January of the year after the 18th birthday year at
 * the latest, an estimated one two years later, exactly when the ledger starts demanding the person's own
 * consent. Runs daily (main.ts) and at start; idempotent: one consent_at_18 task per person, ever (unique
 * index tasks_consent_at_18_once), so a rerun, a second instance or a crash midway creates no duplicates.
 */

const BATCH = 500;
export const CONSENT_AT_18_ROLE = 'case_manager';

interface Candidate {
  id: string;
  owner_agency_id: string;
  birth_year: number;
  birth_year_estimated: boolean;
  created_at: Date;
}

/** Creates the missing consent-at-18 tasks as of `deps.clock()`; returns how many were created. */
export async function raiseConsentAt18Tasks(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>): Promise<number> {
  const ctx = systemContext(deps, `coming-of-age-${randomUUID()}`);
  const now = ctx.now();
  // coarse bounds in SQL (could be adult now, could have been a child at registration); the rule in code
  const adultFromBirthYear = now.getUTCFullYear() - 19;
  let created = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { batch, made } = await withTx(
      deps.db.pool,
      null,
      async (tx) => {
        const { rows } = await tx.query<Candidate>(
          `SELECT p.id, p.owner_agency_id, p.birth_year, p.birth_year_estimated, p.created_at FROM persons p
            WHERE p.id > $1 AND p.erased_at IS NULL AND p.birth_year IS NOT NULL AND p.birth_year <= $2
              AND p.birth_year >= extract(year FROM (p.created_at AT TIME ZONE 'UTC'))::int - 21
              AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.person_id = p.id AND t.kind = 'consent_at_18')
            ORDER BY p.id LIMIT $3`,
          [after, adultFromBirthYear, BATCH],
        );
        let made = 0;
        for (const p of rows) {
          const wasChild = presumedChild(p.birth_year, p.birth_year_estimated, p.created_at);
          const isChild = presumedChild(p.birth_year, p.birth_year_estimated, now);
          if (!wasChild || isChild) continue;
          const task = await tx.query<{ id: string }>(
            `INSERT INTO tasks (kind, role, agency_id, person_id, created_at)
             VALUES ('consent_at_18', $1, $2, $3, $4)
             ON CONFLICT (person_id) WHERE kind = 'consent_at_18' DO NOTHING RETURNING id`,
            [CONSENT_AT_18_ROLE, p.owner_agency_id, p.id, now],
          );
          if (!task.rows[0]) continue;
          await writeAudit(tx, ctx, {
            action: 'task.create',
            entityType: 'task',
            entityId: task.rows[0].id,
            actorAgencyId: null,
            fields: ['kind', 'person_id'],
          });
          made++;
        }
        return { batch: rows, made };
      },
      { systemPath: 'coming-of-age' },
    );
    created += made;
    if (batch.length < BATCH) return created;
    after = batch[batch.length - 1]!.id;
  }
}

/** Closes the person's open consent-at-18 task once their own consent is recorded (same transaction). */
export async function closeConsentAt18Task(tx: Tx, ctx: RequestContext, personId: string): Promise<void> {
  const actor = requireActor(ctx);
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE tasks SET status = 'done', resolution = 'consent_recorded', resolved_at = $2, resolved_by = $3
      WHERE person_id = $1 AND kind = 'consent_at_18' AND status = 'open' RETURNING id`,
    [personId, ctx.now(), actor.userId],
  );
  for (const r of rows)
    await writeAudit(tx, ctx, {
      action: 'task.resolve',
      entityType: 'task',
      entityId: r.id,
      fields: ['status', 'resolution'],
    });
}

/**
 * Runs the daily jobs now and then every day (consent-at-18 tasks; clearing merge snapshots past their undo
 * period); failures are logged (no personal data) and retried the next day.
 */
export function scheduleComingOfAge(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>): NodeJS.Timeout {
  const run = () =>
    Promise.all([
      raiseConsentAt18Tasks(deps).catch((error: Error) =>
        console.error('Could not raise consent-at-18 tasks:', error.message),
      ),
      purgeMergeSnapshots(deps).catch((error: Error) =>
        console.error('Could not clear expired merge snapshots:', error.message),
      ),
    ]);
  void run();
  const timer = setInterval(run, 24 * 3600_000);
  timer.unref();
  return timer;
}

/** Tasks for the caller's agencies where they are a case manager (other roles: none). */
export async function listAgencyTasks(deps: AppDeps, ctx: RequestContext, status: string) {
  const actor = requireActor(ctx);
  const agencies = actor.memberships
    .filter((m) => m.roles.includes(CONSENT_AT_18_ROLE))
    .map((m) => m.agencyId);
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const { rows } = await tx.query(
        `SELECT t.id, t.kind, t.status, t.created_at, t.resolution, t.person_id, p.ref AS person_ref,
                p.owner_agency_id AS person_agency_id
           FROM tasks t JOIN persons p ON p.id = t.person_id
          WHERE t.role = $1 AND t.agency_id = ANY($2::uuid[]) AND t.status = $3
          ORDER BY t.created_at, t.id LIMIT 500`,
        [CONSENT_AT_18_ROLE, agencies, status],
      );
      return {
        items: rows.map((r) => ({
          id: r.id,
          kind: r.kind,
          status: r.status,
          createdAt: r.created_at.toISOString(),
          personId: r.person_id,
          personRef: r.person_ref,
          personAgencyId: r.person_agency_id,
          relatedPersonRef: null,
          relatedAgencyId: null,
          resolution: r.resolution ?? null,
        })),
      };
    },
    { readOnly: true },
  );
}
