import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type {
  PersonCreate,
  PersonPatch,
  PersonSearchBody,
  PersonView,
} from '../../../shared/contracts/persons.js';
import { presumedChild } from '../../../shared/domain/consent.js';
import { FIELD_CLASSES, type FieldClass, writableClasses } from '../../../shared/domain/fields.js';
import { serverMessage } from '../../../shared/i18n/server/index.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { assertVersion } from '../../platform/concurrency.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { createPersonKey, loadPersonKeys, openField, sealField } from '../../platform/crypto/index.js';
import { AppError } from '../../platform/errors.js';
import { SERIALIZABLE, type Tx, withTx } from '../../platform/tx.js';
import { brake, identifying } from './brake.js';
import { auditGrantRead, findUnderGrant } from './break-glass.js';
import { keepPreviousVersion } from './history.js';
import { agenciesWith, classAccess, readAgencies } from './policy.js';
import * as repo from './repo.js';
import { searchPersons, writeNameTokens } from './search/index.js';

type Create = z.infer<typeof PersonCreate>;
type Patch = z.infer<typeof PersonPatch>;
type Classes = Partial<Record<FieldClass, unknown>>;

const STAT_FIELDS = [
  'sex',
  'birthYear',
  'birthYearEstimated',
  'citizenships',
  'languages',
  'interpreterNeeded',
] as const;
export const STAT_COLUMN: Record<(typeof STAT_FIELDS)[number], string> = {
  sex: 'sex',
  birthYear: 'birth_year',
  birthYearEstimated: 'birth_year_estimated',
  citizenships: 'citizenships',
  languages: 'languages',
  interpreterNeeded: 'interpreter_needed',
};
/** A score from which a match in another agency raises a duplicate-review task. */
const REVIEW_SCORE = 0.6;

/** Crockford base32, no I L O U: readable over the phone, no words. */
function newRef(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(8);
  const chars = [...bytes].map((b) => alphabet[b % 32]).join('');
  return `P-${chars.slice(0, 4)}-${chars.slice(4, 8)}`;
}

function classesIn(body: Classes): FieldClass[] {
  return FIELD_CLASSES.filter((c) => body[c] !== undefined);
}

function statFieldsIn(body: Patch): Array<(typeof STAT_FIELDS)[number]> {
  return STAT_FIELDS.filter((f) => body[f] !== undefined);
}

function namesOf(identity: unknown): string[] {
  const names = (identity as { names?: Array<{ value: string }> } | undefined)?.names ?? [];
  return names.map((n) => n.value);
}

export function toView(
  row: repo.PersonRow,
  access: { readable: FieldClass[]; writable: FieldClass[] },
  now: Date,
  grantExpiresAt?: Date,
): PersonView {
  return {
    id: row.id,
    ref: row.ref,
    sex: row.sex as PersonView['sex'],
    birthYear: row.birth_year,
    ownerAgencyId: row.owner_agency_id,
    createdAt: row.created_at.toISOString(),
    birthYearEstimated: row.birth_year_estimated,
    citizenships: row.citizenships,
    languages: row.languages,
    interpreterNeeded: row.interpreter_needed,
    presumedChild: presumedChild(row.birth_year, row.birth_year_estimated, now),
    erased: row.erased_at !== null,
    erasedAt: row.erased_at?.toISOString() ?? null,
    mergedInto: row.merged_into ?? null,
    version: row.version,
    readable: row.erased_at || row.merged_into ? [] : access.readable,
    writable: row.erased_at || row.merged_into ? [] : access.writable,
    emergencyAccessUntil: grantExpiresAt?.toISOString() ?? null,
  };
}

