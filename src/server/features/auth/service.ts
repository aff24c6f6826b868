import { createHash, randomBytes } from 'node:crypto';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import type { RequestContext } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { createSession, revokeUserSessions } from '../../platform/sessions.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { enrolmentMaterial, hashRecoveryCode, matchTotp, newRecoveryCodes, newTotpSecret } from './mfa.js';
import { dummyVerify, hashPassword, passwordProblem, verifyPassword } from './passwords.js';

const SETUP_TOKEN_HOURS = 72;
const MFA_MAX_FAILURES = 5;
const MFA_WINDOW_MS = 15 * 60 * 1000;

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string | null;
  mfa_secret_enc: Buffer | null;
  mfa_enrolled_at: Date | null;
  mfa_last_step: number | null;
  demo_account: boolean;
  active: boolean;
  failed_logins: number;
  locked_until: Date | null;
  mfa_failures: number;
  mfa_window_start: Date | null;
}

const USER_COLUMNS = `id, username, display_name, password_hash, mfa_secret_enc, mfa_enrolled_at, mfa_last_step,
  demo_account, active, failed_logins, locked_until, mfa_failures, mfa_window_start`;

async function loadUser(tx: Tx, id: string): Promise<UserRow> {
  const { rows } = await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [
    id,
  ]);
  if (!rows[0]) throw new AppError('unauthenticated');
  return rows[0];
}

/** Words from the user's own context that must not carry a password: their name and their agencies. */
export async function contextWords(tx: Tx, userId: string): Promise<string[]> {
  const { rows } = await tx.query<{ words: string[] }>(
    `SELECT array_remove(array[u.username, u.display_name] || coalesce(array_agg(a.code) || array_agg(a.name->>'en')
            || array_agg(a.name->>'ru') || array_agg(a.name->>'tk'), '{}'), NULL) AS words
       FROM users u LEFT JOIN memberships m ON m.user_id = u.id LEFT JOIN agencies a ON a.id = m.agency_id
      WHERE u.id = $1 GROUP BY u.id`,
    [userId],
  );
  return (rows[0]?.words ?? []).flatMap((w) => w.split(/[\s.,_-]+/)).filter((w) => w.length >= 3);
}

export function assertAcceptablePassword(password: string, words: string[]): void {
  if (passwordProblem(password, words)) throw new AppError('weak_password');
}

export type LoginNext = 'mfa' | 'mfa_enrol' | 'done';

export async function login(
  deps: AppDeps,
  ctx: RequestContext,
  username: string,
  password: string,
): Promise<{ token: string; next: LoginNext }> {
  const now = ctx.now();
  const { config } = deps;
  const found = await withTx(deps.db.pool, null, async (tx) => {
    const { rows } = await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [
      username.trim().toLowerCase(),
    ]);
    return rows[0];
  });
  const locked = found?.locked_until && found.locked_until > now;
  const usable = found?.active && found.password_hash && !locked;
  const ok = usable
    ? await verifyPassword(found.password_hash!, password)
    : await dummyVerify(config, password);

  if (!ok || !found) {
    await withTx(deps.db.pool, null, async (tx) => {
      if (found && !locked) {
        const failures = found.failed_logins + 1;
        const lock = failures >= config.loginThrottle.perAccountLockAfter;
        await tx.query('UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1', [
          found.id,
          lock ? 0 : failures,
          lock ? new Date(now.getTime() + config.loginThrottle.lockSeconds * 1000) : found.locked_until,
        ]);
        if (lock)
          await writeAudit(tx, ctx, {
            action: 'auth.lockout',
            outcome: 'failure',
            entityType: 'user',
            entityId: found.id,
            actorUserId: found.id,
            actorAgencyId: null,
            actorRole: null,
          });
      }
      await writeAudit(tx, ctx, {
        action: 'auth.login',
        outcome: 'failure',
        entityType: found ? 'user' : null,
        entityId: found?.id ?? null,
        actorUserId: null,
        actorAgencyId: null,
        actorRole: null,
      });
    });
    const failures = found && !locked ? found.failed_logins + 1 : 0;
    if (failures > config.loginThrottle.perAccountDelayAfter && config.env !== 'test') {
      const delay = Math.min(250 * 2 ** (failures - config.loginThrottle.perAccountDelayAfter), 4000);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    throw new AppError('invalid_credentials');
  }

  const skipMfa = config.demo && found.demo_account;
  const next: LoginNext = skipMfa ? 'done' : found.mfa_enrolled_at ? 'mfa' : 'mfa_enrol';
  return withTx(deps.db.pool, null, async (tx) => {
    await tx.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1', [found.id]);
    const session = await createSession(tx, config, now, found.id, skipMfa);
    await writeAudit(tx, ctx, {
      action: skipMfa ? 'auth.login' : 'auth.password_accepted',
      entityType: 'user',
      entityId: found.id,
      actorUserId: found.id,
      actorAgencyId: null,
      actorRole: null,
    });
    return { token: session.token, next };
  });
}

