import type { UserView } from '../../../shared/contracts/admin.js';
import type { Role } from '../../../shared/domain/access.js';
import type { Locale } from '../../../shared/domain/locales.js';
import type { Tx } from '../../platform/tx.js';
import type { AgencyScope } from '../agencies/index.js';

/**
 * The scope predicate on users: `$1` is "every user", `$2` the agencies in scope. A user is in scope when
 * they hold a membership in one of those agencies. Lists, counts and single reads all carry it.
 */
const IN_SCOPE = `($1::boolean OR EXISTS (
    SELECT 1 FROM memberships sm WHERE sm.user_id = u.id AND sm.agency_id = ANY($2::uuid[])))`;
const scopeParams = (scope: AgencyScope): [boolean, string[]] => [
  scope.all,
  scope.all ? [] : scope.agencyIds,
];

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  locale: Locale;
  active: boolean;
  mfa_enrolled: boolean;
  password_set: boolean;
  locked_until: Date | null;
  version: number;
}

const USER_COLUMNS = `u.id, u.username, u.display_name, u.locale, u.active, u.mfa_enrolled_at IS NOT NULL AS mfa_enrolled,
  u.password_hash IS NOT NULL AS password_set, u.locked_until, u.version`;

export interface MembershipRow {
  id: string;
  userId: string;
  agencyId: string;
  agencyCode: string;
  roles: Role[];
}

export interface UserKey {
  id: string;
  username: string;
  displayName: string;
}

/**
 * Ids and names of every user in scope matching the structural filters (text search and sorting are done
 * in Node). The agency filter only looks at memberships in scope: it must not reveal where else someone works.
 */
export async function selectUserKeys(
  tx: Tx,
  scope: AgencyScope,
  filters: { agencyId?: string | undefined; active?: boolean | undefined },
): Promise<UserKey[]> {
  const { rows } = await tx.query<{ id: string; username: string; display_name: string }>(
    `SELECT u.id, u.username, u.display_name FROM users u
      WHERE ${IN_SCOPE}
        AND ($3::uuid IS NULL OR EXISTS (
              SELECT 1 FROM memberships fm
               WHERE fm.user_id = u.id AND fm.agency_id = $3 AND ($1::boolean OR fm.agency_id = ANY($2::uuid[]))))
        AND ($4::boolean IS NULL OR u.active = $4)`,
    [...scopeParams(scope), filters.agencyId ?? null, filters.active ?? null],
  );
  return rows.map((r) => ({ id: r.id, username: r.username, displayName: r.display_name }));
}

const USER_IN_SCOPE = `SELECT 1 FROM users u WHERE ${IN_SCOPE} AND u.id = $3`;
const USER_IN_SCOPE_FOR_UPDATE = `${USER_IN_SCOPE} FOR UPDATE OF u`;

/** Whether a user exists inside the scope; `forUpdate` locks the user's row for the rest of the transaction. */
export async function userInScope(
  tx: Tx,
  scope: AgencyScope,
  id: string,
  forUpdate = false,
): Promise<boolean> {
  const { rowCount } = await tx.query(forUpdate ? USER_IN_SCOPE_FOR_UPDATE : USER_IN_SCOPE, [
    ...scopeParams(scope),
    id,
  ]);
  return Boolean(rowCount);
}

/**
 * Users by id as views, in the order given. Their memberships are narrowed to `membershipScope`: an agency
 * administrator sees a colleague's roles in their own agency, not where else that person works.
 */