export function summaryOf(row: repo.PersonRow) {
  return {
    id: row.id,
    ref: row.ref,
    sex: row.sex as PersonView['sex'],
    birthYear: row.birth_year,
    ownerAgencyId: row.owner_agency_id,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Loads a person in the caller's scope, with what they may read and write; out of scope is not found.
 * `allowGrant`: reads only; a person outside the scope is found under the caller's unexpired break-the-glass
 * grant (break-glass.ts), and `grantId` tells the caller to audit the read with it.
 */
export async function loadForActor(
  tx: Tx,
  ctx: RequestContext,
  id: string,
  forUpdate = false,
  allowGrant = false,
): Promise<{
  row: repo.PersonRow;
  access: { readable: FieldClass[]; writable: FieldClass[] };
  grantId?: string;
  grantExpiresAt?: Date;
}> {
  const actor = requireActor(ctx);
  const row = await repo.findInScope(tx, readAgencies(actor), ctx.now(), id, forUpdate);
  if (!row && allowGrant) {
    const granted = await findUnderGrant(tx, ctx, id);
    if (granted) return granted;
  }
  if (!row) throw new AppError('not_found');
  const access = classAccess(
    actor,
    {
      ownerAgencyId: row.owner_agency_id,
      birthYear: row.birth_year,
      birthYearEstimated: row.birth_year_estimated,
    },
    await repo.disclosureBasis(tx, id),
    ctx.now(),
  );
  // Shared by a consent that was withdrawn between the two reads above (each statement sees the latest
  // commit): answer as if it had been withdrawn before, not found, rather than forbidden.
  if (
    access.readable.length === 0 &&
    !readAgencies(actor).includes(row.owner_agency_id) &&
    !(await repo.findInScope(tx, readAgencies(actor), ctx.now(), id))
  )
    throw new AppError('not_found');
  return { row, access };
}

/** Matches of a name among all persons: those in scope are returned; others raise review tasks. */
async function duplicates(
  deps: AppDeps,
  tx: Tx,
  ctx: RequestContext,
  personId: string,
  query: z.infer<typeof PersonSearchBody>,
) {
  const actor = requireActor(ctx);
  const matches = (await searchPersons(tx, deps.keyring.blindIndex, query, 10)).filter(
    (m) => m.personId !== personId,
  );
  const visible = await repo.filterInScope(
    tx,
    readAgencies(actor),
    ctx.now(),
    matches.map((m) => m.personId),
  );
  const visibleIds = new Set(visible.map((v) => v.id));
  for (const m of matches) {
    if (visibleIds.has(m.personId) || m.score < REVIEW_SCORE) continue;
    const task = await tx.query<{ id: string }>(
      `INSERT INTO tasks (kind, role, person_id, related_person_id, created_at)
       VALUES ('duplicate_review', 'national_coordinator', $1, $2, $3) RETURNING id`,
      [personId, m.personId, ctx.now()],
    );
    await writeAudit(tx, ctx, {
      action: 'task.create',
      entityType: 'task',
      entityId: task.rows[0]!.id,
      fields: ['kind'],
    });
  }
  const score = new Map(matches.map((m) => [m.personId, m.score]));
  return visible
    .map((row) => ({ ...summaryOf(row), score: score.get(row.id) ?? 0 }))
    .sort((a, b) => b.score - a.score);
}

export async function createPerson(deps: AppDeps, ctx: RequestContext, body: Create) {
  const actor = requireActor(ctx);
  const allowed = agenciesWith(actor, 'person.create');
  const agencyId = body.agencyId ?? (allowed.length === 1 ? allowed[0] : undefined);
  if (body.agencyId && !allowed.includes(body.agencyId)) throw new AppError('forbidden');
  if (!agencyId) {
    throw new AppError('validation_failed', [
      { path: 'agencyId', code: 'required', message: serverMessage(ctx.locale, 'issue.required') },
    ]);
  }
  const roles = actor.memberships.filter((m) => m.agencyId === agencyId).flatMap((m) => m.roles);
  const classes = classesIn(body);
  const writable = writableClasses(roles);
  if (classes.some((c) => !writable.includes(c))) throw new AppError('field_not_writable');
  const now = ctx.now();
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const id = await repo.insertPerson(tx, {
        ref: newRef(),
        ownerAgencyId: agencyId,
        sex: body.sex ?? null,
        birthYear: body.birthYear ?? null,
        birthYearEstimated: body.birthYearEstimated ?? false,
        citizenships: body.citizenships ?? [],
        languages: body.languages ?? [],
        interpreterNeeded: body.interpreterNeeded ?? null,
        createdBy: actor.userId,
        now,
      });
      const dek = await createPersonKey(tx, deps.keyring, id);
      const sealed: Partial<Record<FieldClass, Buffer>> = {};
      for (const c of classes) sealed[c] = sealField(dek, id, repo.CLASS_COLUMN[c], body[c]);
      await repo.writeSealed(tx, id, sealed);
      const names = namesOf(body.identity);
      if (names.length > 0) await writeNameTokens(tx, deps.keyring.blindIndex, id, names);
      await writeAudit(tx, ctx, {
        action: 'person.create',
        entityType: 'person',
        entityId: id,
        actorAgencyId: agencyId,
        fields: [...statFieldsIn(body).map((f) => STAT_COLUMN[f]), ...classes],
      });
      const possibleDuplicates =
        names.length > 0
          ? await duplicates(deps, tx, ctx, id, {
              name: names[0]!,
              birthYear: body.birthYear ?? undefined,
              sex: body.sex ?? undefined,
            })
          : [];
      const { row, access } = await loadForActor(tx, ctx, id);
      return { person: toView(row, access, now), possibleDuplicates };
    },
    SERIALIZABLE,
  );
}

export async function listPersons(deps: AppDeps, ctx: RequestContext, limit: number, offset: number) {
  const actor = requireActor(ctx);
  const { rows, total } = await withTx(
    deps.db.pool,
    actor,
    (tx) => repo.listInScope(tx, readAgencies(actor), ctx.now(), limit, offset),
    { readOnly: true },
  );
  return { items: rows.map(summaryOf), total };
}

