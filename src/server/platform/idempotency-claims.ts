import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Actor } from './context.js';
import { AppError } from './errors.js';
import { type Tx, withTx } from './tx.js';

/** How long a key is remembered (G33), and how long a claim may run before a retry may take it over. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
export const IDEMPOTENCY_LEASE_MS = 60_000;

export interface ClaimScope {
  userId: string;
  agencyId: string;
  keyHash: Buffer;
  fingerprint: Buffer;
}

export type ClaimOutcome =
  | { kind: 'claimed'; claimId: string }
  | { kind: 'replay'; status: number; sealed: Buffer }
  | { kind: 'reused' }
  | { kind: 'in_flight' };

interface KeyRow {
  claim_id: string;
  fingerprint: Buffer;
  state: 'in_flight' | 'done';
  committed: boolean;
  lease_until: Date;
  status_code: number | null;
  response: Buffer | null;
  expires_at: Date;
}

/**
 * Claims an idempotency key in its own short transaction (committed before the business transaction
 * starts). A key seen before answers with its stored response, "reused" (another request), or "in flight".
 * A claim is taken over only when it expired (24 h) or when its lease ran out without its business
 * transaction having committed — then nothing of it exists, so running the request again is safe.
 */
const LOCK_NOT_AVAILABLE = '55P03';
const CLAIM_LOCK_TIMEOUT = "SET LOCAL lock_timeout = '1s'";

export async function claimKey(
  pool: pg.Pool,
  actor: Pick<Actor, 'userId' | 'memberships'>,
  scope: ClaimScope,
  now: Date,
): Promise<ClaimOutcome> {
  try {
    return await claimInTx(pool, actor, scope, now);
  } catch (error) {
    // The key's row is held by the business transaction of a request running right now (it marks the claim
    // committed and keeps the row until it ends; the INSERT's unique check and the FOR UPDATE would wait for
    // it): answer in_flight at once instead of waiting up to the statement timeout.
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return { kind: 'in_flight' };
    throw error;
  }
}

async function claimInTx(
  pool: pg.Pool,
  actor: Pick<Actor, 'userId' | 'memberships'>,
  scope: ClaimScope,
  now: Date,
): Promise<ClaimOutcome> {
  return withTx(pool, actor, async (tx) => {
    await tx.query(CLAIM_LOCK_TIMEOUT);
    const claimId = randomUUID();
    const lease = new Date(now.getTime() + IDEMPOTENCY_LEASE_MS);
    const expires = new Date(now.getTime() + IDEMPOTENCY_TTL_MS);
    const inserted = await tx.query(
      `INSERT INTO idempotency_keys (user_id, agency_id, key_hash, claim_id, fingerprint, state, lease_until,
         created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'in_flight', $6, $7, $8)
       ON CONFLICT (user_id, agency_id, key_hash) DO NOTHING`,
      [scope.userId, scope.agencyId, scope.keyHash, claimId, scope.fingerprint, lease, now, expires],
    );
    if (inserted.rowCount === 1) return { kind: 'claimed', claimId };
    const { rows } = await tx.query<KeyRow>(
      `SELECT claim_id, fingerprint, state, committed, lease_until, status_code, response, expires_at
         FROM idempotency_keys WHERE user_id = $1 AND agency_id = $2 AND key_hash = $3 FOR UPDATE`,
      [scope.userId, scope.agencyId, scope.keyHash],
    );
    const row = rows[0];
    // Deleted between the two statements (a released claim, or the purge): the caller tries again.
    if (!row) throw Object.assign(new Error('idempotency key vanished'), { code: '40001' });
    const expired = row.expires_at.getTime() <= now.getTime();
    const sameRequest = row.fingerprint.equals(scope.fingerprint);
    if (!expired && !sameRequest) return { kind: 'reused' };
    if (!expired && row.state === 'done')
      return { kind: 'replay', status: row.status_code!, sealed: row.response! };
    const abandoned =
      row.state === 'in_flight' && !row.committed && row.lease_until.getTime() <= now.getTime();
    if (!expired && !abandoned) return { kind: 'in_flight' };
    await tx.query(
      `UPDATE idempotency_keys
          SET claim_id = $4, fingerprint = $5, state = 'in_flight', committed = false, lease_until = $6,
              status_code = NULL, response = NULL, created_at = $7, expires_at = $8
        WHERE user_id = $1 AND agency_id = $2 AND key_hash = $3`,
      [scope.userId, scope.agencyId, scope.keyHash, claimId, scope.fingerprint, lease, now, expires],
    );
    return { kind: 'claimed', claimId };
  });
}

/**
 * Called by writeAudit inside the business transaction: the claim's request has a committed effect
 * exactly when this transaction commits. A claim that was taken over meanwhile (lease ran out) aborts the
 * transaction, so two holders of one key can never both commit.
 */
export async function markIdempotencyCommitted(tx: Tx, claimId: string): Promise<void> {
  const { rowCount } = await tx.query('UPDATE idempotency_keys SET committed = true WHERE claim_id = $1', [
    claimId,
  ]);
  if (rowCount !== 1) throw new AppError('idempotency_in_flight');
}

/**
 * After the answer: a committed request's answer is stored (sealed) for replays; a request that committed
 * nothing gives its key back, so that the client may retry it.
 */
export async function finishClaim(
  pool: pg.Pool,
  actor: Pick<Actor, 'userId' | 'memberships'>,
  claimId: string,
  answer: { status: number; sealed: (status: number) => Buffer },
  now: Date,
): Promise<void> {
  await withTx(pool, actor, async (tx) => {
    const success = answer.status >= 200 && answer.status < 300;
    const { rows } = await tx.query<{ committed: boolean }>(
      'SELECT committed FROM idempotency_keys WHERE claim_id = $1 FOR UPDATE',
      [claimId],
    );
    const row = rows[0];
    if (!row) return;
    if (!success && !row.committed) {
      await tx.query('DELETE FROM idempotency_keys WHERE claim_id = $1', [claimId]);
      return;
    }
    await tx.query(
      `UPDATE idempotency_keys SET state = 'done', committed = true, status_code = $2, response = $3, lease_until = $4
        WHERE claim_id = $1`,
      [claimId, answer.status, answer.sealed(answer.status), now],
    );
  });
}

/** Deletes every expired key (all users: the named system path). Returns how many were purged. */
export async function purgeExpiredKeys(pool: pg.Pool, now: Date): Promise<number> {
  return withTx(
    pool,
    null,
    async (tx) =>
      (await tx.query('DELETE FROM idempotency_keys WHERE expires_at <= $1', [now])).rowCount ?? 0,
    { systemPath: 'retention' },
  );
}
