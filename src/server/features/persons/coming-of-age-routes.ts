import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AgencyTaskListQuery, AgencyTaskView } from '../../../shared/contracts/coming-of-age.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import type { AppDeps } from '../../app.js';
import { listAgencyTasks } from './coming-of-age.js';

/** The agency's own task list (consent at 18), for its case managers. */
export function registerAgencyTaskRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/agency-tasks',
    {
      config: { access: { permission: 'consent.manage' } },
      schema: {
        tags: ['persons'],
        querystring: AgencyTaskListQuery,
        response: {
          200: z.strictObject({ items: z.array(AgencyTaskView) }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (request) => listAgencyTasks(deps, request.ctx, request.query.status),
  );
}
