import { FIELD_CLASSES, type FieldClass } from '../../../shared/domain/fields.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { loadPersonKeys, openField, sealField } from '../../platform/crypto/index.js';
import { AppError } from '../../platform/errors.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { readAgencies } from './policy.js';
import * as repo from './repo.js';
import { writeNameTokens } from './search/index.js';
import { summaryOf } from './service.js';

/**
 * The national coordinator resolves a duplicate-review task by LINKING the two records (both stay; whoever
 * may see both is shown that they are the same person) or MERGING them: the record the coordinator keeps
 * (the survivor) receives the other's field values (opened and sealed again under the survivor's data key,
 * in memory only), name tokens, consents, overrides and consent-at-18 task; the other becomes a tombstone
 * (`merged_into`) without field values. Both run on the oversight path: the coordinator sees references,
 * never names.
 *
 * A merge can be undone for UNDO_DAYS while the survivor is unchanged since (its version): the snapshot —
 * both records' envelopes as ciphertext, their name tokens, statistical columns and the ids of the rows that
 * moved — is sealed under the survivor's data key in person_merges, and cleared by the daily job after
 * keep_until (purgeMergeSnapshots). Undoing restores both records' field values, tokens and rows exactly.
 */

export const UNDO_DAYS = 90;
const SNAPSHOT_COLUMN = 'person_merges.snapshot';
const ENC_COLUMNS = FIELD_CLASSES.map((c) => repo.CLASS_COLUMN[c]);

interface SideSnapshot {
  enc: Record<string, string | null>;
  tokens: Array<[string, number]>;
  stats: {
    sex: string | null;
    birth_year: number | null;
    birth_year_estimated: boolean;
    citizenships: string[];
    languages: string[];
    interpreter_needed: boolean | null;
  };
}
interface Snapshot {
  survivor: SideSnapshot;
  merged: SideSnapshot;
  consents: Array<[string, string]>;
  overrides: string[];
  tasks: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: whole rows (SELECT *) copied into the sealed snapshot
type Row = Record<string, any>;

/** The open duplicate-review task and its two records (on the oversight path). */
async function openTask(tx: Tx, taskId: string) {
  const { rows } = await tx.query(
    `SELECT id, person_id, related_person_id FROM tasks
      WHERE id = $1 AND kind = 'duplicate_review' AND status = 'open' AND role = 'national_coordinator' FOR UPDATE`,
    [taskId],
  );
  const task = rows[0];
  if (!task?.person_id || !task.related_person_id) throw new AppError('not_found');
  return task as { id: string; person_id: string; related_person_id: string };
}

async function personRow(tx: Tx, id: string): Promise<Row> {
  const { rows } = await tx.query(`SELECT * FROM persons WHERE id = $1 FOR UPDATE`, [id]);
  if (!rows[0]) throw new AppError('not_found');
  return rows[0];
}

async function tokensOf(tx: Tx, id: string): Promise<Array<[string, number]>> {
  const { rows } = await tx.query<{ token: Buffer; kind: number }>(
    'SELECT token, kind FROM person_name_tokens WHERE person_id = $1 ORDER BY token, kind',
    [id],
  );
  return rows.map((r) => [r.token.toString('hex'), r.kind]);
}

function side(row: Row, tokens: Array<[string, number]>): SideSnapshot {
  return {
    enc: Object.fromEntries(
      ENC_COLUMNS.map((c) => [c, row[c] ? (row[c] as Buffer).toString('base64') : null]),
    ),
    tokens,
    stats: {
      sex: row.sex,
      birth_year: row.birth_year,
      birth_year_estimated: row.birth_year_estimated,
      citizenships: row.citizenships,
      languages: row.languages,
      interpreter_needed: row.interpreter_needed,
    },
  };
}

const NOTE_KEYS = new Set(['notes', 'bestInterestsNotes']);

/**
 * One class value from two records: the survivor's wins for single values, lists are united (without
 * repeats), notes are kept both, one after the other.
 */
export function mergeValues(a: unknown, b: unknown, key = ''): unknown {
  if (a === undefined || a === null) return b;
  if (b === undefined || b === null) return a;
  if (Array.isArray(a) && Array.isArray(b)) {
    const seen = new Set(a.map((x) => JSON.stringify(x)));
    return [...a, ...b.filter((x) => !seen.has(JSON.stringify(x)))];
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>))
      out[k] = mergeValues((a as Record<string, unknown>)[k], v, k);
    return out;
  }
  if (typeof a === 'string' && typeof b === 'string' && NOTE_KEYS.has(key) && a !== b)
    return a.trim() === '' ? b : b.trim() === '' ? a : `${a}\n\n${b}`;
  return a;
}

function namesOf(identity: unknown): string[] {
  return ((identity as { names?: Array<{ value: string }> } | undefined)?.names ?? []).map((n) => n.value);
}

