import type { z } from 'zod';
import type { AccessReportBody, HistoryEntry } from '../../../shared/contracts/person-records.js';
import { FIELD_CLASSES, type FieldClass } from '../../../shared/domain/fields.js';
import type { FileKind } from '../../../shared/domain/files.js';
import type { Locale } from '../../../shared/domain/locales.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { loadPersonKeys, openField } from '../../platform/crypto/index.js';
import { AppError } from '../../platform/errors.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { fileRows } from './files.js';
import { historyEntries, versionRows } from './history.js';
import * as repo from './repo.js';

/**
 * The data-subject access report (GDPR Art. 15, G25): everything held about one person, for the data
 * protection officer only (dsar.export, with a recent re-authentication). It is the one path that opens
 * every field class of a person regardless of agency: it runs on the named 'subject-access' system path,
 * reads in one transaction and writes its audit event in that transaction; the PDF is rendered in memory
 * and streamed, never stored.
 */

export interface ReportAgency {
  id: string;
  type: string;
  name: Record<string, string>;
}

export interface AccessReportData {
  locale: Locale;
  producedAt: Date;
  producedBy: string;
  person: {
    id: string;
    ref: string;
    ownerAgencyId: string;
    sex: string | null;
    birthYear: number | null;
    birthYearEstimated: boolean;
    citizenships: string[];
    languages: string[];
    interpreterNeeded: boolean | null;
    createdAt: Date;
    erasedAt: Date | null;
  };
  /** Whether the data key is gone (crypto-shredded): protected values can no longer be read. */
  shredded: boolean;
  classes: Partial<Record<FieldClass, unknown>>;
  consents: Array<{
    purpose: string;
    recipientAgencyId: string | null;
    recipientType: string | null;
    dataClasses: string[];
    givenBy: string;
    childAssent: boolean | null;
    evidence: string;
    givenAt: Date;
    expiresAt: Date | null;
    withdrawnAt: Date | null;
    withdrawnBy: string | null;
  }>;
  overrides: Array<{
    purpose: string;
    recipientAgencyId: string;
    dataClasses: string[];
    /** Null when it cannot be read any more (shredded). */
    reason: string | null;
    status: string;
    requestedAt: Date;
    decidedAt: Date | null;
    expiresAt: Date;
  }>;
  files: Array<{
    kind: FileKind;
    contentType: string;
    sizeBytes: number;
    uploadedAt: Date;
    uploadedBy: string;
  }>;
  history: Array<z.infer<typeof HistoryEntry>>;
  access: Array<{
    at: Date;
    user: string | null;
    agencyId: string | null;
    action: string;
    outcome: string;
    fields: string[];
  }>;
  agencies: Map<string, ReportAgency>;
  users: Map<string, string>;
}

/** An override's reason, sealed by the consent ledger under the person's key (base64); shredded: null. */
function openReason(dek: Buffer | undefined, personId: string, stored: string): string | null {
  if (!dek) return null;
  return openField<string>(dek, personId, 'consent_overrides.reason', Buffer.from(stored, 'base64'));
}