/** Counts wrong second-factor codes: after 5 in 15 minutes, further codes are refused until the window ends. */
async function mfaAttempt(tx: Tx, user: UserRow, now: Date, ok: boolean): Promise<void> {
  const windowOpen = user.mfa_window_start && now.getTime() - user.mfa_window_start.getTime() < MFA_WINDOW_MS;
  if (ok) {
    await tx.query('UPDATE users SET mfa_failures = 0, mfa_window_start = NULL WHERE id = $1', [user.id]);
    return;
  }
  await tx.query('UPDATE users SET mfa_failures = $2, mfa_window_start = $3 WHERE id = $1', [
    user.id,
    windowOpen ? user.mfa_failures + 1 : 1,
    windowOpen ? user.mfa_window_start : now,
  ]);
}

function mfaBlocked(user: UserRow, now: Date): boolean {
  return Boolean(
    user.mfa_window_start &&
      now.getTime() - user.mfa_window_start.getTime() < MFA_WINDOW_MS &&
      user.mfa_failures >= MFA_MAX_FAILURES,
  );
}

/** Checks a TOTP code for a user (single use, rate limited); records the outcome. Returns whether it matched. */
async function checkTotp(deps: AppDeps, tx: Tx, user: UserRow, code: string, now: Date): Promise<boolean> {
  if (!user.mfa_secret_enc || mfaBlocked(user, now)) return false;
  const secret = deps.secrets.open(user.mfa_secret_enc, `totp:${user.id}`).toString('utf8');
  const step = matchTotp(secret, code, now);
  const ok = step !== null && (user.mfa_last_step === null || step > user.mfa_last_step);
  await mfaAttempt(tx, user, now, ok);
  if (ok) await tx.query('UPDATE users SET mfa_last_step = $2 WHERE id = $1', [user.id, step]);
  return ok;
}

/** Replaces the pending session with a fully authenticated one (new token: no session fixation). */
async function completeSignIn(
  deps: AppDeps,
  tx: Tx,
  ctx: RequestContext,
  userId: string,
  pendingSessionId: string,
) {
  const now = ctx.now();
  await tx.query('UPDATE sessions SET revoked_at = $2 WHERE id = $1', [pendingSessionId, now]);
  const session = await createSession(tx, deps.config, now, userId, true);
  return session.token;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; code: 'mfa_invalid' | 'too_many_requests' };

/** Runs a second-factor step; failures are committed (counted and audited) before the error is thrown. */
async function secondFactor<T>(
  deps: AppDeps,
  ctx: RequestContext,
  userId: string,
  action: string,
  step: (tx: Tx, user: UserRow) => Promise<T | null>,
): Promise<T> {
  const now = ctx.now();
  const outcome = await withTx<Outcome<T>>(deps.db.pool, null, async (tx) => {
    const user = await loadUser(tx, userId);
    if (mfaBlocked(user, now)) return { ok: false, code: 'too_many_requests' };
    const value = await step(tx, user);
    await writeAudit(tx, ctx, {
      action,
      outcome: value === null ? 'failure' : 'success',
      entityType: 'user',
      entityId: userId,
      actorUserId: userId,
      actorAgencyId: null,
      actorRole: null,
    });
    return value === null ? { ok: false, code: 'mfa_invalid' } : { ok: true, value };
  });
  if (!outcome.ok) throw new AppError(outcome.code);
  return outcome.value;
}

