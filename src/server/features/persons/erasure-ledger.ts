import fs from 'node:fs';
import path from 'node:path';
import { FIELD_CLASSES, type FieldClass } from '../../../shared/domain/fields.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import type { RequestContext } from '../../platform/context.js';
import { type Tx, withTx } from '../../platform/tx.js';
import * as repo from './repo.js';

/**
 * The erasure ledger (ADR 13): an append-only file outside the database that lists every crypto-shredding
 * (and every class cleared by retention) by person id and date only, never a personal value. The data keys
 * live in the database, so a restored pre-erasure backup would bring them back; at start-up the server
 * re-applies the ledger before it serves any request, so every listed person is shredded again.
 */
export interface LedgerEntry {
  v: 1;
  personId: string;
  /** When the erasure happened (the "erased on" date). */
  at: string;
  /** 'person': the data key was destroyed; otherwise the classes cleared on their own (retention). */
  scope: 'person' | FieldClass[];
  /** 'reconciled': found shredded in the database but missing here (a crash between commit and append). */
  source: 'request' | 'retention' | 'reconciled';
}

export class LedgerError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function validEntry(value: unknown): value is LedgerEntry {
  const e = value as LedgerEntry;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.v === 1 &&
    typeof e.personId === 'string' &&
    UUID.test(e.personId) &&
    typeof e.at === 'string' &&
    !Number.isNaN(Date.parse(e.at)) &&
    (e.source === 'request' || e.source === 'retention' || e.source === 'reconciled') &&
    (e.scope === 'person' ||
      (Array.isArray(e.scope) &&
        e.scope.length > 0 &&
        e.scope.every((c) => (FIELD_CLASSES as readonly string[]).includes(c))))
  );
}

/** Appends entries and forces them to disk before returning. */
export function appendLedger(file: string, entries: LedgerEntry[]): void {
  if (entries.length === 0) return;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, 'a', 0o600);
  try {
    fs.writeSync(fd, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Every entry of the ledger (none when the file does not exist yet). A torn last line (a crash during an
 * append) is ignored; any other line that is not an entry stops start-up: the ledger is edited by nobody.
 */
export function readLedger(file: string): LedgerEntry[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const torn = lines.at(-1) !== '' ? lines.length : -1;
  const out: LedgerEntry[] = [];
  lines.forEach((line, i) => {
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (validEntry(value)) out.push(value);
    else if (i + 1 !== torn)
      throw new LedgerError(
        `The erasure ledger ${file} has an unreadable entry on line ${i + 1}. Restore the ledger from its own backup (see "Retention and erasure" in docs/operations.md); do not delete it.`,
      );
  });
  return out;
}

const ENC_COLUMNS = Object.values(repo.CLASS_COLUMN);
const NEEDS_SHRED = `SELECT p.id FROM persons p WHERE p.id = ANY($1::uuid[]) AND (p.erased_at IS NULL
    OR EXISTS (SELECT 1 FROM person_keys k WHERE k.person_id = p.id)
    OR EXISTS (SELECT 1 FROM person_name_tokens t WHERE t.person_id = p.id)
    OR ${ENC_COLUMNS.map((c) => `p.${c} IS NOT NULL`).join(' OR ')})`;

/**
 * Crypto-shreds one person in the caller's transaction: destroys the data key (every sealed value of the
 * person, here and in any copy, can no longer be opened), clears the sealed columns and the search tokens,
 * and keeps only the statistical variables (sex, birth year, citizenships) and the dates. Languages and the
 * interpreter flag go too: a rare language can identify someone. Returns the ids shredded: the person and
 * the records merged into it; none for an unknown person.
 */
export async function shredPerson(tx: Tx, personId: string, at: Date): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>('SELECT id FROM persons WHERE id = $1 FOR UPDATE', [
    personId,
  ]);
  if (!rows[0]) return [];
  // Records merged into this one (tombstones kept for undoing a merge) are the same person: shredded too.
  const shredded = [personId];
  for (const id of await mergedInto(tx, personId)) shredded.push(...(await shredPerson(tx, id, at)));
  await tx.query('DELETE FROM person_keys WHERE person_id = $1', [personId]);
  await tx.query('DELETE FROM person_name_tokens WHERE person_id = $1', [personId]);
  await tx.query(
    `UPDATE persons SET ${ENC_COLUMNS.map((c) => `${c} = NULL`).join(', ')},
            languages = '{}'::text[], interpreter_needed = NULL,
            erased_at = coalesce(erased_at, $2), updated_at = $2, version = version + 1
      WHERE id = $1`,
    [personId, at],
  );
  return shredded;
}

/** Ids of the records merged into this person (tombstones kept so that a merge can be undone). */
export async function mergedInto(tx: Tx, personId: string): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    'SELECT id FROM persons WHERE merged_into = $1 AND id <> $1 ORDER BY id',
    [personId],
  );
  return rows.map((r) => r.id);
}

