import type { ConsentPurpose, ConsentRecord, OverrideRecord } from '../../../shared/domain/consent.js';
import type { FieldClass } from '../../../shared/domain/fields.js';
import type { Tx } from '../../platform/tx.js';

/** Encrypted column of each field class. */
export const CLASS_COLUMN: Record<FieldClass, string> = {
  identity: 'identity_enc',
  contact: 'contact_enc',
  trafficking: 'trafficking_enc',
  health: 'health_enc',
  legal: 'legal_enc',
  child: 'child_enc',
};

/**
 * presumedChild() of shared/domain/consent.ts in SQL, at $2 (the age from the birth year is the younger
 * possibility; an estimate may be 2 years too high): a guardian's consent shares a person only while this
 * holds, as coveredClasses() decides.
 */
const PRESUMED_CHILD = `(p.birth_year IS NULL OR extract(year FROM ($2::timestamptz AT TIME ZONE 'UTC'))::int - p.birth_year - 1
  - CASE WHEN p.birth_year_estimated THEN 2 ELSE 0 END < 18)`;

/**
 * The scope predicate every person query carries: $1 = the caller's agencies (person.read), $2 = now.
 * A person is in scope when owned by one of them, or shared with one of them (named, or by its type of
 * agency) by a consent in force or an approved override for assistance or referral. Row-level security repeats the first two walls.
 */
const IN_SCOPE = `(p.owner_agency_id = ANY($1::uuid[])
  OR EXISTS (SELECT 1 FROM consents c WHERE c.person_id = p.id
              AND (c.recipient_agency_id = ANY($1::uuid[])
                   OR (c.recipient_agency_id IS NULL
                       AND c.recipient_type IN (SELECT a.type FROM agencies a WHERE a.id = ANY($1::uuid[]))))
              AND c.purpose IN ('referral', 'assistance') AND c.withdrawn_at IS NULL AND c.given_at <= $2
              AND (c.expires_at IS NULL OR c.expires_at > $2)
              AND (c.given_by = 'person' OR ${PRESUMED_CHILD}))
  OR EXISTS (SELECT 1 FROM consent_overrides o WHERE o.person_id = p.id AND o.recipient_agency_id = ANY($1::uuid[])
              AND o.purpose IN ('referral', 'assistance') AND o.status = 'approved' AND o.expires_at > $2))`;

export const PERSON_COLUMNS = `p.id, p.ref, p.owner_agency_id, p.sex, p.birth_year, p.birth_year_estimated, p.citizenships, p.languages,
  p.interpreter_needed, p.erased_at, p.created_at, p.version, p.merged_into`;

export interface PersonRow {
  id: string;
  ref: string;
  owner_agency_id: string;
  sex: string | null;
  birth_year: number | null;
  birth_year_estimated: boolean;
  citizenships: string[];
  languages: string[];
  interpreter_needed: boolean | null;
  erased_at: Date | null;
  /** Set on a merged duplicate (tombstone): the surviving record. */
  merged_into: string | null;
  created_at: Date;
  version: number;
}

export async function insertPerson(
  tx: Tx,
  values: {
    ref: string;
    ownerAgencyId: string;
    sex: string | null;
    birthYear: number | null;
    birthYearEstimated: boolean;
    citizenships: string[];
    languages: string[];
    interpreterNeeded: boolean | null;
    createdBy: string;
    now: Date;
  },
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO persons (ref, owner_agency_id, sex, birth_year, birth_year_estimated, citizenships, languages,
       interpreter_needed, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
    [
      values.ref,
      values.ownerAgencyId,
      values.sex,
      values.birthYear,
      values.birthYearEstimated,
      values.citizenships,
      values.languages,
      values.interpreterNeeded,
      values.createdBy,
      values.now,
    ],
  );
  return rows[0]!.id;
}

/** Writes sealed envelopes (null clears a class). Column names come from CLASS_COLUMN only. */
export async function writeSealed(
  tx: Tx,
  personId: string,
  sealed: Partial<Record<FieldClass, Buffer | null>>,
): Promise<void> {
  for (const [cls, value] of Object.entries(sealed) as Array<[FieldClass, Buffer | null]>) {
    const column = CLASS_COLUMN[cls];
    await tx.query(SET_COLUMN[column]!, [personId, value]);
  }
}

const SET_COLUMN: Record<string, string> = Object.fromEntries(
  Object.values(CLASS_COLUMN).map((column) => [column, `UPDATE persons SET ${column} = $2 WHERE id = $1`]),
);
const SELECT_SEALED: Record<string, string> = Object.fromEntries(
  Object.values(CLASS_COLUMN).map((column) => [
    column,
    `SELECT ${column} AS sealed FROM persons WHERE id = $1`,
  ]),
);

export async function readSealed(tx: Tx, personId: string, cls: FieldClass): Promise<Buffer | null> {
  const { rows } = await tx.query<{ sealed: Buffer | null }>(SELECT_SEALED[CLASS_COLUMN[cls]]!, [personId]);
  return rows[0]?.sealed ?? null;
}

