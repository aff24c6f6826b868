import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AuditPage, AuditQuery } from '../../../shared/contracts/audit.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import type { AppDeps } from '../../app.js';
import { readAudit } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** The audit trail, for the data protection officer: filters, newest first, paged by sequence number. */
export function registerAuditRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/audit',
    {
      config: { access: { permission: 'audit.read' } },
      schema: { tags: ['audit'], querystring: AuditQuery, response: { 200: AuditPage, ...errors } },
    },
    async (request) => readAudit(deps, request.ctx, request.query),
  );
}
