/**
 * Synthetic national data for benches, tests and demonstrations (performance.md §1.2, §6 "Data"): a seeded
 * generator — the same seed gives the same data — at tiers XS (tests), S (10,000 persons), M (250,000) and
 * L (1,000,000 persons, 50,000,000 audit events; opt-in).
 *
 * What it writes is what the schema holds today: agencies of every type across the regions, their staff with
 * roles, persons (statistical variables in clear; identity, contact and the other field classes sealed under
 * a per-person data key with the product's `sealField`; blind-index name tokens with the product's
 * `nameTokenRows`), consents, and the audit trail of all of it as one valid hash chain. Names are Turkmen,
 * Russian and other Central-Asian names written in Turkmen Latin, Cyrillic and English transliterations with
 * Zipf frequencies (bench/names/generator.ts); a share of survivors is registered twice by different
 * agencies, under a typo or in the other script — the ground truth of those duplicates is returned.
 *
 * The work is split into steps (`SyntheticStep`) that run in order over a shared context: when cases,
 * referrals and decisions land, each becomes one more step that reads the persons, agencies and users
 * already generated, writes its rows, and schedules its audit events on the same timeline (`ctx.audit`).
 *
 * Encrypted fields and tokens are application-level, so they are computed in Node and written in multi-row
 * `INSERT … SELECT unnest(…)` batches (one statement per table per batch); the audit chain is hashed in Node
 * with the product's `eventHash` and written the same way. Timestamps are fixed (the ten years to
 * 2026-11-01), never the clock, so the same seed gives the same rows.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { CLASS_COLUMN } from '../../src/server/features/persons/repo.js';
import type { BlindIndex } from '../../src/server/features/persons/search/index.js';
import { type Keyring, openField, sealField } from '../../src/server/platform/crypto/index.js';
import type { AgencyType, Role } from '../../src/shared/domain/access.js';
import { CLASS_ACCESS, FIELD_CLASSES, type FieldClass } from '../../src/shared/domain/fields.js';
import {
  CYRILLIC_SYSTEMS,
  generatePersons,
  isCyrillicSystem,
  LATIN_SYSTEMS,
  Rng,
  type SyntheticPerson,
  typo,
  writeName,
} from '../names/generator.js';
import {
  dropNameTokenIndexes,
  insertNameTokens,
  memoBlindIndex,
  rebuildNameTokenIndexes,
} from '../names/load.js';
import { AuditChainWriter, EventQueue, type PendingEvent, pending } from './audit-chain.js';
import {
  type AgencySpec,
  agencies as agencyList,
  REFERRAL_TYPES,
  REGIONS,
  REGISTRATION_WEIGHTS,
  staff,
  type UserSpec,
} from './mechanism.js';

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export type DataTier = 'XS' | 'S' | 'M' | 'L';

export interface TierSpec {
  persons: number;
  /** Regional agencies per region and type, × this factor. */
  regionalFactor: number;
  /** Front-line staff per agency × this factor. */
  staffFactor: number;
  /** Regions used (XS: Aşgabat and one welaýat). */
  regions: number;
  /** Audit events in total (the persons' own events, then reads fill up to this). */
  auditEvents: number;
}

export const TIERS: Record<DataTier, TierSpec> = {
  XS: { persons: 300, regionalFactor: 1, staffFactor: 1, regions: 2, auditEvents: 3_000 },
  S: { persons: 10_000, regionalFactor: 1, staffFactor: 1, regions: 6, auditEvents: 100_000 },
  M: { persons: 250_000, regionalFactor: 2, staffFactor: 2, regions: 6, auditEvents: 2_500_000 },
  L: { persons: 1_000_000, regionalFactor: 4, staffFactor: 3, regions: 6, auditEvents: 50_000_000 },
};

/** The timeline: ten years of a mechanism, ending before any bench runs. */
export const TIMELINE = {
  start: Date.parse('2016-11-01T00:00:00.000Z'),
  end: Date.parse('2026-11-01T00:00:00.000Z'),
};
const DAY = 86_400_000;

export interface GenerateOptions {
  tier: DataTier;
  seed: string;
  /** Overrides of the tier (tests, quick runs). */
  persons?: number;
  auditEvents?: number;
  /** Share of survivors registered a second time by another agency (default 0.03). */
  duplicateShare?: number;
  /** A password hash for every generated user (demo data); none by default (no one signs in as them). */
  passwordHash?: string;
  /** Mark the users as demo accounts (they skip the second factor while the instance runs in demo mode). */
  demoAccounts?: boolean;
  /** Drop and rebuild the token indexes around the load (bench databases; needs a superuser). */
  fast?: boolean;
  /** Persons per batch (default 2000). */
  batch?: number;
  log?: (line: string) => void;
}

export interface GeneratedAgency extends AgencySpec {
  id: string;
}
export interface GeneratedUser extends UserSpec {
  id: string;
  displayName: string;
  agencyId: string;
}
export interface GeneratedPerson {
  id: string;
  ref: string;
  ownerAgencyId: string;
  createdBy: string;
  createdAt: Date;
  sex: 'female' | 'male';
  birthYear: number;
  names: string[];
}

