import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import pino from 'pino';
import { writeAudit } from '../audit.js';
import type { RequestContext } from '../context.js';
import { withTx } from '../tx.js';
import { CryptoError } from './envelope.js';
import type { Keyring } from './keyring.js';

export interface RotateOptions {
  /** Data keys rewrapped per transaction (default 500). */
  batchSize?: number;
  /** Called (and awaited) after each committed batch with the number rewrapped so far in this run. */
  onBatch?: (done: number) => void | Promise<void>;
  /** Request id recorded on this run's audit events (default: a new UUID). */
  runId?: string;
  now?: () => Date;
}

/** Passes over the table before giving up on keys that keep appearing under another master key. */
const MAX_PASSES = 3;

/**
 * Rewraps every data key that is not wrapped under the keyring's active master key (Tink's rotation order:
 * the new key is already active for new data keys, the old one stays loaded until this completes).
 *
 * Each batch is one transaction on the key-rotation system path: it locks its rows, unwraps each data key,
 * wraps it under the active key, checks that the result opens to the same key, updates the rows and writes
 * one audit event. A data key is never written anywhere else, so a run killed at any point leaves every row
 * wrapped under either its old or its new master key, both loaded: resumable and idempotent (rows carry
 * kek_id; a rerun rewraps only what is left). Walks the primary key (no index on kek_id needed); a pass that
 * finds keys created under another master key meanwhile (an instance not yet restarted with the new active
 * key) is repeated, and whatever is still left is reported as `remaining`.
 */
export async function rotateKeys(
  pool: pg.Pool,
  keyring: Keyring,
  options: RotateOptions = {},
): Promise<{ rewrapped: number; remaining: number }> {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw new RangeError('batchSize must be an integer between 1 and 10000');
  const active = keyring.activeKekId;
  const ctx: RequestContext = {
    requestId: options.runId ?? randomUUID(),
    locale: 'en',
    actor: null,
    log: pino({ level: 'silent' }),
    now: options.now ?? (() => new Date()),
  };
  let rewrapped = 0;
  let remaining = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let after: string | null = null;
    for (;;) {
      const batch: { count: number; last: string | null } = await withTx(
        pool,
        null,
        async (tx) => {
          const { rows } = await tx.query<{ person_id: string; kek_id: string; wrapped_dek: Buffer }>(
            `SELECT person_id, kek_id, wrapped_dek FROM person_keys
              WHERE ($1::uuid IS NULL OR person_id > $1::uuid) AND kek_id <> $2
              ORDER BY person_id LIMIT $3 FOR UPDATE`,
            [after, active, batchSize],
          );
          if (rows.length === 0) return { count: 0, last: null };
          const ids: string[] = [];
          const wrappedKeys: Buffer[] = [];
          for (const row of rows) {
            const dek = keyring.unwrap(row.kek_id, row.wrapped_dek);
            const next = keyring.wrap(dek);
            if (next.kekId !== active || !keyring.unwrap(next.kekId, next.wrapped).equals(dek))
              throw new CryptoError('a rewrapped data key did not open to the same key');
            ids.push(row.person_id);
            wrappedKeys.push(next.wrapped);
          }
          const updated = await tx.query(
            `UPDATE person_keys AS k SET kek_id = $1, wrapped_dek = v.wrapped, rewrapped_at = now()
               FROM unnest($2::uuid[], $3::bytea[]) AS v(person_id, wrapped)
              WHERE k.person_id = v.person_id`,
            [active, ids, wrappedKeys],
          );
          if (updated.rowCount !== rows.length) throw new Error('rotation: a locked row was not updated');
          await writeAudit(tx, ctx, {
            action: 'key.rewrap',
            entityType: 'master_key',
            entityId: active,
            fields: ['kek_id', 'wrapped_dek'],
          });
          return { count: rows.length, last: ids.at(-1)! };
        },
        { systemPath: 'key-rotation' },
      );
      if (batch.count === 0) break;
      rewrapped += batch.count;
      after = batch.last;
      await options.onBatch?.(rewrapped);
    }
    remaining = await countNotUnder(pool, active);
    if (remaining === 0) break;
  }
  return { rewrapped, remaining };
}

async function countNotUnder(pool: pg.Pool, kekId: string): Promise<number> {
  return withTx(
    pool,
    null,
    async (tx) => {
      const { rows } = await tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM person_keys WHERE kek_id <> $1',
        [kekId],
      );
      return rows[0]!.n;
    },
    { systemPath: 'key-rotation', readOnly: true },
  );
}
