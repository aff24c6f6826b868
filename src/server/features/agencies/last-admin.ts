import { AppError } from '../../platform/errors.js';
import type { Tx } from '../../platform/tx.js';

/**
 * Active system administrators: active users holding `system_admin` through a membership of an active
 * agency (exactly the memberships a session honours).
 */
export async function countActiveSystemAdmins(tx: Tx): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(DISTINCT u.id)::int AS n
       FROM users u
       JOIN memberships m ON m.user_id = u.id
       JOIN agencies a ON a.id = m.agency_id
      WHERE u.active AND a.active AND 'system_admin' = ANY(m.roles)`,
  );
  return rows[0]?.n ?? 0;
}

/**
 * Runs a change that could remove system administrators and refuses it (422 last_admin, so the whole
 * transaction rolls back) when the system had one before and would have none after. Callers run it in a
 * SERIALIZABLE transaction, so two administrators cannot remove each other concurrently.
 */
export async function keepingAnAdmin<T>(tx: Tx, change: () => Promise<T>): Promise<T> {
  const before = await countActiveSystemAdmins(tx);
  const result = await change();
  if (before > 0 && (await countActiveSystemAdmins(tx)) === 0) throw new AppError('last_admin');
  return result;
}