/** A survivor registered twice: the later record (`duplicateId`) and the first one (`originalId`). */
export interface DuplicateTruth {
  duplicateId: string;
  originalId: string;
  kind: 'typo' | 'translit';
  /** The duplicate's written names. */
  names: string[];
  birthYear: number;
  sex: 'female' | 'male';
}

export interface GeneratedData {
  tier: DataTier;
  seed: string;
  agencies: GeneratedAgency[];
  users: GeneratedUser[];
  persons: GeneratedPerson[];
  duplicates: DuplicateTruth[];
  counts: Record<string, number>;
  ms: number;
}

/** What every step sees: the seed, the tier, the rows so far, the database and the audit timeline. */
export interface SyntheticContext {
  db: Queryable;
  keyring: Keyring;
  hmac: BlindIndex;
  options: GenerateOptions;
  spec: TierSpec;
  rng(stream: string): Rng;
  data: GeneratedData;
  /** Schedules an audit event; events are chained in time order when the generation ends. */
  audit(event: PendingEvent): void;
  /** Writes the events due before `t` (steps call this as their timeline advances, to bound memory). */
  flushAuditBefore(t: number): Promise<void>;
  log(line: string): void;
}

/** One step of the generation. Cases, referrals and decisions will be steps after `persons`. */
export interface SyntheticStep {
  name: string;
  run(ctx: SyntheticContext): Promise<void>;
}

// -------------------------------------------------------------------------------------------------------

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A person's reference, unique by construction: an odd multiplier is a bijection modulo 32^8. */
function refOf(index: number): string {
  let x = (BigInt(index) * 0x5deece66dn + 0x2545f491n) & ((1n << 40n) - 1n);
  let s = '';
  for (let i = 0; i < 8; i++) {
    s = CROCKFORD[Number(x & 31n)]! + s;
    x >>= 5n;
  }
  return `P-${s.slice(0, 4)}-${s.slice(4)}`;
}

const roleOf = (u: GeneratedUser) => u.roles.join(',');
const hasRole = (u: GeneratedUser, roles: readonly Role[]) => u.roles.some((r) => roles.includes(r));

const REGISTRARS: Role[] = ['hotline_operator', 'frontline_identifier', 'case_manager'];
const READERS_OF_IDENTITY: Role[] = (Object.keys(CLASS_ACCESS) as Role[]).filter((r) =>
  CLASS_ACCESS[r].read.includes('identity'),
);

const STREETS = [
  'Magtymguly',
  'Görogly',
  'Bitarap Türkmenistan',
  'Atatürk',
  'Oguzhan',
  'Andalyp',
  'Garaşsyzlyk',
];
const NOTES = [
  'Recruited for seasonal work abroad; documents taken on arrival.',
  'Worked without pay for months; debt to the recruiter.',
  'Promised a job in a restaurant; forced to work in a private house.',
  'Came back through the airport; referred by the border post.',
  'Called the hotline about a relative working abroad.',
  'Construction work; passport kept by the employer.',
];

// -------------------------------------------------------------------------------------------------------
// Steps

const agenciesStep: SyntheticStep = {
  name: 'agencies',
  async run(ctx) {
    const list = agencyList(ctx.spec.regionalFactor, REGIONS.slice(0, ctx.spec.regions));
    const rng = ctx.rng('agencies');
    const ids = list.map(() => rng.uuid());
    const at = new Date(TIMELINE.start);
    await ctx.db.query(
      `INSERT INTO agencies (id, code, type, name, region, created_at, updated_at)
       SELECT id, code, type, name::jsonb, region, $6, $6
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(id, code, type, name, region)`,
      [
        ids,
        list.map((a) => a.code),
        list.map((a) => a.type),
        list.map((a) => JSON.stringify(a.name)),
        list.map((a) => a.region.tk),
        at,
      ],
    );
    ctx.data.agencies = list.map((a, i) => ({ ...a, id: ids[i]! }));
    for (const a of ctx.data.agencies)
      ctx.audit(
        pending({
          at,
          action: 'agency.create',
          actorUserId: null,
          actorAgencyId: null,
          actorRole: null,
          entityType: 'agency',
          entityId: a.id,
          fields: ['code', 'type', 'name', 'region'],
          requestId: rng.uuid(),
        }),
      );
    ctx.data.counts.agencies = list.length;
  },
};

