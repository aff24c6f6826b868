import type { AgencyDirectoryEntry, AgencyView } from '../../../shared/contracts/admin.js';
import type { AgencyType } from '../../../shared/domain/access.js';
import { versionConflict } from '../../platform/concurrency.js';
import type { Tx } from '../../platform/tx.js';

/** Which agencies a request may touch: all of them, or a list of ids (from `permissionScope`). */
export type AgencyScope = { all: true } | { all: false; agencyIds: string[] };

export type LocalizedName = { tk: string; ru: string; en: string };

interface AgencyRow {
  id: string;
  code: string;
  type: AgencyType;
  name: LocalizedName;
  region: string | null;
  active: boolean;
  version: number;
}

const COLUMNS = 'a.id, a.code, a.type, a.name, a.region, a.active, a.version';

/**
 * The scope predicate every query on agencies carries: `$1` is "all agencies", `$2` the allowed ids.
 * Lists, counts and single reads all go through it, so they can never disagree.
 */
const IN_SCOPE = '($1::boolean OR a.id = ANY($2::uuid[]))';
const scopeParams = (scope: AgencyScope): [boolean, string[]] => [
  scope.all,
  scope.all ? [] : scope.agencyIds,
];

function toView(row: AgencyRow): AgencyView {
  return {
    id: row.id,
    code: row.code,
    type: row.type,
    name: { tk: row.name.tk, ru: row.name.ru, en: row.name.en },
    region: row.region,
    active: row.active,
    version: Number(row.version),
  };
}

/** Every agency in scope (active only unless asked), unsorted: the service filters text and sorts by locale. */
export async function selectAgencies(
  tx: Tx,
  scope: AgencyScope,
  includeInactive: boolean,
): Promise<AgencyView[]> {
  const { rows } = await tx.query<AgencyRow>(
    `SELECT ${COLUMNS} FROM agencies a
      WHERE ${IN_SCOPE} AND ($3::boolean OR a.active)`,
    [...scopeParams(scope), includeInactive],
  );
  return rows.map(toView);
}

/** Every agency, active or not, with the directory's fields only (no scope: the directory is for all). */
export async function selectDirectory(tx: Tx): Promise<AgencyDirectoryEntry[]> {
  const { rows } = await tx.query<AgencyRow>(`SELECT ${COLUMNS} FROM agencies a`);
  return rows.map(({ id, code, type, name, active }) => ({
    id,
    code,
    type,
    name: { tk: name.tk, ru: name.ru, en: name.en },
    active,
  }));
}

const SELECT_ONE = `SELECT ${COLUMNS} FROM agencies a WHERE ${IN_SCOPE} AND a.id = $3`;
const SELECT_ONE_FOR_UPDATE = `${SELECT_ONE} FOR UPDATE`;

/** One agency if it is in scope; `forUpdate` locks the row for the rest of the transaction. */
export async function selectAgency(
  tx: Tx,
  scope: AgencyScope,
  id: string,
  forUpdate = false,
): Promise<AgencyView | undefined> {
  const { rows } = await tx.query<AgencyRow>(forUpdate ? SELECT_ONE_FOR_UPDATE : SELECT_ONE, [
    ...scopeParams(scope),
    id,
  ]);
  return rows[0] ? toView(rows[0]) : undefined;
}

export async function codeExists(tx: Tx, code: string): Promise<boolean> {
  const { rowCount } = await tx.query('SELECT 1 FROM agencies WHERE code = $1', [code]);
  return Boolean(rowCount);
}

export interface AgencyInsert {
  code: string;
  type: AgencyType;
  name: LocalizedName;
  region: string | null;
}

export async function insertAgency(tx: Tx, input: AgencyInsert, now: Date): Promise<AgencyView> {
  const { rows } = await tx.query<AgencyRow>(
    `INSERT INTO agencies AS a (code, type, name, region, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $5)
     RETURNING ${COLUMNS}`,
    [input.code, input.type, JSON.stringify(input.name), input.region, now],
  );
  return toView(rows[0]!);
}

export interface AgencyUpdate {
  name: LocalizedName;
  region: string | null;
  active: boolean;
}

/** Updates the agency at version `version` (optimistic concurrency, G34); 412 if it moved meanwhile. */
export async function updateAgency(
  tx: Tx,
  id: string,
  version: number,
  next: AgencyUpdate,
  now: Date,
): Promise<AgencyView> {
  const { rows } = await tx.query<AgencyRow>(
    `UPDATE agencies AS a SET name = $2, region = $3, active = $4, updated_at = $5, version = a.version + 1
      WHERE a.id = $1 AND a.version = $6
      RETURNING ${COLUMNS}`,
    [id, JSON.stringify(next.name), next.region, next.active, now, version],
  );
  if (!rows[0]) throw versionConflict(await currentVersion(tx, id));
  return toView(rows[0]);
}

async function currentVersion(tx: Tx, id: string): Promise<number> {
  const { rows } = await tx.query<{ version: number }>('SELECT version FROM agencies WHERE id = $1', [id]);
  return Number(rows[0]?.version ?? 0);
}
