import { z } from 'zod';
import { CONSENT_EVIDENCE, CONSENT_GIVERS, CONSENT_PURPOSES, WITHDRAWN_BY } from '../domain/consent.js';
import { FIELD_CLASSES } from '../domain/fields.js';

/** HTCDS v2 prs_gender codes. */
export const SEX_CODES = ['female', 'male', 'transgender', 'other', 'unknown'] as const;
export const DOCUMENT_TYPES = [
  'passport',
  'national_id',
  'birth_certificate',
  'travel_document',
  'residence_permit',
  'refugee_id',
  'other',
] as const;
/** Who holds the document: withheld documents are a trafficking indicator. */
export const DOCUMENT_HOLDERS = [
  'person',
  'employer',
  'recruiter',
  'authorities',
  'lost',
  'unknown',
] as const;
export const CONTACT_CHANNELS = ['phone', 'sms', 'messenger', 'email', 'home_visit', 'post'] as const;

const Country = z.string().regex(/^[A-Z]{2}$/);
const Language = z.string().regex(/^[a-z]{2,3}$/);
const text = (max: number) => z.string().trim().min(1).max(max);

export const PersonName = z.strictObject({
  value: text(120),
  kind: z.enum(['primary', 'alias', 'birth', 'transliteration']),
});

export const IdentityFields = z.strictObject({
  names: z.array(PersonName).min(1).max(20),
  birthDate: z.iso.date().nullable().optional(),
  documents: z
    .array(
      z.strictObject({
        type: z.enum(DOCUMENT_TYPES),
        number: z
          .string()
          .trim()
          .regex(/^[\p{L}\p{N}][\p{L}\p{N} /-]{1,39}$/u),
        issuingCountry: Country,
        heldBy: z.enum(DOCUMENT_HOLDERS),
      }),
    )
    .max(20)
    .default([]),
});

export const ContactFields = z.strictObject({
  addresses: z
    .array(z.strictObject({ text: text(300), kind: z.enum(['home', 'current', 'shelter', 'other']) }))
    .max(10)
    .default([]),
  phones: z
    .array(
      z.strictObject({
        number: z
          .string()
          .trim()
          .regex(/^\+?[0-9 ()-]{5,24}$/),
        safeToCall: z.boolean(),
      }),
    )
    .max(10)
    .default([]),
  safeContact: z
    .strictObject({
      safeToCallBack: z.boolean(),
      safeTimes: text(200).optional(),
      codeWord: text(60).optional(),
      doNotContactVia: z.array(z.enum(CONTACT_CHANNELS)).max(CONTACT_CHANNELS.length).default([]),
    })
    .optional(),
});

const Notes = z.strictObject({ notes: z.string().trim().max(20_000) });
export const TraffickingFields = Notes;
export const HealthFields = Notes;
export const LegalFields = Notes;
export const ChildFields = z.strictObject({
  guardianName: text(120).optional(),
  bestInterestsNotes: z.string().trim().max(20_000).optional(),
});

export const PersonClasses = z.strictObject({
  identity: IdentityFields.optional(),
  contact: ContactFields.optional(),
  trafficking: TraffickingFields.optional(),
  health: HealthFields.optional(),
  legal: LegalFields.optional(),
  child: ChildFields.optional(),
});

const Statistical = {
  sex: z.enum(SEX_CODES).nullable().optional(),
  birthYear: z.number().int().min(1900).max(2100).nullable().optional(),
  birthYearEstimated: z.boolean().optional(),
  citizenships: z.array(Country).max(5).optional(),
  languages: z.array(Language).max(10).optional(),
  interpreterNeeded: z.boolean().nullable().optional(),
};

export const PersonCreate = z.strictObject({
  /** The registering agency, when the caller may register persons in more than one. */
  agencyId: z.uuid().optional(),
  ...Statistical,
  ...PersonClasses.shape,
});
export const PersonPatch = z.strictObject({ ...Statistical, ...PersonClasses.shape });

/** What a list shows: a pseudonymous reference and minimal, non-identifying facts (G26). */
export const PersonSummary = z.strictObject({
  id: z.uuid(),
  ref: z.string(),
  sex: z.enum(SEX_CODES).nullable(),
  birthYear: z.number().int().nullable(),
  ownerAgencyId: z.uuid(),
  createdAt: z.iso.datetime(),
});

export const PersonView = z.strictObject({
  ...PersonSummary.shape,
  birthYearEstimated: z.boolean(),
  citizenships: z.array(z.string()),
  languages: z.array(z.string()),
  interpreterNeeded: z.boolean().nullable(),
  presumedChild: z.boolean(),
  erased: z.boolean(),
  /** When the identifying classes were crypto-shredded (retention or an approved erasure request). */
  erasedAt: z.iso.datetime().nullable(),
  /** A merged duplicate (a tombstone): the record that survived the merge. */
  mergedInto: z.uuid().nullable(),
  version: z.number().int(),
  /** The classes this caller may reveal (absent classes do not exist for them). */
  readable: z.array(z.enum(FIELD_CLASSES)),
  writable: z.array(z.enum(FIELD_CLASSES)),
  /** Open to this caller only under their break-the-glass grant: when it ends (else null). */
  emergencyAccessUntil: z.iso.datetime().nullable(),
});
export type PersonView = z.infer<typeof PersonView>;