const usersStep: SyntheticStep = {
  name: 'users',
  async run(ctx) {
    const specs = staff(ctx.data.agencies, ctx.spec.staffFactor);
    const rng = ctx.rng('users');
    // display names from the same name generator as the survivors, on their own stream
    const people = generatePersons(specs.length, `${ctx.options.seed}:staff`, { aliasShare: 0 });
    const byCode = new Map(ctx.data.agencies.map((a) => [a.code, a]));
    const at = new Date(TIMELINE.start + 3_600_000);
    const users: GeneratedUser[] = specs.map((s, i) => ({
      ...s,
      id: rng.uuid(),
      displayName: people[i]!.names[0]!,
      agencyId: byCode.get(s.agency)!.id,
    }));
    const locales = users.map(() => {
      const r = rng.next();
      return r < 0.6 ? 'tk' : r < 0.9 ? 'ru' : 'en';
    });
    await ctx.db.query(
      `INSERT INTO users (id, username, display_name, locale, password_hash, password_changed_at, demo_account,
         created_at, updated_at)
       SELECT id, username, display_name, locale, $5::text,
              CASE WHEN $5::text IS NULL THEN NULL ELSE $6::timestamptz END, $7, $6, $6
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(id, username, display_name, locale)`,
      [
        users.map((u) => u.id),
        users.map((u) => u.username),
        users.map((u) => u.displayName),
        locales,
        ctx.options.passwordHash ?? null,
        at,
        ctx.options.demoAccounts ?? false,
      ],
    );
    await ctx.db.query(
      `INSERT INTO memberships (id, user_id, agency_id, roles, created_at, updated_at)
       SELECT id, user_id, agency_id, string_to_array(roles, ','), $5, $5
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS t(id, user_id, agency_id, roles)`,
      [
        users.map(() => rng.uuid()),
        users.map((u) => u.id),
        users.map((u) => u.agencyId),
        users.map(roleOf),
        at,
      ],
    );
    for (const u of users)
      ctx.audit(
        pending({
          at,
          action: 'user.create',
          actorUserId: null,
          actorAgencyId: null,
          actorRole: null,
          entityType: 'user',
          entityId: u.id,
          fields: ['username', 'display_name', 'locale', 'roles'],
          requestId: rng.uuid(),
        }),
      );
    ctx.data.users = users;
    ctx.data.counts.users = users.length;
  },
};

interface PersonPlan {
  p: SyntheticPerson;
  index: number;
  ownerAgency: GeneratedAgency;
  createdAt: number;
  duplicateOf?: { original: PersonPlan; kind: 'typo' | 'translit' };
}

function weightedAgencies(list: readonly GeneratedAgency[]) {
  const items = list.filter((a) => REGISTRATION_WEIGHTS[a.type]);
  const perType = new Map<AgencyType, number>();
  for (const a of items) perType.set(a.type, (perType.get(a.type) ?? 0) + 1);
  let sum = 0;
  const cumulative = items.map((a) => (sum += REGISTRATION_WEIGHTS[a.type]! / perType.get(a.type)!));
  return (rng: Rng) => {
    const x = rng.next() * sum;
    let i = 0;
    while (cumulative[i]! < x) i++;
    return items[i]!;
  };
}

/** The other-script spelling of a person's components (or a typo of the primary name). */
function variantOf(
  p: SyntheticPerson,
  kind: 'typo' | 'translit',
  rng: Rng,
): { names: string[]; system: SyntheticPerson['systems'][number] } {
  if (kind === 'typo') {
    const parts = p.names[0]!.split(' ');
    const which = rng.int(parts.length);
    parts[which] = typo(parts[which]!, rng).text;
    return { names: [parts.join(' ')], system: p.systems[0]! };
  }
  const wantCyrillic = !isCyrillicSystem(p.systems[0]!);
  const options = (wantCyrillic ? CYRILLIC_SYSTEMS : LATIN_SYSTEMS).filter(
    (s) => !p.systems.includes(s) && (p.components.latin || s !== 'en-tk'),
  );
  const system = rng.pick(options.length > 0 ? options : wantCyrillic ? CYRILLIC_SYSTEMS : LATIN_SYSTEMS);
  return { names: [writeName(p.components, system, p.order, rng)], system };
}

function identityOf(p: SyntheticPerson, names: string[], rng: Rng) {
  const value = {
    names: names.map((n, i) => ({
      value: n,
      kind: i === 0 ? ('primary' as const) : ('transliteration' as const),
    })),
    birthDate: rng.chance(0.4)
      ? `${p.birthYear}-${String(1 + rng.int(12)).padStart(2, '0')}-${String(1 + rng.int(28)).padStart(2, '0')}`
      : null,
    documents: [] as Array<{ type: string; number: string; issuingCountry: string; heldBy: string }>,
  };
  if (rng.chance(0.55)) {
    const r = rng.next();
    value.documents.push({
      type: 'passport',
      number: `${String.fromCharCode(65 + rng.int(26))}${String(rng.int(10_000_000)).padStart(7, '0')}`,
      issuingCountry:
        p.components.origin === 'turkmen'
          ? 'TM'
          : p.components.origin === 'russian'
            ? 'RU'
            : p.components.origin === 'uzbek'
              ? 'UZ'
              : 'KZ',
      heldBy:
        r < 0.5 ? 'person' : r < 0.7 ? 'employer' : r < 0.8 ? 'recruiter' : r < 0.9 ? 'lost' : 'unknown',
    });
  }
  return value;
}

