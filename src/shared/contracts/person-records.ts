import { z } from 'zod';
import { FIELD_CLASSES } from '../domain/fields.js';
import { FILE_CONTENT_TYPES, FILE_KINDS } from '../domain/files.js';
import { LOCALES } from '../domain/locales.js';
import { PersonClasses } from './persons.js';

/** Encrypted files of a person (photos, scans), their rectification history and the DPO's access report. */

export const FileUploadQuery = z.strictObject({ kind: z.enum(FILE_KINDS) });

export const PersonFileView = z.strictObject({
  id: z.uuid(),
  personId: z.uuid(),
  kind: z.enum(FILE_KINDS),
  fieldClass: z.enum(FIELD_CLASSES),
  contentType: z.enum(FILE_CONTENT_TYPES),
  sizeBytes: z.number().int(),
  uploadedBy: z.uuid(),
  uploadedAt: z.iso.datetime(),
});
export type PersonFileView = z.infer<typeof PersonFileView>;

export const FileParams = z.strictObject({ id: z.uuid(), fileId: z.uuid() });

export const HISTORY_PARTS = ['statistics', ...FIELD_CLASSES] as const;

export const HistoryQuery = z.strictObject({
  /** Classes whose previous values to reveal (audited like a reveal); none: field names only. */
  classes: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(FIELD_CLASSES)).max(FIELD_CLASSES.length))
    .optional(),
});

/** Previous statistical values (they are shown in clear on the record, so every reader may see them). */
export const PreviousStatistics = z.strictObject({
  sex: z.string().nullable().optional(),
  birthYear: z.number().int().nullable().optional(),
  birthYearEstimated: z.boolean().optional(),
  citizenships: z.array(z.string()).optional(),
  languages: z.array(z.string()).optional(),
  interpreterNeeded: z.boolean().nullable().optional(),
});

export const HistoryEntry = z.strictObject({
  /** The version this entry replaced: its values are the ones before the change. */
  version: z.number().int(),
  changedAt: z.iso.datetime(),
  changedBy: z.uuid(),
  changedByName: z.string().nullable(),
  /** Names of what changed: statistical columns and field classes the caller may read. */
  fields: z.array(z.string()),
  previous: z.strictObject({
    statistics: PreviousStatistics.optional(),
    ...PersonClasses.shape,
  }),
});
export const PersonHistory = z.strictObject({ items: z.array(HistoryEntry) });

export const AccessReportBody = z.strictObject({
  /** The person's pseudonymous reference (never a name): the DPO finds it from the request. */
  ref: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^P-[0-9A-Z][0-9A-Z-]{2,30}$/),
  /** The subject's language (default: the DPO's). */
  locale: z.enum(LOCALES).optional(),
});
