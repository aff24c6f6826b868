import { FIELD_CLASSES, type FieldClass } from '../../../shared/domain/fields.js';
import type { AppDeps } from '../../app.js';
import type { RetentionOutcome } from '../../config/retention.js';
import { writeAudit } from '../../platform/audit.js';
import type { RequestContext } from '../../platform/context.js';
import { type Tx, withTx } from '../../platform/tx.js';
import {
  appendLedger,
  clearClasses,
  type LedgerEntry,
  type ReapplyResult,
  reapplyErasureLedger,
  SHRED_FIELDS,
  shredPerson,
} from './erasure-ledger.js';
import { removeStored } from './file-store.js';
import * as repo from './repo.js';

/**
 * The retention job (G24, GDPR Art. 5(1)(e)). For every person not yet erased it takes the last activity
 * (the record's last change, a consent given or withdrawn, an override asked or decided) and the outcome
 * (`personOutcome`), and applies the schedule: a class whose period has run out is cleared; when every class
 * has run out the person is crypto-shredded (data key destroyed, search tokens deleted), keeping only the
 * statistical variables. Each batch is one transaction on the `retention` system path with its audit events;
 * the ledger outside the database records the result after commit. `dryRun` counts and changes nothing.
 */
export interface RetentionResult {
  dryRun: boolean;
  /** Persons whose last activity is older than the shortest period (looked at closely). */
  examined: number;
  /** Persons crypto-shredded. */
  shredded: number;
  /** Classes cleared on their own (persons not shredded), by class. */
  cleared: Record<FieldClass, number>;
  /** Ledger reconciliation after the run (absent on a dry run). */
  ledger?: ReapplyResult;
  /** Stored files of erased persons removed from disk (absent on a dry run). */
  filesRemoved?: number;
}

const BATCH = 100;
const DAY_MS = 86_400_000;

interface Candidate {
  id: string;
  last_activity: Date;
  [column: string]: unknown;
}

/**
 * The outcome that selects a person's retention periods. Today every person is `inactive` (keyed on the last
 * activity); the cases module returns `case_closed` (with the closure date as the activity) from here.
 */
export function personOutcome(_person: Candidate): RetentionOutcome {
  return 'inactive';
}

const PRESENT = FIELD_CLASSES.map((c) => `p.${repo.CLASS_COLUMN[c]} IS NOT NULL AS has_${c}`).join(', ');
const LAST_ACTIVITY = `greatest(p.created_at, p.updated_at,
    (SELECT max(greatest(c.created_at, c.given_at, c.withdrawn_at)) FROM consents c WHERE c.person_id = p.id),
    (SELECT max(greatest(o.requested_at, o.decided_at)) FROM consent_overrides o WHERE o.person_id = p.id))`;
/** Candidates: not erased, unchanged since before the shortest period ($1); then checked exactly. */
const CANDIDATES = `SELECT p.id FROM persons p WHERE p.erased_at IS NULL AND p.updated_at < $1 ORDER BY p.id`;
const DETAIL = `SELECT p.id, ${LAST_ACTIVITY} AS last_activity, ${PRESENT}
  FROM persons p WHERE p.id = ANY($1::uuid[]) AND p.erased_at IS NULL`;
const DETAIL_FOR_UPDATE = `${DETAIL} FOR UPDATE OF p`;

interface Decision {
  id: string;
  shred: boolean;
  clear: FieldClass[];
  /** After a shred: the person and the records merged into it. */
  shredded?: string[];
}

function decide(deps: Pick<AppDeps, 'config'>, row: Candidate, now: Date): Decision {
  const days = deps.config.retention.schedule[personOutcome(row)];
  const expired = FIELD_CLASSES.filter(
    (c) => row.last_activity.getTime() + days[c] * DAY_MS <= now.getTime(),
  );
  if (expired.length === FIELD_CLASSES.length) return { id: row.id, shred: true, clear: [] };
  return { id: row.id, shred: false, clear: expired.filter((c) => row[`has_${c}`] === true) };
}

async function decisions(deps: Pick<AppDeps, 'config'>, tx: Tx, ids: string[], now: Date, lock: boolean) {
  const { rows } = await tx.query<Candidate>(lock ? DETAIL_FOR_UPDATE : DETAIL, [ids]);
  return rows.map((r) => decide(deps, r, now)).filter((d) => d.shred || d.clear.length > 0);
}

