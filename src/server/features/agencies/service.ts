import type { z } from 'zod';
import type {
  AgencyCreate,
  AgencyDirectoryEntry,
  AgencyListQuery,
  AgencyPatch,
  AgencyView,
} from '../../../shared/contracts/admin.js';
import { permissionScope } from '../../../shared/domain/access.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { assertVersion } from '../../platform/concurrency.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { keepingAnAdmin } from './last-admin.js';
import * as repo from './repo.js';

type Deps = Pick<AppDeps, 'db'>;
const UNIQUE_VIOLATION = '23505';

/** Case-insensitive, accent-sensitive text match in Node: the same on both engines, whatever their collation. */
function textMatcher(q: string | undefined): (...values: string[]) => boolean {
  const needle = q?.trim().toLocaleLowerCase();
  if (!needle) return () => true;
  return (...values) => values.some((v) => v.toLocaleLowerCase().includes(needle));
}

/** Agencies the actor may see, filtered by code or any localized name, sorted by name in the caller's language. */
export async function listAgencies(
  deps: Deps,
  ctx: RequestContext,
  query: z.infer<typeof AgencyListQuery>,
): Promise<{ items: AgencyView[]; total: number }> {
  const actor = requireActor(ctx);
  const scope = permissionScope(actor.memberships, 'agency.read');
  const rows = await withTx(
    deps.db.pool,
    actor,
    (tx) => repo.selectAgencies(tx, scope, query.includeInactive === 'true'),
    {
      readOnly: true,
    },
  );
  const matches = textMatcher(query.q);
  const collator = new Intl.Collator(ctx.locale, { sensitivity: 'base', numeric: true });
  const items = rows
    .filter((a) => matches(a.code, a.name.tk, a.name.ru, a.name.en))
    .sort((a, b) => collator.compare(a.name[ctx.locale], b.name[ctx.locale]) || a.code.localeCompare(b.code));
  return { items, total: items.length };
}

/** The directory of every agency (id, code, type, name, active), sorted by name in the caller's language. */
export async function agencyDirectory(deps: Deps, ctx: RequestContext): Promise<AgencyDirectoryEntry[]> {
  const actor = requireActor(ctx);
  const rows = await withTx(deps.db.pool, actor, (tx) => repo.selectDirectory(tx), { readOnly: true });
  const collator = new Intl.Collator(ctx.locale, { sensitivity: 'base', numeric: true });
  return rows.sort(
    (a, b) => collator.compare(a.name[ctx.locale], b.name[ctx.locale]) || a.code.localeCompare(b.code),
  );
}

/** One agency in the actor's read scope; anything else is "not found", exactly like an unknown id. */
export async function getAgency(deps: Deps, ctx: RequestContext, id: string): Promise<AgencyView> {
  const actor = requireActor(ctx);
  const scope = permissionScope(actor.memberships, 'agency.read');
  const agency = await withTx(deps.db.pool, actor, (tx) => repo.selectAgency(tx, scope, id), {
    readOnly: true,
  });
  if (!agency) throw new AppError('not_found');
  return agency;
}

/**
 * Inserts an agency and its audit event in the caller's transaction, with no access decision: the route
 * (after its checks), start-up tools and test factories all create agencies through here.
 */
export async function createAgencyRecord(
  tx: Tx,
  ctx: RequestContext,
  input: z.infer<typeof AgencyCreate>,
): Promise<AgencyView> {
  if (await repo.codeExists(tx, input.code)) throw new AppError('agency_code_taken');
  const region = input.region ?? null;
  const agency = await repo.insertAgency(
    tx,
    { code: input.code, type: input.type, name: input.name, region },
    ctx.now(),
  );
  await writeAudit(tx, ctx, {
    action: 'agency.create',
    entityType: 'agency',
    entityId: agency.id,
    fields: ['code', 'type', 'name', ...(region !== null ? ['region'] : [])],
  });
  return agency;
}

export async function createAgency(
  deps: Deps,
  ctx: RequestContext,
  input: z.infer<typeof AgencyCreate>,
): Promise<AgencyView> {
  const actor = requireActor(ctx);
  try {
    return await withTx(deps.db.pool, actor, (tx) => createAgencyRecord(tx, ctx, input));
  } catch (error) {
    // Two administrators creating the same code at once: the unique index decides.
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new AppError('agency_code_taken');
    throw error;
  }
}

const sameName = (a: repo.LocalizedName, b: repo.LocalizedName) =>
  a.tk === b.tk && a.ru === b.ru && a.en === b.en;

/** Changes name, region or active flag of an agency in the actor's manage scope; audits the changed columns. */
export async function updateAgency(
  deps: Deps,
  ctx: RequestContext,
  id: string,
  patch: z.infer<typeof AgencyPatch>,
  expectedVersion?: number | null,
): Promise<AgencyView> {
  const actor = requireActor(ctx);
  const readScope = permissionScope(actor.memberships, 'agency.read');
  const manageScope = permissionScope(actor.memberships, 'agency.manage');
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const visible = await repo.selectAgency(tx, readScope, id);
      const current = visible && (await repo.selectAgency(tx, manageScope, id, true));
      if (!current) throw new AppError(visible ? 'forbidden' : 'not_found');
      assertVersion(current.version, expectedVersion);
      const next = {
        name: patch.name ?? current.name,
        region: patch.region !== undefined ? patch.region : current.region,
        active: patch.active ?? current.active,
      };
      const fields = [
        ...(sameName(next.name, current.name) ? [] : ['name']),
        ...(next.region === current.region ? [] : ['region']),
        ...(next.active === current.active ? [] : ['active']),
      ];
      if (fields.length === 0) return current;
      // Deactivating the operator's agency would end every administrator's rights at once.
      const change = () => repo.updateAgency(tx, id, current.version, next, ctx.now());
      // Only deactivation can leave the system without an administrator (the count reads every agency).
      const updated = fields.includes('active') ? await keepingAnAdmin(tx, change) : await change();
      await writeAudit(tx, ctx, { action: 'agency.update', entityType: 'agency', entityId: id, fields });
      return updated;
    },
    // Deactivation must keep an administrator (a rule over many rows): SERIALIZABLE. Other changes touch
    // this row only, locked FOR UPDATE and checked against its version: READ COMMITTED suffices.
    patch.active !== undefined ? { isolation: 'serializable' } : {},
  );
}
