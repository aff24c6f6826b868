import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });
const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const agencies = pgTable('agencies', {
  id: uuid('id').primaryKey().defaultRandom(),
  code: text('code').notNull().unique(),
  type: text('type').notNull(),
  name: jsonb('name').$type<{ tk: string; ru: string; en: string }>().notNull(),
  region: text('region'),
  active: boolean('active').notNull().default(true),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
  version: integer('version').notNull().default(1),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    locale: text('locale').notNull().default('tk'),
    passwordHash: text('password_hash'),
    passwordChangedAt: tstz('password_changed_at'),
    /** TOTP secret, encrypted with the instance secret key (AES-256-GCM). */
    mfaSecretEnc: bytea('mfa_secret_enc'),
    mfaEnrolledAt: tstz('mfa_enrolled_at'),
    /** Last TOTP time step accepted: a code is never accepted twice. */
    mfaLastStep: bigint('mfa_last_step', { mode: 'number' }),
    /** Demo accounts may skip MFA, and only while the instance runs in demo mode. */
    demoAccount: boolean('demo_account').notNull().default(false),
    active: boolean('active').notNull().default(true),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: tstz('locked_until'),
    mfaFailures: integer('mfa_failures').notNull().default(0),
    mfaWindowStart: tstz('mfa_window_start'),
    setupTokenHash: bytea('setup_token_hash'),
    setupExpiresAt: tstz('setup_expires_at'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('users_username_key').on(t.username),
    index('users_setup_token_idx').on(t.setupTokenHash),
  ],
);

export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: bytea('code_hash').notNull(),
    usedAt: tstz('used_at'),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

export const memberships = pgTable(
  'memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    agencyId: uuid('agency_id')
      .notNull()
      .references(() => agencies.id),
    roles: text('roles').array().notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('memberships_user_agency_key').on(t.userId, t.agencyId),
    index('memberships_agency_idx').on(t.agencyId),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: bytea('token_hash').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** false until the second factor was checked (or skipped for a demo account in demo mode). */
    mfaVerified: boolean('mfa_verified').notNull().default(false),
    createdAt: tstz('created_at').notNull().defaultNow(),
    lastSeenAt: tstz('last_seen_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    /** Last time the user proved password + second factor (sign-in or step-up). */
    authenticatedAt: tstz('authenticated_at').notNull().defaultNow(),
    revokedAt: tstz('revoked_at'),
    /** A pending WebAuthn challenge (registration or assertion) for this session, and its expiry. */
    webauthnChallenge: text('webauthn_challenge'),
    webauthnChallengeExpiresAt: tstz('webauthn_challenge_expires_at'),
  },
  (t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
);

/** Per-source sign-in throttle. The key is an HMAC of the address: no address is stored. */
export const loginThrottle = pgTable('login_throttle', {
  sourceKey: bytea('source_key').primaryKey(),
  windowStart: tstz('window_start').notNull(),
  attempts: integer('attempts').notNull(),
});

export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: tstz('at').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorAgencyId: uuid('actor_agency_id'),
    actorRole: text('actor_role'),
    action: text('action').notNull(),
    outcome: text('outcome').notNull(),
    entityType: text('entity_type'),
    entityId: text('entity_id'),
    fields: text('fields').array().notNull().default(sql`'{}'::text[]`),
    requestId: text('request_id'),
    prevHash: bytea('prev_hash').notNull(),
    hash: bytea('hash').notNull(),
  },
  (t) => [
    index('audit_events_actor_idx').on(t.actorUserId, t.seq),
    index('audit_events_entity_idx').on(t.entityType, t.entityId, t.seq),
    index('audit_events_action_idx').on(t.action, t.seq),
  ],
);

/** One row: the head of the audit hash chain. Locking it orders all audit writes. */
export const auditHead = pgTable('audit_head', {
  id: integer('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: bytea('hash').notNull(),
});

/** Security keys and passkeys (WebAuthn) registered as a second factor. */
export const webauthnCredentials = pgTable(
  'webauthn_credentials',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** base64url credential id as the authenticator reports it. */
    credentialId: text('credential_id').notNull(),
    publicKey: bytea('public_key').notNull(),
    counter: bigint('counter', { mode: 'number' }).notNull().default(0),
    transports: text('transports').array().notNull().default(sql`'{}'::text[]`),
    label: text('label').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    lastUsedAt: tstz('last_used_at'),
  },
  (t) => [
    uniqueIndex('webauthn_credentials_credential_key').on(t.credentialId),
    index('webauthn_credentials_user_idx').on(t.userId),
  ],
);

/**
 * One record per survivor (or person of concern). Statistical variables stay in clear columns; every
 * sensitive field class is one AES-256-GCM envelope under the person's own data key (person_keys), bound
 * to this row and column, so that destroying the key erases the person everywhere the key is gone.
 */