export async function findInScope(
  tx: Tx,
  agencyIds: string[],
  now: Date,
  id: string,
  forUpdate = false,
): Promise<PersonRow | undefined> {
  const { rows } = await tx.query<PersonRow>(forUpdate ? FIND_FOR_UPDATE : FIND, [agencyIds, now, id]);
  return rows[0];
}
const FIND = `SELECT ${PERSON_COLUMNS} FROM persons p WHERE p.id = $3 AND ${IN_SCOPE}`;
const FIND_FOR_UPDATE = `${FIND} FOR UPDATE OF p`;

export async function listInScope(
  tx: Tx,
  agencyIds: string[],
  now: Date,
  limit: number,
  offset: number,
): Promise<{ rows: PersonRow[]; total: number }> {
  const { rows } = await tx.query<PersonRow & { total: number }>(LIST, [agencyIds, now, limit, offset]);
  return {
    rows,
    total: rows[0]?.total ?? (await tx.query<{ n: number }>(COUNT, [agencyIds, now])).rows[0]!.n,
  };
}
const LIST = `SELECT ${PERSON_COLUMNS}, count(*) OVER ()::int AS total FROM persons p WHERE p.merged_into IS NULL AND ${IN_SCOPE}
  ORDER BY p.created_at DESC, p.id LIMIT $3 OFFSET $4`;
const COUNT = `SELECT count(*)::int AS n FROM persons p WHERE p.merged_into IS NULL AND ${IN_SCOPE}`;

/** Of the given ids, those in the caller's scope. */
export async function filterInScope(
  tx: Tx,
  agencyIds: string[],
  now: Date,
  ids: string[],
): Promise<PersonRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<PersonRow>(FILTER, [agencyIds, now, ids]);
  return rows;
}
const FILTER = `SELECT ${PERSON_COLUMNS} FROM persons p WHERE p.merged_into IS NULL AND p.id = ANY($3::uuid[]) AND ${IN_SCOPE}`;

export interface DisclosureBasisRows {
  consents: ConsentRecord[];
  overrides: OverrideRecord[];
}

/** The consents and overrides of one person, as coveredClasses() reads them. */
export async function disclosureBasis(tx: Tx, personId: string): Promise<DisclosureBasisRows> {
  return (await disclosureBases(tx, [personId])).get(personId) ?? { consents: [], overrides: [] };
}

/** The same for many persons at once (exports): one query per table, grouped by person. */
export async function disclosureBases(
  tx: Tx,
  personIds: string[],
): Promise<Map<string, DisclosureBasisRows>> {
  const out = new Map<string, DisclosureBasisRows>(
    personIds.map((id) => [id, { consents: [], overrides: [] }]),
  );
  const consents = await tx.query(
    `SELECT person_id, purpose, recipient_agency_id, recipient_type, data_classes, given_by, given_at, expires_at,
            withdrawn_at
       FROM consents WHERE person_id = ANY($1::uuid[])`,
    [personIds],
  );
  const overrides = await tx.query(
    `SELECT person_id, purpose, recipient_agency_id, data_classes, status, expires_at
       FROM consent_overrides WHERE person_id = ANY($1::uuid[])`,
    [personIds],
  );
  for (const r of consents.rows)
    out.get(r.person_id)?.consents.push({
      purpose: r.purpose as ConsentPurpose,
      givenBy: r.given_by,
      recipientAgencyId: r.recipient_agency_id,
      recipientType: r.recipient_type,
      dataClasses: r.data_classes,
      givenAt: r.given_at,
      expiresAt: r.expires_at,
      withdrawnAt: r.withdrawn_at,
    });
  for (const r of overrides.rows)
    out.get(r.person_id)?.overrides.push({
      purpose: r.purpose as ConsentPurpose,
      recipientAgencyId: r.recipient_agency_id,
      dataClasses: r.data_classes,
      status: r.status,
      expiresAt: r.expires_at,
    });
  return out;
}

export async function bumpVersion(
  tx: Tx,
  personId: string,
  now: Date,
  changes: Record<string, unknown>,
): Promise<void> {
  await tx.query(
    `UPDATE persons SET sex = CASE WHEN $3 THEN $4 ELSE sex END,
            birth_year = CASE WHEN $5 THEN $6::int ELSE birth_year END,
            birth_year_estimated = coalesce($7, birth_year_estimated),
            citizenships = coalesce($8, citizenships), languages = coalesce($9, languages),
            interpreter_needed = CASE WHEN $10 THEN $11::boolean ELSE interpreter_needed END,
            updated_at = $2, version = version + 1
      WHERE id = $1`,
    [
      personId,
      now,
      'sex' in changes,
      changes.sex ?? null,
      'birthYear' in changes,
      changes.birthYear ?? null,
      changes.birthYearEstimated ?? null,
      changes.citizenships ?? null,
      changes.languages ?? null,
      'interpreterNeeded' in changes,
      changes.interpreterNeeded ?? null,
    ],
  );
}