function mergeView(r: Row, now: Date) {
  return {
    id: r.id,
    survivorId: r.survivor_id,
    survivorRef: r.survivor_ref,
    survivorAgencyId: r.survivor_agency_id,
    mergedId: r.merged_id,
    mergedRef: r.merged_ref,
    mergedAgencyId: r.merged_agency_id,
    createdAt: r.created_at.toISOString(),
    keepUntil: r.keep_until.toISOString(),
    undoneAt: r.undone_at?.toISOString() ?? null,
    undoable: r.undone_at === null && r.snapshot !== null && r.keep_until > now,
  };
}
const MERGE_SELECT = `SELECT m.*, s.ref AS survivor_ref, s.owner_agency_id AS survivor_agency_id, d.ref AS merged_ref,
  d.owner_agency_id AS merged_agency_id
  FROM person_merges m JOIN persons s ON s.id = m.survivor_id JOIN persons d ON d.id = m.merged_id`;

/** Link: both records stay; the link shows them as the same person to whoever may see both. */
export async function linkDuplicates(deps: AppDeps, ctx: RequestContext, taskId: string) {
  const actor = requireActor(ctx);
  const now = ctx.now();
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const task = await openTask(tx, taskId);
      const a = await personRow(tx, task.person_id);
      const b = await personRow(tx, task.related_person_id);
      if (a.id === b.id || a.merged_into || b.merged_into || a.erased_at || b.erased_at)
        throw new AppError('merge_invalid');
      const [lo, hi] = a.id < b.id ? [a.id, b.id] : [b.id, a.id];
      const link = await tx.query<{ id: string }>(
        `INSERT INTO person_links (person_a, person_b, task_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (person_a, person_b) DO NOTHING RETURNING id`,
        [lo, hi, taskId, actor.userId, now],
      );
      if (link.rows[0])
        await writeAudit(tx, ctx, {
          action: 'person.link',
          entityType: 'person_link',
          entityId: link.rows[0].id,
          fields: ['person_a', 'person_b'],
        });
      await resolveTask(tx, ctx, taskId, 'linked');
      return { taskId, resolution: 'linked' as const };
    },
    { systemPath: 'oversight' },
  );
}

async function resolveTask(tx: Tx, ctx: RequestContext, taskId: string, resolution: string) {
  await tx.query(
    "UPDATE tasks SET status = 'done', resolution = $2, resolved_at = $3, resolved_by = $4 WHERE id = $1",
    [taskId, resolution, ctx.now(), requireActor(ctx).userId],
  );
  await writeAudit(tx, ctx, {
    action: 'task.resolve',
    entityType: 'task',
    entityId: taskId,
    fields: ['status', 'resolution'],
  });
}

