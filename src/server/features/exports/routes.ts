import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams } from '../../../shared/contracts/common.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import { ExportCreate, ExportListQuery, ExportView } from '../../../shared/contracts/exports.js';
import type { AppDeps } from '../../app.js';
import * as exports from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
/** Approving an identifying export hands identities out of the system: a fresh second factor first. */
const STEP_UP_SECONDS = 300;

/** Exports of an agency's person records (G07, ADR 15). */
export function registerExportRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['exports'];

  api.post(
    '/exports',
    {
      config: { access: { permission: 'person.export' }, idempotent: 'optional' },
      schema: { tags, body: ExportCreate, response: { 201: ExportView, ...errors } },
    },
    async (request, reply) =>
      reply.code(201).send(await exports.requestExport(deps, request.ctx, request.body)),
  );

  api.get(
    '/exports',
    {
      config: { access: { permission: 'person.export' } },
      schema: {
        tags,
        querystring: ExportListQuery,
        response: { 200: z.strictObject({ items: z.array(ExportView) }), ...errors },
      },
    },
    async (request) => exports.listExports(deps, request.ctx, request.query.status),
  );

  for (const decision of ['approve', 'reject'] as const) {
    api.post(
      `/exports/:id/${decision}`,
      {
        config: { access: { permission: 'export.approve' }, recentAuthSeconds: STEP_UP_SECONDS },
        schema: {
          tags,
          params: IdParams,
          body: z.strictObject({}),
          response: { 200: ExportView, ...errors },
        },
      },
      async (request) => exports.decideExport(deps, request.ctx, request.params.id, decision),
    );
  }

  api.get(
    '/exports/:id/file',
    {
      config: { access: { permission: 'person.export' } },
      schema: {
        tags,
        description: 'The export as CSV or XLSX, produced now, for its requester only, once approved.',
        params: IdParams,
        response: errors,
      },
    },
    async (request, reply) => {
      const file = await exports.downloadExport(deps, request.ctx, request.params.id);
      return reply
        .type(file.contentType)
        .header('Content-Disposition', `attachment; filename="${file.filename}"`)
        .header('Cache-Control', 'no-store')
        .send(file.body as never);
    },
  );
}
