import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Actor } from './context.js';

export interface Tx {
  /** Parameterised SQL only. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  orm: NodePgDatabase;
}

const BEGIN = {
  'read committed': [
    'BEGIN ISOLATION LEVEL READ COMMITTED',
    'BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY',
  ],
  serializable: ['BEGIN ISOLATION LEVEL SERIALIZABLE', 'BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY'],
} as const;
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK = '40P01';
/** Attempts per transaction: a serialization failure or deadlock is retried at most this many times minus one. */
export const MAX_TX_ATTEMPTS = 10;

/**
 * Retries counted since start (G35: bounded and counted): `retries` transactions re-run after 40001/40P01,
 * `exhausted` gave up after MAX_TX_ATTEMPTS and surfaced the error.
 */
export const txStats = { retries: 0, exhausted: 0 };

/**
 * Multi-step business operations (G35: a registration with its tokens, review tasks and audit; consent
 * given, withdrawn or overridden with its alert and audit) run SERIALIZABLE: PostgreSQL then aborts one of
 * two transactions whose reads and writes interleave (40001), and withTx re-runs it.
 */
export const SERIALIZABLE: TxOptions = { isolation: 'serializable' };

export interface TxOptions {
  isolation?: 'read committed' | 'serializable';
  readOnly?: boolean;
  /**
   * The one named cross-agency path: row-level security lets the transaction see every agency's rows.
   * Only system jobs (key rotation, retention) and the oversight views that show pseudonymous references
   * (duplicate review, DPO alerts) use it; never a path that returns identities — except
   * 'subject-access': the DPO's data-subject access report (dsar.export, step-up, audited), which by law
   * returns everything held about one person. 'statistics' reads the statistical variables of every person
   * and returns only counts under suppression (features/statistics, G23).
   */
  systemPath?: 'key-rotation' | 'retention' | 'oversight' | 'subject-access' | 'coming-of-age' | 'statistics';
}

/**
 * Thrown inside `withTx` to refuse a request while keeping what the transaction wrote for the refusal (the
 * audit event of a denied read, an alert): the transaction commits, then `error` is thrown.
 */
export class CommitThenThrow extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

/**
 * Runs `fn` in one transaction as the unprivileged runtime role `halas_app`, with the actor recorded in
 * transaction-local settings (for row-level security). Serialization failures and deadlocks are retried.
 */
export async function withTx<T>(
  pool: pg.Pool,
  actor: Pick<Actor, 'userId' | 'memberships'> | null,
  fn: (tx: Tx) => Promise<T>,
  options: TxOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    let retry = false;
    let refusal: Error | null = null;
    try {
      await client.query(BEGIN[options.isolation ?? 'read committed'][options.readOnly ? 1 : 0]);
      await client.query('SET LOCAL ROLE halas_app');
      await client.query(
        "SELECT set_config('app.user_id', $1, true), set_config('app.agency_ids', $2, true), set_config('app.scope', $3, true)",
        [
          actor?.userId ?? '',
          (actor?.memberships ?? []).map((m) => m.agencyId).join(','),
          options.systemPath ? 'system' : '',
        ],
      );
      const tx: Tx = {
        query: (text, params) => client.query(text, params as unknown[]),
        orm: drizzle(client),
      };
      let result: T | undefined;
      let pending: Error | null = null;
      try {
        result = await fn(tx);
      } catch (error) {
        if (!(error instanceof CommitThenThrow)) throw error;
        pending = error.error;
      }
      await client.query('COMMIT');
      if (!pending) return result as T;
      refusal = pending;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      const code = (error as { code?: string }).code;
      if (code === SERIALIZATION_FAILURE || code === DEADLOCK) {
        if (attempt < MAX_TX_ATTEMPTS) {
          txStats.retries++;
          retry = true;
        } else {
          txStats.exhausted++;
          throw error;
        }
      } else throw error;
    } finally {
      client.release(broken);
    }
    if (refusal) throw refusal;
    // A short, growing (capped), jittered pause lets the transaction that won go first.
    if (retry)
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));
  }
}
