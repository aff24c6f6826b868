import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { type Tx, withTx } from '../tx.js';
import { KEY_BYTES } from './envelope.js';
import type { Keyring } from './keyring.js';

/**
 * A new random data key (DEK) for the person, stored wrapped under the active master key in person_keys, in
 * the caller's transaction. Returns the DEK for sealing the person's fields.
 */
export async function createPersonKey(tx: Tx, keyring: Keyring, personId: string): Promise<Buffer> {
  const dek = randomBytes(KEY_BYTES);
  const { kekId, wrapped } = keyring.wrap(dek);
  await tx.query('INSERT INTO person_keys (person_id, kek_id, wrapped_dek) VALUES ($1, $2, $3)', [
    personId,
    kekId,
    wrapped,
  ]);
  return dek;
}

/**
 * The data keys of the given persons, keyed by lower-case person id. A person without an entry has been
 * crypto-shredded (or is not visible to this transaction). A key wrapped under a master key that is not
 * loaded throws (KekNotLoadedError): that is a configuration fault, never a shredded person.
 */
export async function loadPersonKeys(
  tx: Tx,
  keyring: Keyring,
  personIds: string[],
): Promise<Map<string, Buffer>> {
  const keys = new Map<string, Buffer>();
  if (personIds.length === 0) return keys;
  const { rows } = await tx.query<{ person_id: string; kek_id: string; wrapped_dek: Buffer }>(
    'SELECT person_id, kek_id, wrapped_dek FROM person_keys WHERE person_id = ANY($1::uuid[])',
    [[...new Set(personIds.map((id) => id.toLowerCase()))]],
  );
  for (const row of rows) keys.set(row.person_id, keyring.unwrap(row.kek_id, row.wrapped_dek));
  return keys;
}

/**
 * Crypto-shredding: deletes the person's data key, after which every ciphertext sealed under it (in this
 * database, its replicas, dumps and backups taken afterwards) is unreadable. Returns false when there was no
 * key to delete (already shredded, or not visible to this transaction).
 */
export async function shredPersonKey(tx: Tx, personId: string): Promise<boolean> {
  const result = await tx.query('DELETE FROM person_keys WHERE person_id = $1', [personId]);
  return (result.rowCount ?? 0) > 0;
}

export interface KekUsage {
  kekId: string;
  /** Data keys wrapped under this master key. */
  count: number;
  loaded: boolean;
  /** A sample data key opens with the loaded key (false: missing, or a different key under the same id). */
  opens: boolean;
}

/**
 * How many data keys each master key wraps, and whether the keyring can open them: start-up refuses to run
 * with data keys it cannot open, and rotation reports its progress from this. Runs on the key-rotation system
 * path (row-level security otherwise hides other agencies' keys).
 */
export async function keyUsage(pool: pg.Pool, keyring: Keyring): Promise<KekUsage[]> {
  return withTx(
    pool,
    null,
    async (tx) => {
      const { rows } = await tx.query<{ kek_id: string; n: number }>(
        'SELECT kek_id, count(*)::int AS n FROM person_keys GROUP BY kek_id ORDER BY kek_id',
      );
      const usage: KekUsage[] = [];
      for (const row of rows) {
        const loaded = keyring.hasKek(row.kek_id);
        let opens = false;
        if (loaded) {
          const sample = await tx.query<{ wrapped_dek: Buffer }>(
            'SELECT wrapped_dek FROM person_keys WHERE kek_id = $1 LIMIT 1',
            [row.kek_id],
          );
          try {
            keyring.unwrap(row.kek_id, sample.rows[0]!.wrapped_dek);
            opens = true;
          } catch {
            opens = false;
          }
        }
        usage.push({ kekId: row.kek_id, count: row.n, loaded, opens });
      }
      return usage;
    },
    { systemPath: 'key-rotation', readOnly: true },
  );
}

/** A sentence per master key whose data keys this keyring cannot open; empty when all is well. */
export function keyProblems(usage: KekUsage[]): string[] {
  return usage
    .filter((u) => !u.opens)
    .map((u) =>
      u.loaded
        ? `${u.count} data keys are wrapped under master key '${u.kekId}', but the loaded key with that id does not open them (a different key under the same id?)`
        : `${u.count} data keys are wrapped under master key '${u.kekId}', which is not loaded`,
    );
}