/**
 * A second factor checked outside this module (a security key: webauthn.ts) completes sign-in through the
 * same path as a TOTP code: the same failure limiter (5 per 15 minutes), the same audit event, a new token.
 * `check` runs in the transaction that records the outcome, so what it consumes (a challenge) stays consumed.
 */
export function signInWithSecondFactor(
  deps: AppDeps,
  ctx: RequestContext,
  userId: string,
  sessionId: string,
  action: string,
  check: (tx: Tx) => Promise<boolean>,
): Promise<string> {
  return secondFactor(deps, ctx, userId, action, async (tx, user) => {
    const ok = await check(tx);
    await mfaAttempt(tx, user, ctx.now(), ok);
    return ok ? completeSignIn(deps, tx, ctx, userId, sessionId) : null;
  });
}

export function verifyMfa(
  deps: AppDeps,
  ctx: RequestContext,
  userId: string,
  sessionId: string,
  code: string,
) {
  return secondFactor(deps, ctx, userId, 'auth.mfa', async (tx, user) => {
    if (!user.mfa_enrolled_at) return null;
    if (!(await checkTotp(deps, tx, user, code, ctx.now()))) return null;
    return completeSignIn(deps, tx, ctx, userId, sessionId);
  });
}

export function useRecoveryCode(
  deps: AppDeps,
  ctx: RequestContext,
  userId: string,
  sessionId: string,
  code: string,
) {
  return secondFactor(deps, ctx, userId, 'auth.recovery_code', async (tx, user) => {
    const { rowCount } = await tx.query(
      'UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL',
      [userId, hashRecoveryCode(code), ctx.now()],
    );
    if (!rowCount) {
      await mfaAttempt(tx, user, ctx.now(), false);
      return null;
    }
    return completeSignIn(deps, tx, ctx, userId, sessionId);
  });
}

export async function startEnrolment(deps: AppDeps, ctx: RequestContext, userId: string) {
  return withTx(deps.db.pool, null, async (tx) => {
    const user = await loadUser(tx, userId);
    if (user.mfa_enrolled_at) throw new AppError('forbidden');
    const secret = newTotpSecret();
    await tx.query('UPDATE users SET mfa_secret_enc = $2 WHERE id = $1', [
      userId,
      deps.secrets.seal(Buffer.from(secret, 'utf8'), `totp:${userId}`),
    ]);
    await writeAudit(tx, ctx, {
      action: 'auth.mfa_enrol_start',
      entityType: 'user',
      entityId: userId,
      actorUserId: userId,
      actorAgencyId: null,
      actorRole: null,
      fields: ['mfa_secret'],
    });
    return enrolmentMaterial(secret, user.username);
  });
}

export function finishEnrolment(
  deps: AppDeps,
  ctx: RequestContext,
  userId: string,
  sessionId: string,
  code: string,
) {
  return secondFactor(deps, ctx, userId, 'auth.mfa_enrol', async (tx, user) => {
    if (user.mfa_enrolled_at) return null;
    if (!(await checkTotp(deps, tx, user, code, ctx.now()))) return null;
    const codes = newRecoveryCodes();
    await tx.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
    for (const c of codes)
      await tx.query('INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)', [
        userId,
        hashRecoveryCode(c),
      ]);
    await tx.query('UPDATE users SET mfa_enrolled_at = $2 WHERE id = $1', [userId, ctx.now()]);
    const token = await completeSignIn(deps, tx, ctx, userId, sessionId);
    return { token, recoveryCodes: codes };
  });
}