export async function selectUserViews(
  tx: Tx,
  ids: readonly string[],
  membershipScope: AgencyScope,
  now: Date,
): Promise<UserView[]> {
  if (ids.length === 0) return [];
  const users = await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ANY($1::uuid[])`, [
    ids,
  ]);
  const memberships = await tx.query<{
    id: string;
    user_id: string;
    agency_id: string;
    code: string;
    roles: Role[];
  }>(
    `SELECT m.id, m.user_id, m.agency_id, a.code, m.roles
       FROM memberships m JOIN agencies a ON a.id = m.agency_id
      WHERE m.user_id = ANY($3::uuid[]) AND ($1::boolean OR m.agency_id = ANY($2::uuid[]))
      ORDER BY a.code`,
    [...scopeParams(membershipScope), ids],
  );
  const byId = new Map(users.rows.map((u) => [u.id, u]));
  return ids.flatMap((id) => {
    const u = byId.get(id);
    if (!u) return [];
    return [
      {
        id: u.id,
        username: u.username,
        displayName: u.display_name,
        locale: u.locale,
        active: u.active,
        mfaEnrolled: u.mfa_enrolled,
        passwordSet: u.password_set,
        lockedUntil: u.locked_until && u.locked_until > now ? u.locked_until.toISOString() : null,
        memberships: memberships.rows
          .filter((m) => m.user_id === id)
          .map((m) => ({ id: m.id, agencyId: m.agency_id, agencyCode: m.code, roles: m.roles })),
        version: Number(u.version),
      },
    ];
  });
}

/** All memberships of a user, in every agency: the input to access decisions, never shown as such. */
export async function selectAllMemberships(tx: Tx, userId: string): Promise<MembershipRow[]> {
  const { rows } = await tx.query<{ id: string; agency_id: string; code: string; roles: Role[] }>(
    `SELECT m.id, m.agency_id, a.code, m.roles
       FROM memberships m JOIN agencies a ON a.id = m.agency_id
      WHERE m.user_id = $1 ORDER BY a.code`,
    [userId],
  );
  return rows.map((r) => ({ id: r.id, userId, agencyId: r.agency_id, agencyCode: r.code, roles: r.roles }));
}

export async function usernameExists(tx: Tx, username: string): Promise<boolean> {
  const { rowCount } = await tx.query('SELECT 1 FROM users WHERE username = $1', [username]);
  return Boolean(rowCount);
}

export async function insertUser(
  tx: Tx,
  input: { username: string; displayName: string; locale: Locale },
  now: Date,
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO users (username, display_name, locale, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id`,
    [input.username, input.displayName, input.locale, now],
  );
  return rows[0]!.id;
}

/** The user's version (G34): it moves with every change of the account or its memberships. */
export async function userVersion(tx: Tx, id: string): Promise<number> {
  const { rows } = await tx.query<{ version: number }>('SELECT version FROM users WHERE id = $1', [id]);
  return Number(rows[0]?.version ?? 0);
}

export async function selectUserState(
  tx: Tx,
  id: string,
): Promise<{ displayName: string; active: boolean } | undefined> {
  const { rows } = await tx.query<{ display_name: string; active: boolean }>(
    'SELECT display_name, active FROM users WHERE id = $1',
    [id],
  );
  return rows[0] ? { displayName: rows[0].display_name, active: rows[0].active } : undefined;
}

export async function updateUser(
  tx: Tx,
  id: string,
  next: { displayName: string; active: boolean },
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE users SET display_name = $2, active = $3, updated_at = $4, version = version + 1 WHERE id = $1`,
    [id, next.displayName, next.active, now],
  );
}

/** Sets a user's roles in one agency; an empty list removes the membership. */
export async function setMembershipRoles(
  tx: Tx,
  userId: string,
  agencyId: string,
  roles: readonly Role[],
  now: Date,
): Promise<void> {
  if (roles.length === 0) {
    await tx.query('DELETE FROM memberships WHERE user_id = $1 AND agency_id = $2', [userId, agencyId]);
  } else {
    await tx.query(
      `INSERT INTO memberships (user_id, agency_id, roles, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (user_id, agency_id) DO UPDATE
         SET roles = EXCLUDED.roles, updated_at = EXCLUDED.updated_at, version = memberships.version + 1`,
      [userId, agencyId, roles, now],
    );
  }
  await tx.query('UPDATE users SET version = version + 1, updated_at = $2 WHERE id = $1', [userId, now]);
}
