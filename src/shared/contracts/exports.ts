import { z } from 'zod';
import { CONSENT_PURPOSES } from '../domain/consent.js';
import { FIELD_CLASSES } from '../domain/fields.js';

/**
 * Exports of an agency's person records (G07, ADR 15). An export that carries identifying classes needs a
 * second approver before it can be downloaded; every file carries the requester's watermark.
 */
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export const EXPORT_STATUSES = ['pending', 'approved', 'rejected'] as const;

export const ExportCreate = z.strictObject({
  /** The agency whose records are exported, when the caller may export in more than one. */
  agencyId: z.uuid().optional(),
  /** What the export is for: consent for this purpose decides, person by person, which classes are filled. */
  purpose: z.enum(CONSENT_PURPOSES),
  format: z.enum(EXPORT_FORMATS),
  /** Protected classes to include besides the pseudonymous statistical columns; each must be readable. */
  classes: z
    .array(z.enum(FIELD_CLASSES))
    .max(FIELD_CLASSES.length)
    .refine((a) => new Set(a).size === a.length, { message: 'duplicate class' })
    .default([]),
});

export const ExportListQuery = z.strictObject({ status: z.enum(EXPORT_STATUSES).optional() });

export const ExportView = z.strictObject({
  id: z.uuid(),
  agencyId: z.uuid(),
  purpose: z.enum(CONSENT_PURPOSES),
  format: z.enum(EXPORT_FORMATS),
  classes: z.array(z.enum(FIELD_CLASSES)),
  /** Carries identity or contact data: a second approver must approve it first. */
  identifying: z.boolean(),
  status: z.enum(EXPORT_STATUSES),
  requestedBy: z.uuid(),
  requestedByName: z.string().nullable(),
  requestedAt: z.iso.datetime(),
  decidedBy: z.uuid().nullable(),
  decidedByName: z.string().nullable(),
  decidedAt: z.iso.datetime().nullable(),
  /** A pending export lapses at this time; an approved one can be downloaded until then. */
  expiresAt: z.iso.datetime(),
  downloads: z.number().int().nonnegative(),
  /** Whether the caller asked for it (only the requester downloads; only someone else decides). */
  mine: z.boolean(),
});