/** Step-up: password and a fresh second factor prove the user is still at the keyboard. */
export async function reauthenticate(
  deps: AppDeps,
  ctx: RequestContext,
  userId: string,
  sessionId: string,
  password: string,
  code: string | undefined,
): Promise<void> {
  const now = ctx.now();
  const ok = await withTx(deps.db.pool, null, async (tx) => {
    const user = await loadUser(tx, userId);
    const passwordOk = user.password_hash ? await verifyPassword(user.password_hash, password) : false;
    const skipMfa = deps.config.demo && user.demo_account;
    const codeOk = skipMfa || (code !== undefined && (await checkTotp(deps, tx, user, code, now)));
    const success = passwordOk && codeOk;
    if (success) await tx.query('UPDATE sessions SET authenticated_at = $2 WHERE id = $1', [sessionId, now]);
    await writeAudit(tx, ctx, {
      action: 'auth.reauth',
      outcome: success ? 'success' : 'failure',
      entityType: 'user',
      entityId: userId,
    });
    return success;
  });
  if (!ok) throw new AppError('invalid_credentials');
}

export async function changePassword(
  deps: AppDeps,
  ctx: RequestContext,
  userId: string,
  sessionId: string,
  current: string,
  next: string,
): Promise<void> {
  const outcome = await withTx(deps.db.pool, ctx.actor, async (tx) => {
    const user = await loadUser(tx, userId);
    if (!user.password_hash || !(await verifyPassword(user.password_hash, current))) {
      await writeAudit(tx, ctx, {
        action: 'auth.password_change',
        outcome: 'failure',
        entityType: 'user',
        entityId: userId,
      });
      return 'invalid_credentials' as const;
    }
    if (current === next) return 'password_reused' as const;
    assertAcceptablePassword(next, await contextWords(tx, userId));
    await tx.query(
      'UPDATE users SET password_hash = $2, password_changed_at = $3, version = version + 1 WHERE id = $1',
      [userId, await hashPassword(deps.config, next), ctx.now()],
    );
    await revokeUserSessions(tx, userId, ctx.now(), sessionId);
    await writeAudit(tx, ctx, {
      action: 'auth.password_change',
      entityType: 'user',
      entityId: userId,
      fields: ['password'],
    });
    return null;
  });
  if (outcome) throw new AppError(outcome);
}

export function setupTokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Starts (or restarts) a user's credentials: clears password, second factor, recovery codes and security
 * keys, ends their sessions, and returns a one-time setup token (valid 72 h) that an administrator hands
 * over in person.
 * Administrators never set or see a password.
 */
export async function issueSetupToken(
  tx: Tx,
  userId: string,
  now: Date,
): Promise<{ setupToken: string; setupExpiresAt: Date }> {
  const setupToken = randomBytes(24).toString('base64url');
  const setupExpiresAt = new Date(now.getTime() + SETUP_TOKEN_HOURS * 3600 * 1000);
  await tx.query(
    `UPDATE users SET setup_token_hash = $2, setup_expires_at = $3, password_hash = NULL, mfa_secret_enc = NULL,
            mfa_enrolled_at = NULL, mfa_last_step = NULL, failed_logins = 0, locked_until = NULL, version = version + 1
      WHERE id = $1`,
    [userId, setupTokenHash(setupToken), setupExpiresAt],
  );
  await tx.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  await tx.query('DELETE FROM webauthn_credentials WHERE user_id = $1', [userId]);
  await revokeUserSessions(tx, userId, now);
  return { setupToken, setupExpiresAt };
}

export async function completeSetup(
  deps: AppDeps,
  ctx: RequestContext,
  token: string,
  password: string,
): Promise<void> {
  const now = ctx.now();
  const outcome = await withTx(deps.db.pool, null, async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      'SELECT id FROM users WHERE setup_token_hash = $1 AND setup_expires_at > $2 AND active FOR UPDATE',
      [setupTokenHash(token), now],
    );
    const user = rows[0];
    if (!user) return 'setup_token_invalid' as const;
    assertAcceptablePassword(password, await contextWords(tx, user.id));
    await tx.query(
      `UPDATE users SET password_hash = $2, password_changed_at = $3, setup_token_hash = NULL, setup_expires_at = NULL,
              version = version + 1 WHERE id = $1`,
      [user.id, await hashPassword(deps.config, password), now],
    );
    await writeAudit(tx, ctx, {
      action: 'auth.setup',
      entityType: 'user',
      entityId: user.id,
      actorUserId: user.id,
      actorAgencyId: null,
      actorRole: null,
      fields: ['password'],
    });
    return null;
  });
  if (outcome) throw new AppError(outcome);
}