async function gather(
  deps: AppDeps,
  tx: Tx,
  ctx: RequestContext,
  ref: string,
  locale: Locale,
): Promise<AccessReportData> {
  const actor = requireActor(ctx);
  const found = await tx.query<repo.PersonRow>(
    `SELECT ${repo.PERSON_COLUMNS} FROM persons p WHERE p.ref = $1`,
    [ref],
  );
  const row = found.rows[0];
  if (!row) throw new AppError('not_found');
  const dek = (await loadPersonKeys(tx, deps.keyring, [row.id])).get(row.id.toLowerCase());
  const classes: Partial<Record<FieldClass, unknown>> = {};
  if (dek) {
    for (const c of FIELD_CLASSES) {
      const sealed = await repo.readSealed(tx, row.id, c);
      if (sealed) classes[c] = openField(dek, row.id, repo.CLASS_COLUMN[c], sealed);
    }
  }
  const consents = await tx.query(
    `SELECT purpose, recipient_agency_id, recipient_type, data_classes, given_by, child_assent, evidence, given_at,
            expires_at, withdrawn_at, withdrawn_by
       FROM consents WHERE person_id = $1 ORDER BY given_at, id`,
    [row.id],
  );
  const overrides = await tx.query(
    `SELECT purpose, recipient_agency_id, data_classes, reason, status, requested_at, decided_at, expires_at
       FROM consent_overrides WHERE person_id = $1 ORDER BY requested_at, id`,
    [row.id],
  );
  const files = await fileRows(tx, row.id);
  const history = historyEntries(await versionRows(tx, row.id), row.id, dek, FIELD_CLASSES, [
    'statistics',
    ...FIELD_CLASSES,
  ]);
  const access = await tx.query<{
    at: Date;
    actor_user_id: string | null;
    actor_agency_id: string | null;
    action: string;
    outcome: string;
    fields: string[];
  }>(
    `SELECT at, actor_user_id, actor_agency_id, action, outcome, fields FROM audit_events
      WHERE entity_type = 'person' AND entity_id = $1 ORDER BY seq`,
    [row.id],
  );
  const userIds = new Set<string>([actor.userId]);
  for (const f of files) userIds.add(f.uploaded_by);
  for (const a of access.rows) if (a.actor_user_id) userIds.add(a.actor_user_id);
  for (const h of history) userIds.add(h.changedBy);
  const users = await tx.query<{ id: string; display_name: string }>(
    'SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])',
    [[...userIds]],
  );
  const agencyIds = new Set<string>([row.owner_agency_id]);
  for (const c of consents.rows) if (c.recipient_agency_id) agencyIds.add(c.recipient_agency_id);
  for (const o of overrides.rows) agencyIds.add(o.recipient_agency_id);
  for (const a of access.rows) if (a.actor_agency_id) agencyIds.add(a.actor_agency_id);
  const agencies = await tx.query<ReportAgency>(
    'SELECT id, type, name FROM agencies WHERE id = ANY($1::uuid[])',
    [[...agencyIds]],
  );
  const userNames = new Map(users.rows.map((u) => [u.id, u.display_name]));
  return {
    locale,
    producedAt: ctx.now(),
    producedBy: userNames.get(actor.userId) ?? actor.userId,
    person: {
      id: row.id,
      ref: row.ref,
      ownerAgencyId: row.owner_agency_id,
      sex: row.sex,
      birthYear: row.birth_year,
      birthYearEstimated: row.birth_year_estimated,
      citizenships: row.citizenships,
      languages: row.languages,
      interpreterNeeded: row.interpreter_needed,
      createdAt: row.created_at,
      erasedAt: row.erased_at,
    },
    shredded: !dek,
    classes,
    consents: consents.rows.map((c) => ({
      purpose: c.purpose,
      recipientAgencyId: c.recipient_agency_id,
      recipientType: c.recipient_type,
      dataClasses: c.data_classes,
      givenBy: c.given_by,
      childAssent: c.child_assent,
      evidence: c.evidence,
      givenAt: c.given_at,
      expiresAt: c.expires_at,
      withdrawnAt: c.withdrawn_at,
      withdrawnBy: c.withdrawn_by,
    })),
    overrides: overrides.rows.map((o) => ({
      purpose: o.purpose,
      recipientAgencyId: o.recipient_agency_id,
      dataClasses: o.data_classes,
      reason: openReason(dek, row.id, o.reason),
      status: o.status,
      requestedAt: o.requested_at,
      decidedAt: o.decided_at,
      expiresAt: o.expires_at,
    })),
    files: files.map((f) => ({
      kind: f.kind,
      contentType: f.content_type,
      sizeBytes: f.size_bytes,
      uploadedAt: f.uploaded_at,
      uploadedBy: f.uploaded_by,
    })),
    history,
    access: access.rows.map((a) => ({
      at: a.at,
      user: a.actor_user_id,
      agencyId: a.actor_agency_id,
      action: a.action,
      outcome: a.outcome,
      fields: a.fields,
    })),
    agencies: new Map(agencies.rows.map((a) => [a.id, a])),
    users: userNames,
  };
}

/**
 * Collects the report for the person with this reference and records the export (the audit event names
 * what the report contains, never a value). The report shows the export itself as its last access.
 */
export async function accessReport(
  deps: AppDeps,
  ctx: RequestContext,
  body: z.infer<typeof AccessReportBody>,
): Promise<AccessReportData> {
  const actor = requireActor(ctx);
  const locale = body.locale ?? ctx.locale;
  return withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const probe = await tx.query<{ id: string }>('SELECT id FROM persons WHERE ref = $1', [body.ref]);
      if (!probe.rows[0]) throw new AppError('not_found');
      await writeAudit(tx, ctx, {
        action: 'person.access_report',
        entityType: 'person',
        entityId: probe.rows[0].id,
        fields: ['statistics', ...FIELD_CLASSES, 'consents', 'overrides', 'files', 'history', 'access_log'],
      });
      return gather(deps, tx, ctx, body.ref, locale);
    },
    { systemPath: 'subject-access' },
  );
}
