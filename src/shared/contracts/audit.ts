import { z } from 'zod';

export const AuditEventView = z.strictObject({
  seq: z.number().int(),
  at: z.iso.datetime(),
  actorUserId: z.uuid().nullable(),
  actorUsername: z.string().nullable(),
  actorAgencyId: z.uuid().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  outcome: z.enum(['success', 'denied', 'failure']),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  fields: z.array(z.string()),
  requestId: z.string().nullable(),
});
export type AuditEventView = z.infer<typeof AuditEventView>;

export const AuditQuery = z.strictObject({
  action: z.string().trim().max(80).optional(),
  actorUserId: z.uuid().optional(),
  entityType: z.string().trim().max(40).optional(),
  entityId: z.string().trim().max(80).optional(),
  outcome: z.enum(['success', 'denied', 'failure']).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional(),
});
export const AuditPage = z.strictObject({
  items: z.array(AuditEventView),
  nextBefore: z.number().int().nullable(),
});
