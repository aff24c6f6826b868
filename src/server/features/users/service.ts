import type { z } from 'zod';
import type { MembershipUpsert, UserCreate, UserPatch, UserView } from '../../../shared/contracts/admin.js';
import type { ValidationIssue } from '../../../shared/contracts/errors.js';
import { permissionScope, type Role } from '../../../shared/domain/access.js';
import { DEFAULT_LOCALE, type Locale } from '../../../shared/domain/locales.js';
import { serverMessage } from '../../../shared/i18n/server/index.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { assertVersion } from '../../platform/concurrency.js';
import { type Actor, type RequestContext, requireActor } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { revokeUserSessions } from '../../platform/sessions.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { keepingAnAdmin, selectAgency } from '../agencies/index.js';
import { issueSetupToken } from '../auth/index.js';
import {
  assertGrantable,
  mayGrantIn,
  mayManageAccount,
  normaliseRoles,
  roleChanges,
  roleTypeIssues,
} from './policy.js';
import { presentUser, readScope } from './queries.js';
import * as repo from './repo.js';

type Deps = Pick<AppDeps, 'db'>;
const UNIQUE_VIOLATION = '23505';

export interface SetupIssuedResult {
  setupToken: string;
  setupExpiresAt: string;
}

const invalid = (path: string, locale: Locale): ValidationIssue => ({
  path,
  code: 'invalid_value',
  message: serverMessage(locale, 'issue.invalid_value'),
});

/**
 * Finds a user the actor may change. Outside the actor's read scope: 404, exactly like an unknown id.
 * Visible but outside the manage scope, or (for `account`) holding roles the actor could not grant: 403.
 * Locks the user's row for the rest of the transaction.
 */
async function loadTarget(tx: Tx, actor: Actor, id: string, what: 'account' | 'memberships') {
  if (!(await repo.userInScope(tx, readScope(actor), id))) throw new AppError('not_found');
  if (!(await repo.userInScope(tx, permissionScope(actor.memberships, 'user.manage'), id, true)))
    throw new AppError('forbidden');
  const memberships = await repo.selectAllMemberships(tx, id);
  if (what === 'account' && !mayManageAccount(actor.memberships, memberships))
    throw new AppError('forbidden');
  return memberships;
}

/**
 * Creates a user without a password, with one membership, and a one-time setup token; audited in the
 * caller's transaction. No access decision here: the route (after its checks) and test factories use it.
 */
export async function createUserRecord(
  tx: Tx,
  ctx: RequestContext,
  input: { username: string; displayName: string; locale: Locale; agencyId: string; roles: readonly Role[] },
): Promise<{ userId: string; setup: SetupIssuedResult }> {
  if (await repo.usernameExists(tx, input.username)) throw new AppError('username_taken');
  const now = ctx.now();
  const userId = await repo.insertUser(tx, input, now);
  await repo.setMembershipRoles(tx, userId, input.agencyId, normaliseRoles(input.roles), now);
  const setup = await issueSetupToken(tx, userId, now);
  await writeAudit(tx, ctx, {
    action: 'user.create',
    entityType: 'user',
    entityId: userId,
    fields: ['username', 'display_name', 'locale', 'roles', 'setup_token'],
  });
  return {
    userId,
    setup: { setupToken: setup.setupToken, setupExpiresAt: setup.setupExpiresAt.toISOString() },
  };
}

export async function createUser(
  deps: Deps,
  ctx: RequestContext,
  body: z.infer<typeof UserCreate>,
): Promise<{ user: UserView } & SetupIssuedResult> {
  const actor = requireActor(ctx);
  const roles = normaliseRoles(body.roles);
  // Only roles the actor may grant in that agency: this also requires user.manage there.
  assertGrantable(actor.memberships, body.agencyId, roles);
  try {
    return await withTx(deps.db.pool, actor, async (tx) => {
      // The actor's grant right on this agency is established: reading its type is the named cross-agency path.
      const agency = await selectAgency(tx, { all: true }, body.agencyId);
      const issues = agency?.active
        ? roleTypeIssues(roles, agency.type, ctx.locale)
        : [invalid('agencyId', ctx.locale)];
      if (issues.length > 0) throw new AppError('validation_failed', issues);
      const { userId, setup } = await createUserRecord(tx, ctx, {
        username: body.username,
        displayName: body.displayName,
        locale: body.locale ?? DEFAULT_LOCALE,
        agencyId: body.agencyId,
        roles,
      });
      return { user: await presentUser(tx, ctx, userId), ...setup };
    });
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new AppError('username_taken');
    throw error;
  }
}

