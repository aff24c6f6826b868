import type { z } from 'zod';
import type { HistoryEntry, PreviousStatistics } from '../../../shared/contracts/person-records.js';
import { FIELD_CLASSES, type FieldClass } from '../../../shared/domain/fields.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { loadPersonKeys, openField, sealField } from '../../platform/crypto/index.js';
import { AppError } from '../../platform/errors.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { brake, identifying } from './brake.js';
import { auditGrantRead } from './break-glass.js';
import * as repo from './repo.js';
import { loadForActor } from './service.js';

/**
 * Rectification history (G25). Before a change of a person's record is written, the previous value of
 * every changed part — the statistical facts, or one field class — is kept in person_versions, sealed
 * under the person's data key like the live fields and bound to person, version and part (so it opens
 * nowhere else, and crypto-shredding the key erases the history too). Who changed what and when is in
 * clear; which values, never. Readers see the parts of the classes they may read, through the same policy.
 */

export type StatField =
  | 'sex'
  | 'birthYear'
  | 'birthYearEstimated'
  | 'citizenships'
  | 'languages'
  | 'interpreterNeeded';
type Part = 'statistics' | FieldClass;
type Entry = z.infer<typeof HistoryEntry>;

/** The associated-data "column" of a kept version: distinct from every live column. */
export const versionColumn = (version: number, part: Part) => `person_versions/${version}/${part}`;

const STAT_VALUE: Record<StatField, (row: repo.PersonRow) => unknown> = {
  sex: (r) => r.sex,
  birthYear: (r) => r.birth_year,
  birthYearEstimated: (r) => r.birth_year_estimated,
  citizenships: (r) => r.citizenships,
  languages: (r) => r.languages,
  interpreterNeeded: (r) => r.interpreter_needed,
};

/**
 * Keeps the values `row` holds now for the parts about to change (called by patchPerson inside its
 * transaction, before it writes, with the row locked). `statColumns` names the changed statistical columns.
 */
export async function keepPreviousVersion(
  tx: Tx,
  ctx: RequestContext,
  row: repo.PersonRow,
  dek: Buffer,
  classes: readonly FieldClass[],
  stats: readonly StatField[],
  statColumns: readonly string[],
): Promise<void> {
  const actor = requireActor(ctx);
  const parts: Array<{ part: Part; fields: readonly string[]; previous: Buffer | null }> = [];
  if (stats.length > 0) {
    const previous = Object.fromEntries(stats.map((f) => [f, STAT_VALUE[f](row)]));
    parts.push({
      part: 'statistics',
      fields: statColumns,
      previous: sealField(dek, row.id, versionColumn(row.version, 'statistics'), previous),
    });
  }
  for (const c of classes) {
    const live = await repo.readSealed(tx, row.id, c);
    const value = live ? openField(dek, row.id, repo.CLASS_COLUMN[c], live) : null;
    parts.push({
      part: c,
      fields: [c],
      previous: value === null ? null : sealField(dek, row.id, versionColumn(row.version, c), value),
    });
  }
  for (const p of parts) {
    await tx.query(
      `INSERT INTO person_versions (person_id, version, part, fields, previous_enc, changed_by, changed_agency_id,
         changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.id, row.version, p.part, p.fields, p.previous, actor.userId, row.owner_agency_id, ctx.now()],
    );
  }
}

interface VersionRow {
  version: number;
  part: Part;
  fields: string[];
  previous_enc: Buffer | null;
  changed_by: string;
  changed_by_name: string | null;
  changed_at: Date;
}

export async function versionRows(tx: Tx, personId: string): Promise<VersionRow[]> {
  const { rows } = await tx.query<VersionRow>(
    `SELECT v.version, v.part, v.fields, v.previous_enc, v.changed_by, u.display_name AS changed_by_name, v.changed_at
       FROM person_versions v LEFT JOIN users u ON u.id = v.changed_by
      WHERE v.person_id = $1 ORDER BY v.version DESC, v.part`,
    [personId],
  );
  return rows;
}

/**
 * Groups kept parts into entries, newest first. `visible` decides which class parts exist for the reader;
 * `open` lists the parts whose previous values are decrypted (needs the data key; none after shredding).
 */
export function historyEntries(
  rows: VersionRow[],
  personId: string,
  dek: Buffer | undefined,
  visible: readonly FieldClass[],
  open: readonly Part[],
): Entry[] {
  const entries = new Map<number, Entry>();
  for (const r of rows) {
    if (r.part !== 'statistics' && !visible.includes(r.part)) continue;
    let entry = entries.get(r.version);
    if (!entry) {
      entry = {
        version: r.version,
        changedAt: r.changed_at.toISOString(),
        changedBy: r.changed_by,
        changedByName: r.changed_by_name,
        fields: [],
        previous: {},
      };
      entries.set(r.version, entry);
    }
    entry.fields.push(...r.fields);
    if (!dek || !open.includes(r.part)) continue;
    const value = r.previous_enc
      ? openField(dek, personId, versionColumn(r.version, r.part), r.previous_enc)
      : null;
    if (value === null) continue;
    if (r.part === 'statistics') entry.previous.statistics = value as z.infer<typeof PreviousStatistics>;
    else (entry.previous as Record<string, unknown>)[r.part] = value;
  }
  for (const e of entries.values()) e.fields.sort((a, b) => order(a) - order(b));
  return [...entries.values()].sort((a, b) => b.version - a.version);
}

const order = (field: string) => {
  const i = (FIELD_CLASSES as readonly string[]).indexOf(field);
  return i < 0 ? -1 : i;
};

/**
 * The history of one person as the caller may see it: every change (who, when, which fields), with the
 * previous statistical facts, and the previous values of the requested classes (which the caller must be
 * able to read: 403 otherwise, like a reveal). Audited as a read, with the revealed classes.
 */
export async function personHistory(
  deps: AppDeps,
  ctx: RequestContext,
  personId: string,
  classes: FieldClass[],
): Promise<{ items: Entry[] }> {
  const actor = requireActor(ctx);
  const read = { action: 'person.history.read', fields: classes };
  return withTx(deps.db.pool, actor, async (tx) => {
    const { row, access, grantId } = await loadForActor(tx, ctx, personId, false, true);
    if (classes.some((c) => !access.readable.includes(c))) throw new AppError('forbidden');
    if (identifying({ classes })) await brake(deps, tx, ctx, row, read);
    const rows = await versionRows(tx, row.id);
    const dek = row.erased_at
      ? undefined
      : (await loadPersonKeys(tx, deps.keyring, [row.id])).get(row.id.toLowerCase());
    const items = historyEntries(rows, row.id, dek, access.readable, ['statistics', ...classes]);
    await writeAudit(tx, ctx, { ...read, entityType: 'person', entityId: row.id });
    if (grantId) await auditGrantRead(tx, ctx, grantId, ['history', ...classes]);
    return { items };
  });
}