/** Clears some classes of a person (retention of one class); clearing identity also drops its search tokens. */
export async function clearClasses(tx: Tx, personId: string, classes: FieldClass[]): Promise<void> {
  const columns = FIELD_CLASSES.filter((c) => classes.includes(c)).map((c) => repo.CLASS_COLUMN[c]);
  if (columns.length === 0) return;
  await tx.query(`UPDATE persons SET ${columns.map((c) => `${c} = NULL`).join(', ')} WHERE id = $1`, [
    personId,
  ]);
  if (classes.includes('identity'))
    await tx.query('DELETE FROM person_name_tokens WHERE person_id = $1', [personId]);
}

export const SHRED_FIELDS = [
  ...FIELD_CLASSES,
  'languages',
  'interpreter_needed',
  'person_keys',
  'name_tokens',
];

export interface ReapplyResult {
  /** Persons of the ledger found unshredded in the database (a restored backup) and shredded again. */
  reshredded: number;
  /** Persons whose expired classes were found again and cleared again. */
  recleared: number;
  /** Shreddings found in the database but missing from the ledger (a crash after commit), now added. */
  appended: number;
}

const BATCH = 500;

/**
 * Brings the database and the ledger into agreement, ledger first: every person the ledger lists is
 * shredded again if the database still holds anything of them, then every shredded person the database
 * knows is added to the ledger if missing. Runs on the retention system path, before the server listens.
 */
export async function reapplyErasureLedger(
  deps: Pick<AppDeps, 'db' | 'config'>,
  ctx: RequestContext,
): Promise<ReapplyResult> {
  const file = deps.config.retention.ledgerFile;
  const entries = readLedger(file);
  const whole = new Map<string, Date>();
  const classes = new Map<string, Set<FieldClass>>();
  for (const e of entries) {
    if (e.scope === 'person') {
      if (!whole.has(e.personId)) whole.set(e.personId, new Date(e.at));
    } else {
      const set = classes.get(e.personId) ?? new Set<FieldClass>();
      for (const c of e.scope) set.add(c);
      classes.set(e.personId, set);
    }
  }
  const result: ReapplyResult = { reshredded: 0, recleared: 0, appended: 0 };
  const ids = [...whole.keys()];
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    result.reshredded += await withTx(
      deps.db.pool,
      null,
      async (tx) => {
        const { rows } = await tx.query<{ id: string }>(NEEDS_SHRED, [batch]);
        for (const { id } of rows) {
          await shredPerson(tx, id, whole.get(id)!);
          await writeAudit(tx, ctx, {
            action: 'person.erasure_reapplied',
            entityType: 'person',
            entityId: id,
            fields: SHRED_FIELDS,
          });
        }
        return rows.length;
      },
      { systemPath: 'retention' },
    );
  }
  const partial = [...classes.entries()].filter(([id]) => !whole.has(id));
  for (let i = 0; i < partial.length; i += BATCH) {
    const batch = partial.slice(i, i + BATCH);
    result.recleared += await withTx(
      deps.db.pool,
      null,
      async (tx) => {
        let n = 0;
        for (const [id, set] of batch) {
          const cls = FIELD_CLASSES.filter((c) => set.has(c));
          const { rows } = await tx.query<Record<string, boolean>>(
            `SELECT ${cls.map((c) => `${repo.CLASS_COLUMN[c]} IS NOT NULL AS ${c}`).join(', ')}
               FROM persons WHERE id = $1 AND erased_at IS NULL FOR UPDATE`,
            [id],
          );
          const still = rows[0] ? cls.filter((c) => rows[0]![c]) : [];
          if (still.length === 0) continue;
          await clearClasses(tx, id, still);
          await writeAudit(tx, ctx, {
            action: 'person.retention_reapplied',
            entityType: 'person',
            entityId: id,
            fields: still,
          });
          n++;
        }
        return n;
      },
      { systemPath: 'retention' },
    );
  }
  const erased = await withTx(
    deps.db.pool,
    null,
    async (tx) =>
      (
        await tx.query<{ id: string; erased_at: Date }>(
          'SELECT id, erased_at FROM persons WHERE erased_at IS NOT NULL ORDER BY erased_at, id',
        )
      ).rows,
    { systemPath: 'retention', readOnly: true },
  );
  const missing = erased.filter((r) => !whole.has(r.id));
  appendLedger(
    file,
    missing.map((r) => ({
      v: 1,
      personId: r.id,
      at: r.erased_at.toISOString(),
      scope: 'person',
      source: 'reconciled',
    })),
  );
  result.appended = missing.length;
  return result;
}
