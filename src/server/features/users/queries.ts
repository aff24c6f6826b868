import type { z } from 'zod';
import type { UserListQuery, UserView } from '../../../shared/contracts/admin.js';
import { type Permission, permissionScope, type Role } from '../../../shared/domain/access.js';
import type { AppDeps } from '../../app.js';
import { type Actor, type RequestContext, requireActor } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { selectAgency } from '../agencies/index.js';
import { grantableFor, mayGrantIn } from './policy.js';
import * as repo from './repo.js';

type Deps = Pick<AppDeps, 'db'>;

/** The agencies whose users (and memberships) the actor sees: every agency for system admin and DPO. */
export const readScope = (actor: Actor) =>
  permissionScope(actor.memberships, 'user.read' satisfies Permission);

/** One user as the actor may see them, or 404 (identical for out-of-scope and unknown ids). */
export async function viewUser(tx: Tx, ctx: RequestContext, id: string): Promise<UserView> {
  if (!(await repo.userInScope(tx, readScope(requireActor(ctx)), id))) throw new AppError('not_found');
  return presentUser(tx, ctx, id);
}

/**
 * A user the actor was already allowed to act on, as the answer to that action, with memberships narrowed
 * to the actor's scope (after removing someone's last membership in scope, that list is empty).
 */
export async function presentUser(tx: Tx, ctx: RequestContext, id: string): Promise<UserView> {
  const [view] = await repo.selectUserViews(tx, [id], readScope(requireActor(ctx)), ctx.now());
  if (!view) throw new AppError('not_found');
  return view;
}

/** Case-insensitive text match done in Node: the same on both engines, whatever the database collation. */
function textMatcher(q: string | undefined): (...values: string[]) => boolean {
  const needle = q?.trim().toLocaleLowerCase();
  if (!needle) return () => true;
  return (...values) => values.some((v) => v.toLocaleLowerCase().includes(needle));
}

/**
 * Users in scope, filtered by agency, status and text (username or name), sorted by name in the caller's
 * language, one page at a time. The total counts the same filtered set.
 */
export async function listUsers(
  deps: Deps,
  ctx: RequestContext,
  query: z.infer<typeof UserListQuery>,
): Promise<{ items: UserView[]; total: number }> {
  const actor = requireActor(ctx);
  const scope = readScope(actor);
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const keys = await repo.selectUserKeys(tx, scope, {
        agencyId: query.agencyId,
        active: query.active === undefined ? undefined : query.active === 'true',
      });
      const matches = textMatcher(query.q);
      const collator = new Intl.Collator(ctx.locale, { sensitivity: 'base', numeric: true });
      const sorted = keys
        .filter((k) => matches(k.username, k.displayName))
        .sort(
          (a, b) => collator.compare(a.displayName, b.displayName) || a.username.localeCompare(b.username),
        );
      const page = sorted.slice(query.offset, query.offset + query.limit).map((k) => k.id);
      return { items: await repo.selectUserViews(tx, page, scope, ctx.now()), total: sorted.length };
    },
    { readOnly: true },
  );
}

export async function getUser(deps: Deps, ctx: RequestContext, id: string): Promise<UserView> {
  return withTx(deps.db.pool, requireActor(ctx), (tx) => viewUser(tx, ctx, id), { readOnly: true });
}

/**
 * The roles the actor may grant in an agency, limited to those meant for its type. Empty for an agency
 * outside the actor's reach, exactly as for an unknown one.
 */
export async function grantableRolesIn(
  deps: Deps,
  ctx: RequestContext,
  agencyId: string,
): Promise<{ roles: Role[] }> {
  const actor = requireActor(ctx);
  if (!mayGrantIn(actor.memberships, agencyId)) return { roles: [] };
  const agency = await withTx(deps.db.pool, actor, (tx) => selectAgency(tx, { all: true }, agencyId), {
    readOnly: true,
  });
  if (!agency?.active) return { roles: [] };
  return { roles: grantableFor(actor.memberships, agencyId, agency.type) };
}
