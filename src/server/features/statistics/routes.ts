import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import { StatisticsQuery, StatisticsTable } from '../../../shared/contracts/statistics.js';
import type { AppDeps } from '../../app.js';
import { personStatistics } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** National aggregate statistics (G23, ADR 16): counts under suppression, never records. */
export function registerStatisticsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/statistics/persons',
    {
      config: { access: { permission: 'statistics.read' } },
      schema: {
        tags: ['statistics'],
        description:
          'Persons registered before the current month, counted by one or two variables; counts of 1 to k − 1 and the counts that would reveal them are suppressed.',
        querystring: StatisticsQuery,
        response: { 200: StatisticsTable, ...errors },
      },
    },
    async (request) => personStatistics(deps, request.ctx, request.query),
  );
}