export async function runRetention(
  deps: Pick<AppDeps, 'db' | 'config'>,
  ctx: RequestContext,
  options: { dryRun?: boolean } = {},
): Promise<RetentionResult> {
  const now = ctx.now();
  const dryRun = options.dryRun ?? false;
  const result: RetentionResult = {
    dryRun,
    examined: 0,
    shredded: 0,
    cleared: Object.fromEntries(FIELD_CLASSES.map((c) => [c, 0])) as Record<FieldClass, number>,
  };
  const shortest = Math.min(
    ...Object.values(deps.config.retention.schedule).flatMap((days) => Object.values(days)),
  );
  const ids = await withTx(
    deps.db.pool,
    null,
    async (tx) =>
      (await tx.query<{ id: string }>(CANDIDATES, [new Date(now.getTime() - shortest * DAY_MS)])).rows.map(
        (r) => r.id,
      ),
    { systemPath: 'retention', readOnly: true },
  );
  result.examined = ids.length;
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    if (dryRun) {
      const found = await withTx(deps.db.pool, null, (tx) => decisions(deps, tx, batch, now, false), {
        systemPath: 'retention',
        readOnly: true,
      });
      for (const d of found) {
        if (d.shred) result.shredded++;
        else for (const c of d.clear) result.cleared[c]++;
      }
      continue;
    }
    const done = await withTx(
      deps.db.pool,
      null,
      async (tx) => {
        const found = await decisions(deps, tx, batch, now, true);
        for (const d of found) {
          if (d.shred) {
            d.shredded = await shredPerson(tx, d.id, now);
            for (const id of d.shredded)
              await writeAudit(tx, ctx, {
                action: 'retention.erase',
                entityType: 'person',
                entityId: id,
                fields: SHRED_FIELDS,
              });
          } else {
            await clearClasses(tx, d.id, d.clear);
            await writeAudit(tx, ctx, {
              action: 'retention.clear',
              entityType: 'person',
              entityId: d.id,
              fields: d.clear,
            });
          }
        }
        return found;
      },
      { systemPath: 'retention' },
    );
    const entries: LedgerEntry[] = done.flatMap((d) =>
      (d.shred ? (d.shredded ?? [d.id]) : [d.id]).map((personId) => ({
        v: 1 as const,
        personId,
        at: now.toISOString(),
        scope: d.shred ? ('person' as const) : d.clear,
        source: 'retention' as const,
      })),
    );
    appendLedger(deps.config.retention.ledgerFile, entries);
    for (const d of done) {
      if (d.shred) result.shredded++;
      else for (const c of d.clear) result.cleared[c]++;
    }
  }
  if (!dryRun) {
    result.ledger = await reapplyErasureLedger(deps, ctx);
    result.filesRemoved = await removeErasedFiles(deps, ctx);
  }
  return result;
}

/**
 * The stored files of erased persons: unreadable since their data key was destroyed, now also removed from
 * disk (rows in the same transaction as their audit event, files after commit; a file left behind by a
 * crash between the two is sealed under a key that no longer exists, and the next run finds no row for it).
 */
async function removeErasedFiles(deps: Pick<AppDeps, 'db' | 'config'>, ctx: RequestContext): Promise<number> {
  const names = await withTx(
    deps.db.pool,
    null,
    async (tx) => {
      const { rows } = await tx.query<{ person_id: string; storage_name: string }>(
        `DELETE FROM person_files f USING persons p
          WHERE p.id = f.person_id AND p.erased_at IS NOT NULL
          RETURNING f.person_id, f.storage_name`,
      );
      for (const personId of new Set(rows.map((r) => r.person_id)))
        await writeAudit(tx, ctx, {
          action: 'retention.files_removed',
          entityType: 'person',
          entityId: personId,
          fields: ['files'],
        });
      return rows.map((r) => r.storage_name);
    },
    { systemPath: 'retention' },
  );
  for (const name of names)
    await removeStored(deps.config.filesDir, name).catch((error: unknown) =>
      ctx.log.warn({ err: error }, 'could not remove an erased person’s stored file'),
    );
  return names.length;
}
