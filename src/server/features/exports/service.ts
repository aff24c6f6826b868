import type { z } from 'zod';
import type { ExportCreate, ExportView } from '../../../shared/contracts/exports.js';
import { permissionScope } from '../../../shared/domain/access.js';
import { type ConsentPurpose, coveredClasses } from '../../../shared/domain/consent.js';
import { type FieldClass, IDENTIFYING_CLASSES, readableClasses } from '../../../shared/domain/fields.js';
import { serverMessage } from '../../../shared/i18n/server/index.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type Actor, type RequestContext, requireActor } from '../../platform/context.js';
import { loadPersonKeys, openField } from '../../platform/crypto/index.js';
import { AppError } from '../../platform/errors.js';
import { withTx } from '../../platform/tx.js';
import { CLASS_COLUMN, disclosureBases } from '../persons/index.js';
import { type ExportFile, type ExportInput, type ExportRow, renderExport } from './render.js';

/**
 * Exports of an agency's person records (G07, ADR 15).
 * - A holder of person.export asks for an export of their agency's records, for a purpose, with the protected
 *   classes they may read. Pseudonymous statistical columns are always in it.
 * - An export with identity or contact data waits for a second person holding export.approve in the same
 *   agency (never the requester) and alerts the DPO when approved; any other export is ready at once.
 * - Only the requester downloads, within a day of the approval. The file is produced at each download from
 *   the data and the consents of that moment (a withdrawn consent empties the person's classes at once),
 *   carries the requester's watermark on every row, and is never stored. Every download is audited, and so is
 *   every person whose protected data it discloses ("who viewed whom").
 */

const PENDING_DAYS = 7;
const DOWNLOAD_HOURS = 24;

interface ExportDbRow {
  id: string;
  agency_id: string;
  purpose: ConsentPurpose;
  format: 'csv' | 'xlsx';
  data_classes: FieldClass[];
  identifying: boolean;
  status: 'pending' | 'approved' | 'rejected';
  requested_by: string;
  requested_by_name: string | null;
  requested_at: Date;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  expires_at: Date;
  downloads: number;
}

const SELECT = `SELECT e.*, r.display_name AS requested_by_name, d.display_name AS decided_by_name
  FROM person_exports e LEFT JOIN users r ON r.id = e.requested_by LEFT JOIN users d ON d.id = e.decided_by`;
const BY_ID = `${SELECT} WHERE e.id = $1 AND e.agency_id = ANY($2::uuid[])`;
const LIST = `${SELECT} WHERE e.agency_id = ANY($1::uuid[]) AND ($2::text IS NULL OR e.status = $2)
  ORDER BY e.requested_at DESC, e.id LIMIT 200`;

type View = z.infer<typeof ExportView>;

function view(r: ExportDbRow, actor: Actor): View {
  return {
    id: r.id,
    agencyId: r.agency_id,
    purpose: r.purpose,
    format: r.format,
    classes: r.data_classes,
    identifying: r.identifying,
    status: r.status,
    requestedBy: r.requested_by,
    requestedByName: r.requested_by_name,
    requestedAt: r.requested_at.toISOString(),
    decidedBy: r.decided_by,
    decidedByName: r.decided_by_name,
    decidedAt: r.decided_at?.toISOString() ?? null,
    expiresAt: r.expires_at.toISOString(),
    downloads: r.downloads,
    mine: r.requested_by === actor.userId,
  };
}

function agenciesWith(actor: Actor, permission: 'person.export' | 'export.approve'): string[] {
  const scope = permissionScope(actor.memberships, permission);
  return scope.all ? [] : scope.agencyIds;
}

/** The classes the actor's roles in `agencyId` may read. */
function readableIn(actor: Actor, agencyId: string): FieldClass[] {
  return readableClasses(actor.memberships.filter((m) => m.agencyId === agencyId).flatMap((m) => m.roles));
}

