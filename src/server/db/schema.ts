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
