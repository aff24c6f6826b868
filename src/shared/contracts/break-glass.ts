import { z } from 'zod';

/** Minimum length of a break-the-glass reason: a sentence, not a word. */
export const BREAK_GLASS_REASON_MIN = 20;

/** A person's pseudonymous reference (`P-XXXX-XXXX`), as typed: spaces trimmed, case ignored. */
export const PersonRef = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^P-[0-9A-Z]{2,8}(-[0-9A-Z]{2,8})?$/);

export const BreakGlassOpen = z.strictObject({
  ref: PersonRef,
  reason: z.string().trim().min(BREAK_GLASS_REASON_MIN).max(2000),
});

/** What the user gets: where to go and until when. */
export const BreakGlassGrant = z.strictObject({
  id: z.uuid(),
  personId: z.uuid(),
  personRef: z.string(),
  expiresAt: z.iso.datetime(),
});

/** The DPO's view of one grant: who, whom (pseudonymous reference), why, and whether it is still open. */
export const BreakGlassEvent = z.strictObject({
  id: z.uuid(),
  userId: z.uuid(),
  username: z.string().nullable(),
  agencyId: z.uuid(),
  personRef: z.string(),
  personAgencyId: z.uuid(),
  /** Null when the person's data key is gone (erased): the reason was sealed under it. */
  reason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  active: z.boolean(),
  /** Audited reads under the grant. */
  reads: z.number().int(),
});
export const BreakGlassListQuery = z.strictObject({
  status: z.enum(['active', 'expired', 'all']).default('all'),
});
