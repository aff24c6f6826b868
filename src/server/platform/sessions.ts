import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Locale } from '../../shared/domain/locales.js';
import type { Config } from '../config/index.js';
import type { Actor, ActorMembership } from './context.js';
import type { Tx } from './tx.js';

/**
 * The memberships an actor acts through (`ActorMembership[]` as JSON), for the user aliased `u`: active
 * agencies, at least one role.
 */
export const ACTOR_MEMBERSHIPS = `(
  SELECT coalesce(json_agg(json_build_object('id', m.id, 'agencyId', m.agency_id, 'agencyCode', a.code,
           'agencyName', a.name, 'agencyType', a.type, 'roles', m.roles) ORDER BY a.code), '[]'::json)
    FROM memberships m JOIN agencies a ON a.id = m.agency_id
   WHERE m.user_id = u.id AND a.active AND cardinality(m.roles) > 0)`;

export const cookieName = (config: Config) => (config.tls ? '__Host-halas_session' : 'halas_session');

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export interface SessionState {
  id: string;
  userId: string;
  mfaVerified: boolean;
  locale: Locale;
  authenticatedAt: Date;
}

/** Creates a session (256-bit CSPRNG token; only its SHA-256 is stored) and returns the token. */
export async function createSession(
  tx: Tx,
  config: Config,
  now: Date,
  userId: string,
  mfaVerified: boolean,
): Promise<{ id: string; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + config.session.absoluteSeconds * 1000);
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO sessions (token_hash, user_id, mfa_verified, created_at, last_seen_at, expires_at, authenticated_at)
     VALUES ($1, $2, $3, $4, $4, $5, $4) RETURNING id`,
    [hashToken(token), userId, mfaVerified, now, expiresAt],
  );
  return { id: rows[0]!.id, token };
}

export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(cookieName(config), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: config.tls,
    maxAge: config.session.absoluteSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(cookieName(config), {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: config.tls,
  });
}

export function sessionToken(request: FastifyRequest, config: Config): string | undefined {
  const value = request.cookies[cookieName(config)];
  return value && value.length <= 100 ? value : undefined;
}

export type SessionLookup =
  | { kind: 'none' }
  | { kind: 'expired' }
  | { kind: 'ok'; session: SessionState; actor: Actor | null };

/**
 * Resolves a token to its session, enforcing idle and absolute timeouts and the user's active flag, and
 * touches last_seen_at, in one statement. Runs as the runtime role on a pooled connection, outside any
 * request transaction. The touch commits without waiting for the disk (synchronous_commit off): losing it in
 * a crash only makes the session end sooner, never later.
 */
export async function lookupSession(
  pool: pg.Pool,
  config: Config,
  token: string,
  now: Date,
): Promise<SessionLookup> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN; SET LOCAL ROLE halas_app; SET LOCAL synchronous_commit = off');
    const tokenHash = hashToken(token);
    const idleSince = new Date(now.getTime() - config.session.idleSeconds * 1000);
    const { rows } = await client.query(
      `UPDATE sessions s SET last_seen_at = $2
         FROM users u
        WHERE s.token_hash = $1 AND u.id = s.user_id AND s.revoked_at IS NULL AND u.active
          AND s.expires_at > $2 AND s.last_seen_at >= $3
       RETURNING s.id, s.user_id, s.mfa_verified, s.authenticated_at, u.username, u.display_name, u.locale,
         u.demo_account,
         CASE WHEN s.mfa_verified THEN ${ACTOR_MEMBERSHIPS} END AS memberships`,
      [tokenHash, now, idleSince],
    );
    const row = rows[0];
    if (!row) {
      // Not valid: tell an ended session (expired, idle, deactivated user) from an unknown token, and revoke it.
      const ended = await client.query(
        'UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL',
        [tokenHash, now],
      );
      await client.query('COMMIT');
      return ended.rowCount ? { kind: 'expired' } : { kind: 'none' };
    }
    await client.query('COMMIT');
    const session: SessionState = {
      id: row.id,
      userId: row.user_id,
      mfaVerified: row.mfa_verified,
      locale: row.locale,
      authenticatedAt: row.authenticated_at,
    };
    const actor: Actor | null = row.mfa_verified
      ? {
          userId: row.user_id,
          username: row.username,
          displayName: row.display_name,
          sessionId: row.id,
          memberships: row.memberships as ActorMembership[],
          authenticatedAt: row.authenticated_at,
          demoAccount: row.demo_account,
        }
      : null;
    return { kind: 'ok', session, actor };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Ends every session of a user at once (sign-out everywhere, password change, deactivation, role change). */
export async function revokeUserSessions(
  tx: Tx,
  userId: string,
  now: Date,
  exceptSessionId?: string,
): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3)`,
    [userId, now, exceptSessionId ?? null],
  );
  return rowCount ?? 0;
}