/** Merge: `survivor` says which of the task's two records is kept ('record': the new one, 'match': the other). */
export async function mergeDuplicates(
  deps: AppDeps,
  ctx: RequestContext,
  taskId: string,
  survivor: 'record' | 'match',
) {
  const actor = requireActor(ctx);
  const now = ctx.now();
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const task = await openTask(tx, taskId);
      const [sid, mid] =
        survivor === 'record'
          ? [task.person_id, task.related_person_id]
          : [task.related_person_id, task.person_id];
      if (sid === mid) throw new AppError('merge_invalid');
      const s = await personRow(tx, sid);
      const m = await personRow(tx, mid);
      if (s.merged_into || m.merged_into || s.erased_at || m.erased_at) throw new AppError('merge_invalid');
      const keys = await loadPersonKeys(tx, deps.keyring, [sid, mid]);
      const sKey = keys.get(sid);
      const mKey = keys.get(mid);
      if (!sKey || !mKey) throw new AppError('merge_invalid');

      const snapshot: Snapshot = {
        survivor: side(s, await tokensOf(tx, sid)),
        merged: side(m, await tokensOf(tx, mid)),
        consents: (
          await tx.query<{ id: string; owner_agency_id: string }>(
            'SELECT id, owner_agency_id FROM consents WHERE person_id = $1 ORDER BY id',
            [mid],
          )
        ).rows.map((r) => [r.id, r.owner_agency_id]),
        overrides: (
          await tx.query<{ id: string }>(
            'SELECT id FROM consent_overrides WHERE person_id = $1 ORDER BY id',
            [mid],
          )
        ).rows.map((r) => r.id),
        // the person's own tasks (consent at 18), unless the survivor has one already; duplicate reviews
        // stay with the record they were raised for, as history
        tasks: (
          await tx.query<{ id: string }>(
            `SELECT id FROM tasks WHERE person_id = $1 AND kind = 'consent_at_18'
               AND NOT EXISTS (SELECT 1 FROM tasks o WHERE o.person_id = $2 AND o.kind = 'consent_at_18')`,
            [mid, sid],
          )
        ).rows.map((r) => r.id),
      };

      // field values: opened in memory, merged, sealed again under the survivor's key, bound to its id
      const changed: FieldClass[] = [];
      const sealed: Partial<Record<FieldClass, Buffer>> = {};
      let identity: unknown;
      for (const cls of FIELD_CLASSES) {
        const column = repo.CLASS_COLUMN[cls];
        const a = s[column] ? openField(sKey, sid, column, s[column]) : undefined;
        const b = m[column] ? openField(mKey, mid, column, m[column]) : undefined;
        const merged = mergeValues(a, b);
        if (cls === 'identity') identity = merged;
        if (b === undefined || merged === undefined) continue;
        sealed[cls] = sealField(sKey, sid, column, merged);
        changed.push(cls);
      }
      await repo.writeSealed(tx, sid, sealed);
      if (namesOf(identity).length > 0)
        await writeNameTokens(tx, deps.keyring.blindIndex, sid, namesOf(identity));
      await tx.query('DELETE FROM person_name_tokens WHERE person_id = $1', [mid]);
      const union = (x: string[], y: string[]) => [...new Set([...x, ...y])];
      const bumped = await tx.query<{ version: number }>(
        `UPDATE persons SET sex = coalesce(sex, $2), birth_year = coalesce(birth_year, $3),
                birth_year_estimated = CASE WHEN birth_year IS NULL THEN $4 ELSE birth_year_estimated END,
                citizenships = $5, languages = $6, interpreter_needed = coalesce(interpreter_needed, $7),
                updated_at = $8, version = version + 1
          WHERE id = $1 RETURNING version`,
        [
          sid,
          m.sex,
          m.birth_year,
          m.birth_year_estimated,
          union(s.citizenships, m.citizenships),
          union(s.languages, m.languages),
          m.interpreter_needed,
          now,
        ],
      );
      await tx.query(
        `UPDATE persons SET merged_into = $2, ${ENC_COLUMNS.map((c) => `${c} = NULL`).join(', ')},
                updated_at = $3, version = version + 1 WHERE id = $1`,
        [mid, sid, now],
      );
      await tx.query('UPDATE consents SET person_id = $2, owner_agency_id = $3 WHERE person_id = $1', [
        mid,
        sid,
        s.owner_agency_id,
      ]);
      await tx.query('UPDATE consent_overrides SET person_id = $2 WHERE id = ANY($1::uuid[])', [
        snapshot.overrides,
        sid,
      ]);
      await tx.query('UPDATE tasks SET person_id = $2, agency_id = $3 WHERE id = ANY($1::uuid[])', [
        snapshot.tasks,
        sid,
        s.owner_agency_id,
      ]);
      const keepUntil = new Date(now.getTime() + UNDO_DAYS * 86_400_000);
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO person_merges (survivor_id, merged_id, task_id, snapshot, survivor_version, created_by, created_at, keep_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          sid,
          mid,
          taskId,
          sealField(sKey, sid, SNAPSHOT_COLUMN, snapshot),
          bumped.rows[0]!.version,
          actor.userId,
          now,
          keepUntil,
        ],
      );
      const mergeId = rows[0]!.id;
      await writeAudit(tx, ctx, {
        action: 'person.merge',
        entityType: 'person_merge',
        entityId: mergeId,
        fields: [
          'survivor_id',
          'merged_id',
          ...changed,
          'name_tokens',
          'consents',
          'consent_overrides',
          'tasks',
        ],
      });
      await resolveTask(tx, ctx, taskId, 'merged');
      const view = await tx.query(`${MERGE_SELECT} WHERE m.id = $1`, [mergeId]);
      return mergeView(view.rows[0]!, now);
    },
    { systemPath: 'oversight' },
  );
}