export async function requestExport(deps: AppDeps, ctx: RequestContext, body: z.infer<typeof ExportCreate>) {
  const actor = requireActor(ctx);
  const allowed = agenciesWith(actor, 'person.export');
  if (body.agencyId && !allowed.includes(body.agencyId)) throw new AppError('forbidden');
  const agencyId = body.agencyId ?? (allowed.length === 1 ? allowed[0] : undefined);
  if (!agencyId) {
    throw new AppError('validation_failed', [
      { path: 'agencyId', code: 'required', message: serverMessage(ctx.locale, 'issue.required') },
    ]);
  }
  const readable = readableIn(actor, agencyId);
  if (body.classes.some((c) => !readable.includes(c))) throw new AppError('forbidden');
  const identifying = body.classes.some((c) => IDENTIFYING_CLASSES.includes(c));
  const now = ctx.now();
  return withTx(deps.db.pool, actor, async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO person_exports (agency_id, purpose, format, data_classes, identifying, status, requested_by,
         requested_at, decided_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        agencyId,
        body.purpose,
        body.format,
        body.classes,
        identifying,
        identifying ? 'pending' : 'approved',
        actor.userId,
        now,
        identifying ? null : now,
        new Date(now.getTime() + (identifying ? PENDING_DAYS * 86400_000 : DOWNLOAD_HOURS * 3600_000)),
      ],
    );
    const id = rows[0]!.id;
    await writeAudit(tx, ctx, {
      action: 'export.request',
      entityType: 'person_export',
      entityId: id,
      fields: body.classes,
    });
    return view((await tx.query<ExportDbRow>(BY_ID, [id, [agencyId]])).rows[0]!, actor);
  });
}

/** The exports of the agencies where the actor may export or approve. */
export async function listExports(deps: AppDeps, ctx: RequestContext, status?: View['status']) {
  const actor = requireActor(ctx);
  const agencies = [
    ...new Set([...agenciesWith(actor, 'person.export'), ...agenciesWith(actor, 'export.approve')]),
  ];
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const { rows } = await tx.query<ExportDbRow>(LIST, [agencies, status ?? null]);
      return { items: rows.map((r) => view(r, actor)) };
    },
    { readOnly: true },
  );
}

/** The second approver's decision on a pending identifying export. */
export async function decideExport(
  deps: AppDeps,
  ctx: RequestContext,
  id: string,
  decision: 'approve' | 'reject',
) {
  const actor = requireActor(ctx);
  const now = ctx.now();
  return withTx(deps.db.pool, actor, async (tx) => {
    const found = await tx.query<ExportDbRow>(`${BY_ID} FOR UPDATE OF e`, [
      id,
      agenciesWith(actor, 'export.approve'),
    ]);
    const e = found.rows[0];
    if (!e) throw new AppError('not_found');
    if (e.requested_by === actor.userId) throw new AppError('export_self_approval');
    if (e.status !== 'pending' || e.expires_at <= now) throw new AppError('export_decided');
    const approved = decision === 'approve';
    await tx.query(
      'UPDATE person_exports SET status = $2, decided_by = $3, decided_at = $4, expires_at = $5 WHERE id = $1',
      [
        id,
        approved ? 'approved' : 'rejected',
        actor.userId,
        now,
        approved ? new Date(now.getTime() + DOWNLOAD_HOURS * 3600_000) : e.expires_at,
      ],
    );
    if (approved) {
      await tx.query(
        "INSERT INTO alerts (kind, user_id, agency_id, person_id, created_at) VALUES ('identifying_export', $1, $2, NULL, $3)",
        [e.requested_by, e.agency_id, now],
      );
    }
    await writeAudit(tx, ctx, {
      action: `export.${decision}`,
      entityType: 'person_export',
      entityId: id,
      fields: ['status'],
    });
    return view((await tx.query<ExportDbRow>(BY_ID, [id, [e.agency_id]])).rows[0]!, actor);
  });
}

interface PersonExportRow {
  id: string;
  ref: string;
  sex: string | null;
  birth_year: number | null;
  birth_year_estimated: boolean;
  citizenships: string[];
  languages: string[];
  interpreter_needed: boolean | null;
  created_at: Date;
  identity_enc: Buffer | null;
  contact_enc: Buffer | null;
  trafficking_enc: Buffer | null;
  health_enc: Buffer | null;
  legal_enc: Buffer | null;
  child_enc: Buffer | null;
}