export const persons = pgTable(
  'persons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Pseudonymous reference shown in lists instead of a name. */
    ref: text('ref').notNull(),
    ownerAgencyId: uuid('owner_agency_id')
      .notNull()
      .references(() => agencies.id),
    /** HTCDS prs_gender code. */
    sex: text('sex'),
    birthYear: integer('birth_year'),
    birthYearEstimated: boolean('birth_year_estimated').notNull().default(false),
    /** ISO 3166-1 alpha-2 codes. */
    citizenships: text('citizenships').array().notNull().default(sql`'{}'::text[]`),
    /** ISO 639 codes. */
    languages: text('languages').array().notNull().default(sql`'{}'::text[]`),
    interpreterNeeded: boolean('interpreter_needed'),
    identityEnc: bytea('identity_enc'),
    contactEnc: bytea('contact_enc'),
    traffickingEnc: bytea('trafficking_enc'),
    healthEnc: bytea('health_enc'),
    legalEnc: bytea('legal_enc'),
    childEnc: bytea('child_enc'),
    /** Set when the data key was destroyed: the encrypted classes are gone for good. */
    erasedAt: tstz('erased_at'),
    createdBy: uuid('created_by'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('persons_ref_key').on(t.ref),
    index('persons_owner_idx').on(t.ownerAgencyId, t.createdAt),
    index('persons_block_idx').on(t.birthYear, t.sex),
  ],
);

/** The person's data key, wrapped (AES-256-GCM) under a master key; deleting the row crypto-shreds the person. */
export const personKeys = pgTable('person_keys', {
  personId: uuid('person_id')
    .primaryKey()
    .references(() => persons.id),
  kekId: text('kek_id').notNull(),
  wrappedDek: bytea('wrapped_dek').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  rewrappedAt: tstz('rewrapped_at'),
});

/** Blind-index tokens of a person's names (keyed HMACs of normalised forms): search never sees plaintext. */
export const personNameTokens = pgTable(
  'person_name_tokens',
  {
    token: bytea('token').notNull(),
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id, { onDelete: 'cascade' }),
    /** 0: whole normalised name part, 1: transliteration skeleton, 2: one-deletion neighbour (typos), 3: combination of parts of one name (makes common names searchable). */
    kind: integer('kind').notNull(),
  },
  (t) => [
    uniqueIndex('person_name_tokens_key').on(t.token, t.personId),
    index('person_name_tokens_person_idx').on(t.personId),
  ],
);

/** The consent ledger: who agreed to which disclosure, to whom, of which data, on what evidence, until when. */
export const consents = pgTable(
  'consents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id),
    purpose: text('purpose').notNull(),
    recipientAgencyId: uuid('recipient_agency_id').references(() => agencies.id),
    recipientType: text('recipient_type'),
    dataClasses: text('data_classes').array().notNull(),
    givenBy: text('given_by').notNull(),
    childAssent: boolean('child_assent'),
    evidence: text('evidence').notNull(),
    givenAt: tstz('given_at').notNull(),
    expiresAt: tstz('expires_at'),
    withdrawnAt: tstz('withdrawn_at'),
    withdrawnBy: text('withdrawn_by'),
    recordedBy: uuid('recorded_by').notNull(),
    recordedAgencyId: uuid('recorded_agency_id')
      .notNull()
      .references(() => agencies.id),
    /** The person's owning agency, copied so that row-level security needs no join to persons. */
    ownerAgencyId: uuid('owner_agency_id')
      .notNull()
      .references(() => agencies.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('consents_person_idx').on(t.personId),
    index('consents_recipient_idx').on(t.recipientAgencyId, t.personId),
  ],
);

/** Disclosure without (or beyond) consent: needs the consent_override right, a reason and a second approver. */
export const consentOverrides = pgTable(
  'consent_overrides',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id),
    purpose: text('purpose').notNull(),
    recipientAgencyId: uuid('recipient_agency_id')
      .notNull()
      .references(() => agencies.id),
    dataClasses: text('data_classes').array().notNull(),
    reason: text('reason').notNull(),
    requestedBy: uuid('requested_by').notNull(),
    requestedAt: tstz('requested_at').notNull(),
    decidedBy: uuid('decided_by'),
    decidedAt: tstz('decided_at'),
    status: text('status').notNull(),
    expiresAt: tstz('expires_at').notNull(),
  },
  (t) => [index('consent_overrides_person_idx').on(t.personId)],
);

/** Work items the system raises for people: duplicate reviews, consent at 18, approvals. */
export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    status: text('status').notNull().default('open'),
    /** Who should act: a role, optionally within one agency. */
    role: text('role').notNull(),
    agencyId: uuid('agency_id').references(() => agencies.id),
    personId: uuid('person_id').references(() => persons.id),
    relatedPersonId: uuid('related_person_id').references(() => persons.id),
    dueAt: tstz('due_at'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    resolvedAt: tstz('resolved_at'),
    resolvedBy: uuid('resolved_by'),
    resolution: text('resolution'),
  },
  (t) => [index('tasks_open_idx').on(t.status, t.role, t.kind)],
);

/** Events the data protection officer must see: overrides, break-the-glass, bulk access. */
export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    userId: uuid('user_id'),
    agencyId: uuid('agency_id'),
    personId: uuid('person_id'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    acknowledgedAt: tstz('acknowledged_at'),
    acknowledgedBy: uuid('acknowledged_by'),
  },
  (t) => [index('alerts_open_idx').on(t.acknowledgedAt, t.createdAt)],
);
