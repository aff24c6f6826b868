import { z } from 'zod';

/** Erasure requests (GDPR Art. 17; ADR 13): asked with a reason, decided by the DPO plus a second approver. */
export const ERASURE_STATUSES = ['pending', 'approved', 'rejected'] as const;

const reason = z.string().trim().min(1).max(2000);

export const ErasureRequestCreate = z.strictObject({ reason });
export const ErasureRejection = z.strictObject({ reason });
export const ErasureApproval = z.strictObject({});

export const ErasureListQuery = z.strictObject({
  status: z.enum(ERASURE_STATUSES).default('pending'),
});

export const ErasureRequestView = z.strictObject({
  id: z.uuid(),
  personId: z.uuid(),
  /** The person's pseudonymous reference: never a name. */
  personRef: z.string(),
  ownerAgencyId: z.uuid(),
  status: z.enum(ERASURE_STATUSES),
  requestedBy: z.uuid(),
  requestedByName: z.string().nullable(),
  requestedAt: z.iso.datetime(),
  dpoApprovedBy: z.uuid().nullable(),
  dpoApprovedAt: z.iso.datetime().nullable(),
  secondApprovedBy: z.uuid().nullable(),
  secondApprovedAt: z.iso.datetime().nullable(),
  rejectedBy: z.uuid().nullable(),
  rejectedAt: z.iso.datetime().nullable(),
  /** When the person was crypto-shredded (the final approval). */
  completedAt: z.iso.datetime().nullable(),
  /**
   * The reasons are sealed under the person's data key: shown in the detail view only (an audited read),
   * and gone with the person once shredded (`reasonShredded`).
   */
  reason: z.string().nullable(),
  rejectionReason: z.string().nullable(),
  reasonShredded: z.boolean(),
});
export type ErasureRequestView = z.infer<typeof ErasureRequestView>;