const PERSONS = `SELECT p.id, p.ref, p.sex, p.birth_year, p.birth_year_estimated, p.citizenships, p.languages,
    p.interpreter_needed, p.created_at, p.identity_enc, p.contact_enc, p.trafficking_enc, p.health_enc, p.legal_enc,
    p.child_enc
  FROM persons p WHERE p.owner_agency_id = $1 AND p.merged_into IS NULL AND p.erased_at IS NULL
  ORDER BY p.created_at, p.id`;
/**
 * Produces the file of an export for its requester. Pending or rejected: export_not_approved; lapsed:
 * export_decided; anyone else's: not found. The requester must still hold person.export and read the classes.
 */
export async function downloadExport(deps: AppDeps, ctx: RequestContext, id: string): Promise<ExportFile> {
  const actor = requireActor(ctx);
  const now = ctx.now();
  const input = await withTx(deps.db.pool, actor, async (tx): Promise<ExportInput> => {
    const found = await tx.query<ExportDbRow>(`${BY_ID} FOR UPDATE OF e`, [
      id,
      agenciesWith(actor, 'person.export'),
    ]);
    const e = found.rows[0];
    if (!e || e.requested_by !== actor.userId) throw new AppError('not_found');
    if (e.status !== 'approved') throw new AppError('export_not_approved');
    if (e.expires_at <= now) throw new AppError('export_decided');
    const readable = readableIn(actor, e.agency_id);
    if (e.data_classes.some((c) => !readable.includes(c))) throw new AppError('forbidden');
    const agency = actor.memberships.find((m) => m.agencyId === e.agency_id)!;

    const persons = (await tx.query<PersonExportRow>(PERSONS, [e.agency_id])).rows;
    const ids = persons.map((p) => p.id);
    const basis = e.data_classes.length > 0 ? await disclosureBases(tx, ids) : null;
    const keys = e.data_classes.length > 0 ? await loadPersonKeys(tx, deps.keyring, ids) : new Map();
    const rows: ExportRow[] = [];
    for (const p of persons) {
      const covered = basis
        ? coveredClasses(basis.get(p.id)?.consents ?? [], basis.get(p.id)?.overrides ?? [], {
            purpose: e.purpose,
            recipientAgencyId: e.agency_id,
            recipientType: agency.agencyType,
            dataClasses: e.data_classes,
            at: now,
            subject: { birthYear: p.birth_year, birthYearEstimated: p.birth_year_estimated },
          })
        : [];
      const dek = keys.get(p.id);
      const values: Partial<Record<FieldClass, unknown>> = {};
      const disclosed: FieldClass[] = [];
      for (const c of covered) {
        if (!dek) break;
        const column = CLASS_COLUMN[c] as keyof PersonExportRow;
        const sealed = p[column] as Buffer | null;
        disclosed.push(c);
        if (sealed) values[c] = openField(dek, p.id, CLASS_COLUMN[c], sealed);
      }
      rows.push({
        ref: p.ref,
        registeredAt: p.created_at,
        sex: p.sex,
        birthYear: p.birth_year,
        birthYearEstimated: p.birth_year_estimated,
        citizenships: p.citizenships,
        languages: p.languages,
        interpreterNeeded: p.interpreter_needed,
        values,
        withheld: e.data_classes.filter((c) => !disclosed.includes(c)),
      });
      if (disclosed.length > 0) {
        await writeAudit(tx, ctx, {
          action: 'person.export',
          entityType: 'person',
          entityId: p.id,
          fields: disclosed,
        });
      }
    }
    await tx.query('UPDATE person_exports SET downloads = downloads + 1 WHERE id = $1', [id]);
    await writeAudit(tx, ctx, {
      action: 'export.download',
      entityType: 'person_export',
      entityId: id,
      fields: e.data_classes,
    });
    return {
      id: e.id,
      format: e.format,
      locale: ctx.locale,
      classes: e.data_classes,
      purpose: e.purpose,
      agencyName: agency.agencyName[ctx.locale],
      requestedBy: actor.username,
      approvedBy: e.decided_by_name,
      producedAt: now,
      rows,
    };
  });
  // rendered after the commit: the connection is not held while the file is built
  return renderExport(input);
}
