import { z } from 'zod';

/** Which of a duplicate-review task's two records survives a merge: the new record, or its match. */
export const MergeBody = z.strictObject({ survivor: z.enum(['record', 'match']) });

/** A merge as the coordinator sees it: pseudonymous references and agencies only. */
export const MergeView = z.strictObject({
  id: z.uuid(),
  survivorId: z.uuid(),
  survivorRef: z.string(),
  survivorAgencyId: z.uuid(),
  mergedId: z.uuid(),
  mergedRef: z.string(),
  mergedAgencyId: z.uuid(),
  createdAt: z.iso.datetime(),
  /** Until when the merge can be undone. */
  keepUntil: z.iso.datetime(),
  undoneAt: z.iso.datetime().nullable(),
  undoable: z.boolean(),
});

export const LinkResult = z.strictObject({ taskId: z.uuid(), resolution: z.literal('linked') });