function contactOf(ownerRegion: string, rng: Rng) {
  return {
    addresses: [
      {
        text: `${ownerRegion}, ${rng.pick(STREETS)} köçesi, ${1 + rng.int(120)}`,
        kind: rng.pick(['home', 'current', 'shelter'] as const),
      },
    ],
    phones: rng.chance(0.8)
      ? [
          {
            number: `+993 6${rng.int(6)} ${String(rng.int(1_000_000)).padStart(6, '0')}`,
            safeToCall: rng.chance(0.6),
          },
        ]
      : [],
    ...(rng.chance(0.3)
      ? {
          safeContact: {
            safeToCallBack: rng.chance(0.5),
            doNotContactVia: rng.chance(0.5) ? ['home_visit' as const] : [],
          },
        }
      : {}),
  };
}

const personsStep: SyntheticStep = {
  name: 'persons',
  async run(ctx) {
    const spec = ctx.spec;
    const n = ctx.options.persons ?? spec.persons;
    const dupShare = ctx.options.duplicateShare ?? 0.03;
    const originals = generatePersons(n, ctx.options.seed);
    const pickOwner = weightedAgencies(ctx.data.agencies);
    const planRng = ctx.rng('plan');
    const span = TIMELINE.end - TIMELINE.start - 400 * DAY;
    const plans: PersonPlan[] = originals.map((p, i) => ({
      p,
      index: i,
      ownerAgency: pickOwner(planRng),
      createdAt: TIMELINE.start + 30 * DAY + Math.floor(((i + planRng.next()) / n) * span),
    }));
    // survivors registered again by another agency, later, under a typo or in the other script
    const dupCount = Math.round(n * dupShare);
    for (let j = 0; j < dupCount; j++) {
      const original = plans[planRng.int(n)]!;
      if (original.duplicateOf) continue;
      const kind = planRng.chance(0.5) ? 'typo' : 'translit';
      const v = variantOf(original.p, kind, planRng);
      let owner = pickOwner(planRng);
      for (let k = 0; k < 5 && owner.id === original.ownerAgency.id; k++) owner = pickOwner(planRng);
      const dupYear = original.p.birthYear + (planRng.chance(0.6) ? 0 : planRng.chance(0.5) ? 1 : -1);
      plans.push({
        p: {
          ...original.p,
          id: planRng.uuid(),
          index: n + j,
          birthYear: dupYear,
          names: v.names,
          systems: [v.system],
        },
        index: n + j,
        ownerAgency: owner,
        createdAt: Math.min(TIMELINE.end - 200 * DAY, original.createdAt + (1 + planRng.int(365)) * DAY),
        duplicateOf: { original, kind },
      });
    }
    plans.sort((a, b) => a.createdAt - b.createdAt || a.index - b.index);

    const usersByAgency = new Map<string, GeneratedUser[]>();
    for (const u of ctx.data.users) {
      const list = usersByAgency.get(u.agencyId) ?? [];
      list.push(u);
      usersByAgency.set(u.agencyId, list);
    }
    const referralAgencies = ctx.data.agencies.filter((a) => REFERRAL_TYPES.includes(a.type));
    // audit events beyond each person's own: reads spread over persons to reach the tier's total
    const baseline = ctx.data.agencies.length + ctx.data.users.length + plans.length * 4.3;
    const extraPerPerson = Math.max(
      0,
      ((ctx.options.auditEvents ?? spec.auditEvents) - baseline) / plans.length,
    );

    const batch = ctx.options.batch ?? 2000;
    if (ctx.options.fast) await dropNameTokenIndexes(ctx.db);
    let tokens = 0;
    let consents = 0;
    const t0 = performance.now();
    for (let start = 0; start < plans.length; start += batch) {
      const slice = plans.slice(start, start + batch);
      const rows: Array<Record<string, unknown>> = [];
      const keys: Array<{ id: string; kekId: string; wrapped: Buffer; at: Date }> = [];
      const consentRows: Array<unknown[]> = [];
      for (const plan of slice) {
        const rng = ctx.rng(`person:${plan.index}`);
        const p = plan.p;
        const owner = plan.ownerAgency;
        const staffHere = usersByAgency.get(owner.id) ?? [];
        const registrars = staffHere.filter((u) => hasRole(u, REGISTRARS));
        const creator = registrars.length > 0 ? rng.pick(registrars) : rng.pick(staffHere);
        const createdAt = new Date(plan.createdAt);
        const age = 2026 - p.birthYear;
        const child = age < 18;
        const origin = p.components.origin;
        const citizenships =
          origin === 'turkmen'
            ? ['TM']
            : origin === 'russian'
              ? [rng.chance(0.7) ? 'TM' : 'RU']
              : origin === 'uzbek'
                ? [rng.chance(0.5) ? 'UZ' : 'TM']
                : ['KZ'];
        const languages =
          origin === 'turkmen'
            ? rng.chance(0.4)
              ? ['tk', 'ru']
              : ['tk']
            : origin === 'russian'
              ? ['ru']
              : origin === 'uzbek'
                ? ['uz', 'ru']
                : ['kk', 'ru'];
        const interpreter = origin === 'uzbek' || origin === 'kazakh' ? rng.chance(0.5) : false;
        const classes: Partial<Record<FieldClass, unknown>> = {
          identity: identityOf(p, p.names, rng),
        };
        if (rng.chance(0.65)) classes.contact = contactOf(owner.region.tk, rng);
        if (rng.chance(0.5)) classes.trafficking = { notes: rng.pick(NOTES) };
        if (rng.chance(0.2)) classes.health = { notes: 'Seen by a doctor at intake; follow-up needed.' };
        if (rng.chance(0.15))
          classes.legal = { notes: 'Statement given to the police; case number pending.' };
        if (child)
          classes.child = {
            guardianName: writeName(p.components, p.systems[0]!, 'gf', rng).split(' ').reverse().join(' '),
          };
        const dek = randomBytes(32);
        const wrapped = ctx.keyring.wrap(dek);
        keys.push({ id: p.id, kekId: wrapped.kekId, wrapped: wrapped.wrapped, at: createdAt });
        const sealed: Partial<Record<FieldClass, Buffer>> = {};
        for (const c of FIELD_CLASSES)
          if (classes[c] !== undefined) sealed[c] = sealField(dek, p.id, CLASS_COLUMN[c], classes[c]);
        const updates = rng.int(3);
        rows.push({
          id: p.id,
          ref: refOf(plan.index),
          owner: owner.id,
          sex: p.sex,
          birthYear: p.birthYear,
          estimated: rng.chance(0.3),
          citizenships: `{${citizenships.join(',')}}`,
          languages: `{${languages.join(',')}}`,
          interpreter,
          sealed,
          createdBy: creator.id,
          createdAt,
          updatedAt: new Date(plan.createdAt + updates * 7 * DAY),
          version: 1 + updates,
        });
        ctx.data.persons.push({
          id: p.id,
          ref: refOf(plan.index),
          ownerAgencyId: owner.id,
          createdBy: creator.id,
          createdAt,
          sex: p.sex,
          birthYear: p.birthYear,
          names: p.names,
        });
        if (plan.duplicateOf)
          ctx.data.duplicates.push({
            duplicateId: p.id,
            originalId: plan.duplicateOf.original.p.id,
            kind: plan.duplicateOf.kind,
            names: p.names,
            birthYear: p.birthYear,
            sex: p.sex,
          });

        // the person's timeline: a search for duplicates, the registration, consents, updates, reads
        const actor = (u: GeneratedUser) => ({
          actorUserId: u.id,
          actorAgencyId: u.agencyId,
          actorRole: roleOf(u),
        });
        ctx.audit(
          pending({
            at: new Date(plan.createdAt - 60_000),
            action: 'person.search',
            ...actor(creator),
            entityType: 'person',
            entityId: null,
            fields: ['name', 'birth_year', 'sex'],
            requestId: rng.uuid(),
          }),
        );
        ctx.audit(
          pending({
            at: createdAt,
            action: 'person.create',
            ...actor(creator),
            actorAgencyId: owner.id,
            entityType: 'person',
            entityId: p.id,
            fields: [
              'sex',
              'birth_year',
              'birth_year_estimated',
              'citizenships',
              'languages',
              ...Object.keys(sealed),
            ],
            requestId: rng.uuid(),
          }),
        );
        const consentCount = rng.chance(0.75) ? 1 + (rng.chance(0.4) ? 1 : 0) : 0;
        for (let k = 0; k < consentCount; k++) {
          const id = rng.uuid();
          const r = rng.next();
          const purpose =
            r < 0.45
              ? 'referral'
              : r < 0.85
                ? 'assistance'
                : r < 0.95
                  ? 'research_statistics'
                  : 'law_enforcement';
          const recipient = purpose === 'research_statistics' ? null : rng.pick(referralAgencies);
          const givenAt = plan.createdAt + (1 + rng.int(72)) * 3_600_000;
          const expiresAt = rng.chance(0.3) ? givenAt + 365 * DAY : null;
          const withdrawnAt = rng.chance(0.05) ? givenAt + (1 + rng.int(90)) * DAY : null;
          const dataClasses =
            purpose === 'research_statistics'
              ? ['trafficking']
              : Object.keys(sealed).filter((c) => c !== 'legal');
          consentRows.push([
            id,
            p.id,
            purpose,
            recipient?.id ?? null,
            recipient ? null : 'statistics_office',
            `{${dataClasses.join(',')}}`,
            child ? 'guardian' : 'person',
            child && age >= 12 ? rng.chance(0.8) : null,
            rng.chance(0.7) ? 'signed_form' : 'verbal_witnessed',
            new Date(givenAt),
            expiresAt ? new Date(expiresAt) : null,
            withdrawnAt ? new Date(withdrawnAt) : null,
            withdrawnAt ? (child ? 'guardian' : 'person') : null,
            creator.id,
            owner.id,
          ]);
          ctx.audit(
            pending({
              at: new Date(givenAt),
              action: 'consent.give',
              ...actor(creator),
              actorAgencyId: owner.id,
              entityType: 'consent',
              entityId: id,
              fields: [
                'purpose',
                'recipient',
                'data_classes',
                'given_by',
                'evidence',
                'given_at',
                ...(expiresAt ? ['expires_at'] : []),
              ],
              requestId: rng.uuid(),
            }),
          );
          if (withdrawnAt)
            ctx.audit(
              pending({
                at: new Date(withdrawnAt),
                action: 'consent.withdraw',
                ...actor(creator),
                actorAgencyId: owner.id,
                entityType: 'consent',
                entityId: id,
                fields: ['withdrawn_at', 'withdrawn_by'],
                requestId: rng.uuid(),
              }),
            );
        }
        const writers = staffHere.filter((u) => u.roles.some((r) => CLASS_ACCESS[r].write.length > 0));
        for (let k = 1; k <= updates; k++)
          ctx.audit(
            pending({
              at: new Date(plan.createdAt + k * 7 * DAY),
              action: 'person.update',
              ...actor(writers.length > 0 ? rng.pick(writers) : creator),
              entityType: 'person',
              entityId: p.id,
              fields: [rng.pick(['trafficking', 'contact', 'health', 'identity'] as const)],
              requestId: rng.uuid(),
            }),
          );
        const readers = staffHere.filter((u) => hasRole(u, READERS_OF_IDENTITY));
        const reads = Math.floor(extraPerPerson) + (rng.chance(extraPerPerson % 1) ? 1 : 0);
        for (let k = 0; k < reads; k++) {
          // most reads in the first months, a long tail after (exponential, mean 60 days, capped)
          const lag = Math.min(380 * DAY, Math.floor(-Math.log(1 - rng.next()) * 60 * DAY));
          ctx.audit(
            pending({
              at: new Date(plan.createdAt + 60_000 + lag),
              action: 'person.reveal',
              ...actor(readers.length > 0 ? rng.pick(readers) : creator),
              entityType: 'person',
              entityId: p.id,
              fields: rng.chance(0.7) ? ['identity'] : ['identity', 'contact'],
              requestId: rng.uuid(),
            }),
          );
        }
      }
      await ctx.db.query(
        `INSERT INTO persons (id, ref, owner_agency_id, sex, birth_year, birth_year_estimated, citizenships, languages,
           interpreter_needed, identity_enc, contact_enc, trafficking_enc, health_enc, legal_enc, child_enc, created_by,
           created_at, updated_at, version)
         SELECT id, ref, owner, sex, birth_year, est, cit::text[], lang::text[], interp, i, c, t, h, l, ch, created_by,
                created_at, updated_at, version
           FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::int[], $6::boolean[], $7::text[],
           $8::text[], $9::boolean[], $10::bytea[], $11::bytea[], $12::bytea[], $13::bytea[], $14::bytea[], $15::bytea[],
           $16::uuid[], $17::timestamptz[], $18::timestamptz[], $19::int[])
           AS t(id, ref, owner, sex, birth_year, est, cit, lang, interp, i, c, t, h, l, ch, created_by, created_at,
                updated_at, version)`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.ref),
          rows.map((r) => r.owner),
          rows.map((r) => r.sex),
          rows.map((r) => r.birthYear),
          rows.map((r) => r.estimated),
          rows.map((r) => r.citizenships),
          rows.map((r) => r.languages),
          rows.map((r) => r.interpreter),
          ...FIELD_CLASSES.map((c) =>
            rows.map((r) => (r.sealed as Partial<Record<FieldClass, Buffer>>)[c] ?? null),
          ),
          rows.map((r) => r.createdBy),
          rows.map((r) => r.createdAt),
          rows.map((r) => r.updatedAt),
          rows.map((r) => r.version),
        ],
      );
      await ctx.db.query(
        `INSERT INTO person_keys (person_id, kek_id, wrapped_dek, created_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::timestamptz[])`,
        [keys.map((k) => k.id), keys.map((k) => k.kekId), keys.map((k) => k.wrapped), keys.map((k) => k.at)],
      );
      tokens += await insertNameTokens(
        ctx.db,
        ctx.hmac,
        slice.map((s) => s.p),
      );
      if (consentRows.length > 0) {
        const col = (i: number) => consentRows.map((r) => r[i]);
        await ctx.db.query(
          `INSERT INTO consents (id, person_id, purpose, recipient_agency_id, recipient_type, data_classes, given_by,
             child_assent, evidence, given_at, expires_at, withdrawn_at, withdrawn_by, recorded_by, recorded_agency_id,
             owner_agency_id, created_at)
           SELECT id, person_id, purpose, rid, rtype, dc::text[], given_by, assent, evidence, given_at, expires_at,
                  withdrawn_at, withdrawn_by, recorded_by, agency, agency, given_at
             FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[],
                         $8::boolean[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[],
                         $13::text[], $14::uuid[], $15::uuid[])
               AS t(id, person_id, purpose, rid, rtype, dc, given_by, assent, evidence, given_at, expires_at,
                    withdrawn_at, withdrawn_by, recorded_by, agency)`,
          Array.from({ length: 15 }, (_, i) => col(i)),
        );
        consents += consentRows.length;
      }
      // everything due before the next registration is final: chain it now (bounds the queue's memory)
      const next = plans[start + batch];
      await ctx.flushAuditBefore(next ? next.createdAt - 120_000 : Number.POSITIVE_INFINITY);
      if (start > 0 && (start / batch) % 25 === 0)
        ctx.log(
          `#   synthetic: ${start + slice.length}/${plans.length} persons (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
        );
    }
    if (ctx.options.fast) await rebuildNameTokenIndexes(ctx.db);
    ctx.data.counts.persons = plans.length;
    ctx.data.counts.duplicates = ctx.data.duplicates.length;
    ctx.data.counts.nameTokens = tokens;
    ctx.data.counts.consents = consents;
  },
};

/** The steps, in order. Cases, referrals and decisions plug in after `persons` when their issue lands. */
export const STEPS: SyntheticStep[] = [agenciesStep, usersStep, personsStep];

/**
 * Generates a tier into an empty, migrated database (superuser connection: the generator writes as the
 * platform would, bypassing the runtime role). Not one transaction: a failed run leaves a partial database,
 * to be dropped.
 */
export async function generate(
  db: Queryable,
  keyring: Keyring,
  options: GenerateOptions,
  steps = STEPS,
): Promise<GeneratedData> {
  return onOneConnection(db, (c) => generateOn(c, keyring, options, steps));
}

/** A pool's statements time out (the product's statement_timeout); bulk work runs on one client without. */
async function onOneConnection<T>(db: Queryable, fn: (c: Queryable) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return fn(db);
  const client = await db.connect();
  try {
    await client.query('SET statement_timeout = 0');
    return await fn(client);
  } finally {
    await client.query('RESET statement_timeout').catch(() => {});
    client.release();
  }
}

async function generateOn(
  db: Queryable,
  keyring: Keyring,
  options: GenerateOptions,
  steps: SyntheticStep[],
): Promise<GeneratedData> {
  const t0 = performance.now();
  const spec = TIERS[options.tier];
  const log = options.log ?? (() => {});
  const data: GeneratedData = {
    tier: options.tier,
    seed: options.seed,
    agencies: [],
    users: [],
    persons: [],
    duplicates: [],
    counts: {},
    ms: 0,
  };
  const writer = await AuditChainWriter.open(db);
  if (options.fast) await writer.dropSecondaryIndexes();
  if ((await db.query('SELECT 1 FROM agencies LIMIT 1')).rows.length > 0)
    throw new Error('generate: the database is not empty');
  const queue = new EventQueue();
  // blind-index tokens: the product's HMAC, memoised (synthetic names repeat, Zipf)
  const ctx: SyntheticContext = {
    db,
    keyring,
    hmac: memoBlindIndex((value) => keyring.blindIndex(value)),
    options,
    spec,
    rng: (stream) => new Rng(`${options.seed}:${stream}`),
    data,
    audit: (e) => queue.push(e),
    async flushAuditBefore(t) {
      for (const e of queue.drainBefore(Number.isFinite(t) ? t : undefined)) await writer.add(e);
    },
    log,
  };
  for (const step of steps) {
    const s0 = performance.now();
    await step.run(ctx);
    log(`#   synthetic ${options.tier}: step ${step.name} ${((performance.now() - s0) / 1000).toFixed(1)} s`);
  }
  await ctx.flushAuditBefore(Number.POSITIVE_INFINITY);
  await writer.finish();
  data.counts.auditEvents = writer.written;
  for (const table of ['persons', 'person_name_tokens', 'consents', 'audit_events'])
    await db.query(`ANALYZE ${table}`);
  data.ms = performance.now() - t0;
  return data;
}

