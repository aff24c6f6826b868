/**
 * A fingerprint of a database's contents that two engines or two copies can compare: per table, the row count
 * and the MD5 of its rows' text in a fixed order, plus the audit chain head and the applied migrations. It
 * holds hashes and counts only, never personal data, so it can sit in a manifest and in CLI output.
 */
import pg from 'pg';
export interface Queryable {
  query(text: string): Promise<{ rows: unknown[] }>;
}

export interface TableState {
  rows: number;
  md5: string;
}

export interface DatabaseState {
  tables: Record<string, TableState>;
  auditHead: { seq: number; hash: string };
  migrations: { applied: number; last: string | null };
}

/** Text output that does not depend on the session (time zone, date style, locale). */
const SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, YMD'",
  "SET LOCAL IntervalStyle = 'postgres'",
  'SET LOCAL extra_float_digits = 1',
  "SET LOCAL bytea_output = 'hex'",
  // Refuse rather than silently checksum only the rows row-level security lets us see.
  'SET LOCAL row_security = off',
];

/** A quoted identifier (a table named by the catalogue): pg's own escaping. */
const ident = (name: string) => pg.escapeIdentifier(name);

/**
 * Reads the state in one read-only REPEATABLE READ transaction (one snapshot). The session must be able to
 * read every row: a superuser or a role with BYPASSRLS (row-level security otherwise raises an error).
 */
export async function databaseState(db: Queryable): Promise<DatabaseState> {
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    for (const s of SETTINGS) await db.query(s);
    const { rows: tables } = (await db.query(
      `SELECT schemaname AS s, tablename AS t FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    )) as { rows: { s: string; t: string }[] };
    const state: DatabaseState = {
      tables: {},
      auditHead: { seq: 0, hash: '' },
      migrations: { applied: 0, last: null },
    };
    for (const { s, t } of tables) {
      const { rows } = (await db.query(
        `SELECT count(*)::text AS n,
                md5(coalesce(string_agg(r::text, E'\\n' ORDER BY (r::text) COLLATE "C"), '')) AS h
           FROM ${ident(s)}.${ident(t)} AS r`,
      )) as { rows: { n: string; h: string }[] };
      state.tables[s === 'public' ? t : `${s}.${t}`] = { rows: Number(rows[0]!.n), md5: rows[0]!.h };
    }
    const head = (await db.query(
      "SELECT seq::text AS seq, encode(hash, 'hex') AS hash FROM audit_head WHERE id = 1",
    )) as { rows: { seq: string; hash: string }[] };
    if (head.rows[0]) state.auditHead = { seq: Number(head.rows[0].seq), hash: head.rows[0].hash };
    if (tables.some((x) => x.s === 'drizzle' && x.t === '__drizzle_migrations')) {
      const m = (await db.query(
        'SELECT count(*)::text AS n, (SELECT hash FROM drizzle.__drizzle_migrations ORDER BY id DESC LIMIT 1) AS last FROM drizzle.__drizzle_migrations',
      )) as { rows: { n: string; last: string | null }[] };
      state.migrations = { applied: Number(m.rows[0]!.n), last: m.rows[0]!.last };
    }
    return state;
  } finally {
    await db.query('ROLLBACK');
  }
}

/** Table names whose row count or checksum differ (or exist on one side only). */
export function stateDifferences(a: DatabaseState, b: DatabaseState): string[] {
  const names = new Set([...Object.keys(a.tables), ...Object.keys(b.tables)]);
  const diff: string[] = [];
  for (const name of [...names].sort()) {
    const x = a.tables[name];
    const y = b.tables[name];
    if (!x || !y || x.rows !== y.rows || x.md5 !== y.md5) diff.push(name);
  }
  if (a.auditHead.seq !== b.auditHead.seq || a.auditHead.hash !== b.auditHead.hash) diff.push('(audit head)');
  return diff;
}