export async function getPerson(deps: AppDeps, ctx: RequestContext, id: string) {
  return withTx(deps.db.pool, ctx.actor, async (tx) => {
    const { row, access, grantId, grantExpiresAt } = await loadForActor(tx, ctx, id, false, true);
    if (grantId) await auditGrantRead(tx, ctx, grantId, ['record']);
    return toView(row, access, ctx.now(), grantExpiresAt);
  });
}

/**
 * Reveals field classes of one person: each reveal is an audited disclosure. Identifying reveals are
 * braked: past the hourly limit of distinct persons, the user must re-authenticate and the DPO is alerted.
 */
export async function revealPerson(deps: AppDeps, ctx: RequestContext, id: string, classes: FieldClass[]) {
  const actor = requireActor(ctx);
  return withTx(deps.db.pool, actor, async (tx) => {
    const { row, access, grantId } = await loadForActor(tx, ctx, id, false, true);
    if (classes.some((c) => !access.readable.includes(c))) throw new AppError('forbidden');
    if (identifying({ classes }))
      await brake(deps, tx, ctx, row, { action: 'person.reveal', fields: classes });
    const out: Partial<Record<FieldClass, unknown>> = {};
    if (!row.erased_at) {
      const dek = (await loadPersonKeys(tx, deps.keyring, [id])).get(id);
      if (dek) {
        for (const c of classes) {
          const sealed = await repo.readSealed(tx, id, c);
          if (sealed) out[c] = openField(dek, id, repo.CLASS_COLUMN[c], sealed);
        }
      }
    }
    await writeAudit(tx, ctx, {
      action: 'person.reveal',
      entityType: 'person',
      entityId: id,
      fields: classes,
    });
    if (grantId) await auditGrantRead(tx, ctx, grantId, classes);
    return out;
  });
}

export async function patchPerson(
  deps: AppDeps,
  ctx: RequestContext,
  id: string,
  body: Patch,
  expectedVersion?: number | null,
) {
  const actor = requireActor(ctx);
  const now = ctx.now();
  return withTx(deps.db.pool, actor, async (tx) => {
    const { row, access } = await loadForActor(tx, ctx, id, true);
    const classes = classesIn(body);
    const stats = statFieldsIn(body);
    const mayUpdate = agenciesWith(actor, 'person.update').includes(row.owner_agency_id);
    if (!mayUpdate || row.erased_at || row.merged_into) throw new AppError('forbidden');
    if (classes.some((c) => !access.writable.includes(c))) throw new AppError('field_not_writable');
    assertVersion(row.version, expectedVersion);
    if (classes.length === 0 && stats.length === 0) return toView(row, access, now);
    const dek = (await loadPersonKeys(tx, deps.keyring, [id])).get(id);
    if (!dek) throw new AppError('forbidden');
    const sealed: Partial<Record<FieldClass, Buffer>> = {};
    for (const c of classes) sealed[c] = sealField(dek, id, repo.CLASS_COLUMN[c], body[c]);
    await keepPreviousVersion(
      tx,
      ctx,
      row,
      dek,
      classes,
      stats,
      stats.map((f) => STAT_COLUMN[f]),
    );
    await repo.writeSealed(tx, id, sealed);
    if (body.identity) await writeNameTokens(tx, deps.keyring.blindIndex, id, namesOf(body.identity));
    await repo.bumpVersion(tx, id, now, body);
    await writeAudit(tx, ctx, {
      action: 'person.update',
      entityType: 'person',
      entityId: id,
      fields: [...stats.map((f) => STAT_COLUMN[f]), ...classes],
    });
    const fresh = await loadForActor(tx, ctx, id);
    return toView(fresh.row, fresh.access, now);
  });
}

/** Name search inside the caller's scope only: matches elsewhere are neither shown nor counted. */
export async function searchInScope(
  deps: AppDeps,
  ctx: RequestContext,
  query: z.infer<typeof PersonSearchBody>,
) {
  const actor = requireActor(ctx);
  return withTx(deps.db.pool, actor, async (tx) => {
    const matches = await searchPersons(tx, deps.keyring.blindIndex, query, 50);
    const visible = await repo.filterInScope(
      tx,
      readAgencies(actor),
      ctx.now(),
      matches.map((m) => m.personId),
    );
    const score = new Map(matches.map((m) => [m.personId, m.score]));
    await writeAudit(tx, ctx, {
      action: 'person.search',
      entityType: 'person',
      fields: ['name', ...(query.birthYear ? ['birth_year'] : []), ...(query.sex ? ['sex'] : [])],
    });
    return visible
      .map((row) => ({ ...summaryOf(row), score: score.get(row.id) ?? 0 }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 10);
  });
}