/**
 * Appends `count` read events (reveals and searches by the staff of each person's agency) to the chain: the
 * audit growth of G12. They are dated over the timeline's ten years, never in the last hour (which would
 * change what the bulk-access brake counts). Returns the time taken.
 */
export interface AppendOptions {
  count: number;
  seed: string;
  /** Drop and rebuild the secondary indexes of audit_events around the load (bench databases). */
  fast?: boolean;
  /** Stop early (at a batch boundary, the chain still whole) once this many seconds have passed. */
  maxSeconds?: number;
  log?: (line: string) => void;
}

export async function appendAuditEvents(
  db: Queryable,
  options: AppendOptions,
): Promise<{ ms: number; written: number }> {
  return onOneConnection(db, (c) => appendOn(c, options));
}

async function appendOn(db: Queryable, options: AppendOptions): Promise<{ ms: number; written: number }> {
  const t0 = performance.now();
  const rng = new Rng(`${options.seed}:growth`);
  const persons = (
    await db.query<{ id: string; owner_agency_id: string }>(
      'SELECT id, owner_agency_id FROM persons ORDER BY id',
    )
  ).rows;
  const staffRows = (
    await db.query<{ id: string; agency_id: string; roles: string[] }>(
      'SELECT u.id, m.agency_id, m.roles FROM users u JOIN memberships m ON m.user_id = u.id ORDER BY u.username',
    )
  ).rows;
  if (persons.length === 0 || staffRows.length === 0)
    throw new Error('appendAuditEvents: no persons or users');
  const byAgency = new Map<string, typeof staffRows>();
  for (const s of staffRows) {
    const list = byAgency.get(s.agency_id) ?? [];
    list.push(s);
    byAgency.set(s.agency_id, list);
  }
  const writer = await AuditChainWriter.open(db, 10_000);
  if (options.fast) await writer.dropSecondaryIndexes();
  // back-dated over the ten years (the history of a long-running instance); their sequence numbers follow
  // the existing chain, so a reader that orders by time sees them interleaved with the older events
  const from = TIMELINE.start;
  const step = (TIMELINE.end - from) / options.count;
  for (let i = 0; i < options.count; i++) {
    const p = persons[rng.int(persons.length)]!;
    const staffHere = byAgency.get(p.owner_agency_id) ?? staffRows;
    const u = staffHere[rng.int(staffHere.length)]!;
    const search = rng.chance(0.15);
    await writer.add(
      pending({
        at: new Date(Math.floor(from + i * step)),
        action: search ? 'person.search' : 'person.reveal',
        actorUserId: u.id,
        actorAgencyId: u.agency_id,
        actorRole: u.roles.join(','),
        entityType: 'person',
        entityId: search ? null : p.id,
        fields: search ? ['name', 'birth_year'] : ['identity'],
        requestId: rng.uuid(),
      }),
    );
    if (options.maxSeconds && i % 10_000 === 9_999 && performance.now() - t0 > options.maxSeconds * 1000)
      break;
    if (options.log && i > 0 && i % 500_000 === 0)
      options.log(
        `#   audit growth: ${i}/${options.count} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
  }
  await writer.finish();
  await db.query('ANALYZE audit_events');
  return { ms: performance.now() - t0, written: writer.written };
}

/**
 * A checksum of the generated data that is the same for the same seed and keys: every table's rows in a fixed
 * order, with sealed classes decrypted (their nonces and the data keys are random by design) and password
 * hashes left out (salted). The audit chain enters through its hashes, which cover every event's content.
 */
export async function datasetChecksum(db: Queryable, keyring: Keyring): Promise<string> {
  const h = createHash('sha256');
  const add = (label: string, rows: unknown[]) => {
    h.update(label);
    for (const r of rows) h.update(JSON.stringify(r));
  };
  add(
    'agencies',
    (
      await db.query(
        'SELECT id, code, type, name::text, region, active, created_at FROM agencies ORDER BY code',
      )
    ).rows,
  );
  add(
    'users',
    (
      await db.query(
        'SELECT id, username, display_name, locale, active, demo_account, created_at FROM users ORDER BY username',
      )
    ).rows,
  );
  add(
    'memberships',
    (await db.query('SELECT id, user_id, agency_id, roles FROM memberships ORDER BY id')).rows,
  );
  add(
    'consents',
    (
      await db.query(
        `SELECT id, person_id, purpose, recipient_agency_id, recipient_type, data_classes, given_by, child_assent,
                evidence, given_at, expires_at, withdrawn_at, withdrawn_by, recorded_by, recorded_agency_id,
                owner_agency_id, created_at FROM consents ORDER BY id`,
      )
    ).rows,
  );
  add(
    'tokens',
    (
      await db.query(
        "SELECT encode(token, 'hex') AS t, person_id, kind FROM person_name_tokens ORDER BY person_id, token",
      )
    ).rows,
  );
  const columns = FIELD_CLASSES.map((c) => CLASS_COLUMN[c]);
  let last = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await db.query(
      `SELECT p.id, p.ref, p.owner_agency_id, p.sex, p.birth_year, p.birth_year_estimated, p.citizenships,
              p.languages, p.interpreter_needed, ${columns.map((c) => `p.${c}`).join(', ')}, p.created_by,
              p.created_at, p.updated_at, p.erased_at, k.kek_id, k.wrapped_dek
         FROM persons p LEFT JOIN person_keys k ON k.person_id = p.id
        WHERE p.id > $1 ORDER BY p.id LIMIT 2000`,
      [last],
    );
    if (rows.length === 0) break;
    for (const r of rows) {
      const dek = r.wrapped_dek ? keyring.unwrap(r.kek_id, r.wrapped_dek) : undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        if (k === 'wrapped_dek') continue;
        out[k] = columns.includes(k) ? (v && dek ? openField(dek, r.id, k, v as Buffer) : null) : v;
      }
      add('person', [out]);
    }
    last = rows[rows.length - 1].id;
  }
  const head = await db.query("SELECT seq, encode(hash, 'hex') AS hash FROM audit_head");
  add('audit_head', head.rows);
  return h.digest('hex');
}

export { refOf };