/** Undo a merge: both records exactly as before it (field values, tokens, consents, overrides, tasks). */
export async function unmerge(deps: AppDeps, ctx: RequestContext, mergeId: string) {
  const actor = requireActor(ctx);
  const now = ctx.now();
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const found = await tx.query('SELECT * FROM person_merges WHERE id = $1 FOR UPDATE', [mergeId]);
      const merge = found.rows[0];
      if (!merge) throw new AppError('not_found');
      if (merge.undone_at || !merge.snapshot || merge.keep_until <= now) throw new AppError('merge_invalid');
      const s = await personRow(tx, merge.survivor_id);
      const m = await personRow(tx, merge.merged_id);
      // the survivor changed since (an edit, a later merge): undoing would lose that change
      if (s.version !== merge.survivor_version || m.merged_into !== s.id || s.erased_at)
        throw new AppError('merge_invalid');
      const sKey = (await loadPersonKeys(tx, deps.keyring, [s.id])).get(s.id);
      if (!sKey) throw new AppError('merge_invalid');
      const snap = openField<Snapshot>(sKey, s.id, SNAPSHOT_COLUMN, merge.snapshot);
      for (const [id, sideSnap, extra] of [
        [s.id, snap.survivor, 'merged_into'],
        [m.id, snap.merged, 'merged_into'],
      ] as const) {
        await tx.query(
          `UPDATE persons SET ${ENC_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ')}, ${extra} = NULL,
                  sex = $8, birth_year = $9, birth_year_estimated = $10, citizenships = $11, languages = $12,
                  interpreter_needed = $13, updated_at = $14, version = version + 1
            WHERE id = $1`,
          [
            id,
            ...ENC_COLUMNS.map((c) => (sideSnap.enc[c] ? Buffer.from(sideSnap.enc[c]!, 'base64') : null)),
            sideSnap.stats.sex,
            sideSnap.stats.birth_year,
            sideSnap.stats.birth_year_estimated,
            sideSnap.stats.citizenships,
            sideSnap.stats.languages,
            sideSnap.stats.interpreter_needed,
            now,
          ],
        );
        await tx.query('DELETE FROM person_name_tokens WHERE person_id = $1', [id]);
        if (sideSnap.tokens.length > 0)
          await tx.query(
            `INSERT INTO person_name_tokens (token, person_id, kind)
             SELECT decode(t.token, 'hex'), $1::uuid, t.kind FROM unnest($2::text[], $3::int[]) AS t(token, kind)`,
            [id, sideSnap.tokens.map((t) => t[0]), sideSnap.tokens.map((t) => t[1])],
          );
      }
      for (const [id, owner] of snap.consents)
        await tx.query('UPDATE consents SET person_id = $2, owner_agency_id = $3 WHERE id = $1', [
          id,
          m.id,
          owner,
        ]);
      await tx.query('UPDATE consent_overrides SET person_id = $2 WHERE id = ANY($1::uuid[])', [
        snap.overrides,
        m.id,
      ]);
      await tx.query('UPDATE tasks SET person_id = $2, agency_id = $3 WHERE id = ANY($1::uuid[])', [
        snap.tasks,
        m.id,
        m.owner_agency_id,
      ]);
      await tx.query(
        'UPDATE person_merges SET undone_at = $2, undone_by = $3, snapshot = NULL WHERE id = $1',
        [mergeId, now, actor.userId],
      );
      await writeAudit(tx, ctx, {
        action: 'person.unmerge',
        entityType: 'person_merge',
        entityId: mergeId,
        fields: [
          'survivor_id',
          'merged_id',
          ...FIELD_CLASSES,
          'name_tokens',
          'consents',
          'consent_overrides',
          'tasks',
        ],
      });
      const view = await tx.query(`${MERGE_SELECT} WHERE m.id = $1`, [mergeId]);
      return mergeView(view.rows[0]!, now);
    },
    { systemPath: 'oversight' },
  );
}

/** The coordinator's recent merges (references only), for undoing one. */
export async function listMerges(deps: AppDeps, ctx: RequestContext) {
  const now = ctx.now();
  return withTx(
    deps.db.pool,
    ctx.actor,
    async (tx) => {
      const { rows } = await tx.query(`${MERGE_SELECT} ORDER BY m.created_at DESC, m.id LIMIT 200`);
      return { items: rows.map((r) => mergeView(r, now)) };
    },
    { systemPath: 'oversight', readOnly: true },
  );
}

/** Past keep_until a merge is final: the sealed snapshot is cleared (daily job). */
export async function purgeMergeSnapshots(deps: Pick<AppDeps, 'db' | 'clock'>): Promise<number> {
  return withTx(
    deps.db.pool,
    null,
    async (tx) => {
      const { rowCount } = await tx.query(
        'UPDATE person_merges SET snapshot = NULL WHERE snapshot IS NOT NULL AND keep_until <= $1',
        [deps.clock()],
      );
      return rowCount ?? 0;
    },
    { systemPath: 'coming-of-age' },
  );
}

/** Persons linked to this one (same person) that the caller may see; the person itself must be in scope. */
export async function linkedPersons(deps: AppDeps, ctx: RequestContext, personId: string) {
  const actor = requireActor(ctx);
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const agencies = readAgencies(actor);
      if (!(await repo.findInScope(tx, agencies, ctx.now(), personId))) throw new AppError('not_found');
      const { rows } = await tx.query<{ other: string }>(
        `SELECT CASE WHEN person_a = $1 THEN person_b ELSE person_a END AS other FROM person_links
          WHERE person_a = $1 OR person_b = $1`,
        [personId],
      );
      const visible = await repo.filterInScope(
        tx,
        agencies,
        ctx.now(),
        rows.map((r) => r.other),
      );
      return visible.map(summaryOf);
    },
    { readOnly: true },
  );
}