/** Applies a name or status change with its audit event; deactivation ends every session of the user at once. */
export async function applyUserPatch(
  tx: Tx,
  ctx: RequestContext,
  id: string,
  patch: z.infer<typeof UserPatch>,
): Promise<void> {
  const current = await repo.selectUserState(tx, id);
  if (!current) throw new AppError('not_found');
  const next = {
    displayName: patch.displayName ?? current.displayName,
    active: patch.active ?? current.active,
  };
  const fields = [
    ...(next.displayName === current.displayName ? [] : ['display_name']),
    ...(next.active === current.active ? [] : ['active']),
  ];
  if (fields.length === 0) return;
  await keepingAnAdmin(tx, () => repo.updateUser(tx, id, next, ctx.now()));
  if (current.active && !next.active) await revokeUserSessions(tx, id, ctx.now());
  await writeAudit(tx, ctx, { action: 'user.update', entityType: 'user', entityId: id, fields });
}

export async function patchUser(
  deps: Deps,
  ctx: RequestContext,
  id: string,
  patch: z.infer<typeof UserPatch>,
  expectedVersion?: number | null,
): Promise<UserView> {
  const actor = requireActor(ctx);
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      await loadTarget(tx, actor, id, 'account');
      assertVersion(await repo.userVersion(tx, id), expectedVersion);
      if (patch.active === false && id === actor.userId) throw new AppError('forbidden');
      await applyUserPatch(tx, ctx, id, patch);
      return presentUser(tx, ctx, id);
    },
    { isolation: 'serializable' },
  );
}

/**
 * Sets a user's roles in one agency (an empty list removes the membership). The actor must be able to
 * grant every role added or taken away there; nobody changes their own roles. A change ends the user's
 * sessions, so the new rights apply from their next sign-in.
 */
export async function setMembership(
  deps: Deps,
  ctx: RequestContext,
  id: string,
  body: z.infer<typeof MembershipUpsert>,
  expectedVersion?: number | null,
): Promise<UserView> {
  const actor = requireActor(ctx);
  const roles = normaliseRoles(body.roles);
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const memberships = await loadTarget(tx, actor, id, 'memberships');
      // The memberships are part of the user's record: its version (and ETag) covers them.
      assertVersion(await repo.userVersion(tx, id), expectedVersion);
      if (id === actor.userId) throw new AppError('forbidden');
      if (!mayGrantIn(actor.memberships, body.agencyId)) throw new AppError('role_not_grantable');
      const current = memberships.find((m) => m.agencyId === body.agencyId)?.roles ?? [];
      const { added, removed } = roleChanges(current, roles);
      assertGrantable(actor.memberships, body.agencyId, [...added, ...removed]);
      if (added.length === 0 && removed.length === 0) return presentUser(tx, ctx, id);
      if (added.length > 0) {
        const agency = await selectAgency(tx, { all: true }, body.agencyId);
        const issues = agency?.active
          ? roleTypeIssues(added, agency.type, ctx.locale)
          : [invalid('agencyId', ctx.locale)];
        if (issues.length > 0) throw new AppError('validation_failed', issues);
      }
      await keepingAnAdmin(tx, () => repo.setMembershipRoles(tx, id, body.agencyId, roles, ctx.now()));
      await revokeUserSessions(tx, id, ctx.now());
      await writeAudit(tx, ctx, {
        action: 'user.roles_change',
        entityType: 'user',
        entityId: id,
        fields: ['roles'],
      });
      return presentUser(tx, ctx, id);
    },
    { isolation: 'serializable' },
  );
}

/** Clears password and second factor and returns a new one-time setup token (the route demands a recent step-up). */
export async function resetCredentials(
  deps: Deps,
  ctx: RequestContext,
  id: string,
): Promise<SetupIssuedResult> {
  const actor = requireActor(ctx);
  return withTx(deps.db.pool, actor, async (tx) => {
    await loadTarget(tx, actor, id, 'account');
    if (id === actor.userId) throw new AppError('forbidden');
    const setup = await issueSetupToken(tx, id, ctx.now());
    await writeAudit(tx, ctx, {
      action: 'user.reset_credentials',
      entityType: 'user',
      entityId: id,
      fields: ['password', 'mfa', 'recovery_codes', 'security_keys', 'setup_token'],
    });
    return { setupToken: setup.setupToken, setupExpiresAt: setup.setupExpiresAt.toISOString() };
  });
}

/** Ends every session of the user at once (a lost laptop, a suspected compromise). */
export async function revokeSessions(deps: Deps, ctx: RequestContext, id: string): Promise<void> {
  const actor = requireActor(ctx);
  await withTx(deps.db.pool, actor, async (tx) => {
    await loadTarget(tx, actor, id, 'account');
    await revokeUserSessions(tx, id, ctx.now());
    await writeAudit(tx, ctx, {
      action: 'user.revoke_sessions',
      entityType: 'user',
      entityId: id,
      fields: ['sessions'],
    });
  });
}
