/**
 * Bulk loading of a synthetic population into a bench database: one agency, `persons` rows, their blind-index
 * name tokens (computed by the product's `nameTokenRows`) and, for the naive baseline only, a scratch table
 * of plaintext names that exists nowhere but in the bench database.
 */
import { createHmac } from 'node:crypto';
import type pg from 'pg';
import { type BlindIndex, nameTokenRows } from '../../src/server/features/persons/search/index.js';
import type { SyntheticPerson } from './generator.js';

/** An HMAC with a memo: synthetic names repeat (Zipf), so most token values are keyed once. */
export function memoHmac(key: Buffer, maxEntries = 2_000_000): BlindIndex {
  return memoBlindIndex((value) => createHmac('sha256', key).update(value, 'utf8').digest(), maxEntries);
}

/** Any blind index (e.g. a keyring's) with the same memo. */
export function memoBlindIndex(blindIndex: BlindIndex, maxEntries = 2_000_000): BlindIndex {
  const memo = new Map<string, Buffer>();
  return (value: string) => {
    let digest = memo.get(value);
    if (!digest) {
      digest = blindIndex(value);
      if (memo.size < maxEntries) memo.set(value, digest);
    }
    return digest;
  };
}

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export async function insertAgency(db: Queryable, code: string): Promise<string> {
  const r = await db.query<{ id: string }>(
    `INSERT INTO agencies (code, type, name) VALUES ($1, 'nrm_secretariat', '{"tk":"b","ru":"b","en":"b"}')
     RETURNING id`,
    [code],
  );
  return r.rows[0]!.id;
}

export interface LoadStats {
  persons: number;
  tokens: number;
  ms: number;
}

/**
 * Loads persons and their tokens in batches of multi-row `INSERT … SELECT unnest(…)` (one parameter per
 * column). With `fast`, the token table's indexes are dropped during the load and rebuilt afterwards, and
 * foreign-key triggers are skipped (superuser session only, bench databases only).
 */
export async function loadPopulation(
  client: pg.PoolClient,
  hmac: BlindIndex,
  agencyId: string,
  persons: readonly SyntheticPerson[],
  options: { batchPersons?: number; fast?: boolean; onProgress?: (done: number) => void } = {},
): Promise<LoadStats> {
  const t0 = performance.now();
  const batch = options.batchPersons ?? 5000;
  if (options.fast) {
    await client.query("SET session_replication_role = 'replica'");
    await dropNameTokenIndexes(client);
  }
  let tokens = 0;
  for (let start = 0; start < persons.length; start += batch) {
    const slice = persons.slice(start, start + batch);
    await client.query(
      `INSERT INTO persons (id, ref, owner_agency_id, sex, birth_year)
       SELECT id, ref, $1::uuid, sex, birth_year
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int[]) AS p(id, ref, sex, birth_year)`,
      [
        agencyId,
        slice.map((p) => p.id),
        slice.map((p) => `N-${String(p.index).padStart(7, '0')}`),
        slice.map((p) => p.sex),
        slice.map((p) => p.birthYear),
      ],
    );
    tokens += await insertNameTokens(client, hmac, slice);
    options.onProgress?.(start + slice.length);
  }
  if (options.fast) {
    await rebuildNameTokenIndexes(client);
    await client.query("SET session_replication_role = 'origin'");
  }
  await client.query('VACUUM ANALYZE persons');
  await client.query('VACUUM ANALYZE person_name_tokens');
  return { persons: persons.length, tokens, ms: performance.now() - t0 };
}

/**
 * Inserts the blind-index tokens of persons (the product's `nameTokenRows`) in multi-row
 * `INSERT … SELECT unnest(…)` statements; returns the number of tokens. Shared by the G3 load above and the
 * synthetic national data generator (bench/data).
 */
export async function insertNameTokens(
  db: Queryable,
  hmac: BlindIndex,
  persons: ReadonlyArray<Pick<SyntheticPerson, 'id' | 'names'>>,
): Promise<number> {
  const tok: Buffer[] = [];
  const pid: string[] = [];
  const kind: number[] = [];
  for (const p of persons) {
    for (const row of nameTokenRows(hmac, p.names)) {
      tok.push(row.token);
      pid.push(p.id);
      kind.push(row.kind);
    }
  }
  // large statements: split so that one statement stays well under the protocol's limits
  const chunk = 100_000;
  for (let i = 0; i < tok.length; i += chunk) {
    await db.query(
      `INSERT INTO person_name_tokens (token, person_id, kind)
       SELECT * FROM unnest($1::bytea[], $2::uuid[], $3::int[])`,
      [tok.slice(i, i + chunk), pid.slice(i, i + chunk), kind.slice(i, i + chunk)],
    );
  }
  return tok.length;
}

/** Drops the token table's indexes before a bulk load (rebuild them with rebuildNameTokenIndexes). */
export async function dropNameTokenIndexes(db: Queryable): Promise<void> {
  await db.query('DROP INDEX IF EXISTS person_name_tokens_key');
  await db.query('DROP INDEX IF EXISTS person_name_tokens_person_idx');
}

/** Recreates the token table's indexes as the migrations define them. */
export async function rebuildNameTokenIndexes(db: Queryable): Promise<void> {
  await db.query('CREATE UNIQUE INDEX person_name_tokens_key ON person_name_tokens (token, person_id)');
  await db.query('CREATE INDEX person_name_tokens_person_idx ON person_name_tokens (person_id)');
}

/** The naive baseline's scratch table: plaintext names with a trigram index (bench databases only). */
export async function loadPlaintext(
  db: Queryable,
  persons: readonly SyntheticPerson[],
  grantTo?: string,
): Promise<number> {
  const t0 = performance.now();
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await db.query('CREATE TABLE bench_plain_names (person_id uuid NOT NULL, name text NOT NULL)');
  const batch = 20_000;
  for (let start = 0; start < persons.length; start += batch) {
    const ids: string[] = [];
    const names: string[] = [];
    for (const p of persons.slice(start, start + batch))
      for (const n of p.names) {
        ids.push(p.id);
        names.push(n);
      }
    await db.query('INSERT INTO bench_plain_names SELECT * FROM unnest($1::uuid[], $2::text[])', [
      ids,
      names,
    ]);
  }
  await db.query(
    'CREATE INDEX bench_plain_names_trgm ON bench_plain_names USING gin (lower(name) gin_trgm_ops)',
  );
  await db.query('VACUUM ANALYZE bench_plain_names');
  if (grantTo) await db.query(`GRANT SELECT ON bench_plain_names TO ${grantTo}`);
  return performance.now() - t0;
}

/** The naive baseline of performance.md §4.1: `lower(name) % q` ORDER BY similarity LIMIT 10 (threshold 0.3). */
export const NAIVE_SQL = `SELECT person_id FROM bench_plain_names
  WHERE lower(name) % lower($1) ORDER BY similarity(lower(name), lower($1)) DESC LIMIT $2`;