export const RevealQuery = z.strictObject({
  classes: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(FIELD_CLASSES)).min(1).max(FIELD_CLASSES.length)),
});
export const RevealedFields = PersonClasses;

export const PersonListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const PersonSearchBody = z.strictObject({
  name: text(120),
  birthYear: z.number().int().min(1900).max(2100).optional(),
  sex: z.enum(SEX_CODES).optional(),
});
export const PersonMatch = z.strictObject({ ...PersonSummary.shape, score: z.number() });

export const PersonCreated = z.strictObject({
  person: PersonView,
  /** Likely matches inside the caller's scope; matches elsewhere only raise a review task. */
  possibleDuplicates: z.array(PersonMatch),
});

export const ConsentView = z.strictObject({
  id: z.uuid(),
  personId: z.uuid(),
  purpose: z.enum(CONSENT_PURPOSES),
  recipientAgencyId: z.uuid().nullable(),
  recipientType: z.string().nullable(),
  dataClasses: z.array(z.enum(FIELD_CLASSES)),
  givenBy: z.enum(CONSENT_GIVERS),
  childAssent: z.boolean().nullable(),
  evidence: z.enum(CONSENT_EVIDENCE),
  givenAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  withdrawnAt: z.iso.datetime().nullable(),
  withdrawnBy: z.enum(WITHDRAWN_BY).nullable(),
  inForce: z.boolean(),
});

export const ConsentCreate = z.strictObject({
  purpose: z.enum(CONSENT_PURPOSES),
  recipientAgencyId: z.uuid().nullable().optional(),
  recipientType: z.string().trim().min(1).max(40).nullable().optional(),
  dataClasses: z.array(z.enum(FIELD_CLASSES)).min(1).max(FIELD_CLASSES.length),
  givenBy: z.enum(CONSENT_GIVERS),
  childAssent: z.boolean().nullable().optional(),
  evidence: z.enum(CONSENT_EVIDENCE),
  givenAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable().optional(),
});

export const ConsentWithdraw = z.strictObject({ withdrawnBy: z.enum(WITHDRAWN_BY) });

export const OverrideCreate = z.strictObject({
  purpose: z.enum(CONSENT_PURPOSES),
  recipientAgencyId: z.uuid(),
  dataClasses: z.array(z.enum(FIELD_CLASSES)).min(1).max(FIELD_CLASSES.length),
  reason: z.string().trim().min(20).max(2000),
});
export const OverrideView = z.strictObject({
  id: z.uuid(),
  personId: z.uuid(),
  purpose: z.enum(CONSENT_PURPOSES),
  recipientAgencyId: z.uuid(),
  dataClasses: z.array(z.enum(FIELD_CLASSES)),
  status: z.enum(['pending', 'approved', 'rejected']),
  requestedBy: z.uuid(),
  requestedAt: z.iso.datetime(),
  decidedBy: z.uuid().nullable(),
  decidedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime(),
});
export const OverrideDecision = z.strictObject({ decision: z.enum(['approve', 'reject']) });

export const TASK_KINDS = ['duplicate_review', 'consent_at_18'] as const;
export const TaskView = z.strictObject({
  id: z.uuid(),
  kind: z.enum(TASK_KINDS),
  status: z.enum(['open', 'done', 'dismissed']),
  createdAt: z.iso.datetime(),
  /** Pseudonymous references and owning agencies only: the reviewer sees no identities here. */
  personRef: z.string().nullable(),
  personAgencyId: z.uuid().nullable(),
  relatedPersonRef: z.string().nullable(),
  relatedAgencyId: z.uuid().nullable(),
  resolution: z.string().nullable(),
});
export const TaskListQuery = z.strictObject({
  kind: z.enum(TASK_KINDS).optional(),
  status: z.enum(['open', 'done', 'dismissed']).default('open'),
});
export const TaskResolve = z.strictObject({ resolution: z.enum(['not_duplicate', 'same_person']) });

export const ALERT_KINDS = ['consent_override', 'break_glass', 'bulk_access', 'identifying_export'] as const;
export const AlertView = z.strictObject({
  id: z.uuid(),
  kind: z.enum(ALERT_KINDS),
  userId: z.uuid().nullable(),
  username: z.string().nullable(),
  agencyId: z.uuid().nullable(),
  personRef: z.string().nullable(),
  createdAt: z.iso.datetime(),
  acknowledgedAt: z.iso.datetime().nullable(),
});
export const AlertListQuery = z.strictObject({ open: z.enum(['true', 'false']).default('true') });
