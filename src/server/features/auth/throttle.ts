import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { withTx } from '../../platform/tx.js';

const WINDOW_MS = 15 * 60 * 1000;

/**
 * Per-source sign-in limit. The source is stored only as an HMAC of its address under the instance key, so
 * the table holds no network address.
 */
export async function throttleSource(deps: AppDeps, ip: string, now: Date): Promise<void> {
  const key = deps.secrets.hmac('login-source', ip);
  const attempts = await withTx(deps.db.pool, null, async (tx) => {
    const { rows } = await tx.query<{ attempts: number; window_start: Date }>(
      `INSERT INTO login_throttle (source_key, window_start, attempts) VALUES ($1, $2, 1)
       ON CONFLICT (source_key) DO UPDATE SET
         attempts = CASE WHEN login_throttle.window_start < $3 THEN 1 ELSE login_throttle.attempts + 1 END,
         window_start = CASE WHEN login_throttle.window_start < $3 THEN $2 ELSE login_throttle.window_start END
       RETURNING attempts, window_start`,
      [key, now, new Date(now.getTime() - WINDOW_MS)],
    );
    return rows[0]!;
  });
  if (attempts.attempts > deps.config.loginThrottle.perSourcePer15Min) {
    const retry = Math.max(
      1,
      Math.ceil((attempts.window_start.getTime() + WINDOW_MS - now.getTime()) / 1000),
    );
    throw new AppError('too_many_requests', undefined, { 'Retry-After': String(retry) });
  }
}
