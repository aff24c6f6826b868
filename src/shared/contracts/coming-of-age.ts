import { z } from 'zod';
import { TaskView } from './persons.js';

/** A task of the caller's agency (today: consent at 18), with the person's id to open the record. */
export const AgencyTaskView = z.strictObject({ ...TaskView.shape, personId: z.uuid().nullable() });
export const AgencyTaskListQuery = z.strictObject({
  status: z.enum(['open', 'done', 'dismissed']).default('open'),
});
