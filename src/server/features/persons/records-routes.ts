import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams } from '../../../shared/contracts/common.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import {
  AccessReportBody,
  FileParams,
  FileUploadQuery,
  HistoryQuery,
  PersonFileView,
  PersonHistory,
} from '../../../shared/contracts/person-records.js';
import { FILE_CONTENT_TYPES, type FileContentType, MAX_FILE_BYTES } from '../../../shared/domain/files.js';
import type { AppDeps } from '../../app.js';
import { renderAccessReport } from './access-report-pdf.js';
import { accessReport } from './dsar.js';
import * as files from './files.js';
import { personHistory } from './history.js';

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  422: ErrorBody,
};

const EXTENSION: Record<FileContentType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/pdf': 'pdf',
};

/**
 * A person's files, rectification history and the DPO's access report.
 *
 * Uploads are the raw file as the request body (`application/octet-stream`, or the file's own image/PDF
 * type, which browsers send for a File body) rather than multipart/form-data: one file per request needs no
 * multipart parser (no extra dependency and its attack surface), the browser's file name — which can hold a
 * survivor's name — never reaches the server, the kind travels as a query parameter from a closed list, and
 * Fastify enforces the per-route size limit (MAX_FILE_BYTES, 10 MiB) before the handler runs (413). What
 * the file is, is decided from its first bytes, never from Content-Type (415 otherwise).
 */
export function registerPersonRecordRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(
      ['application/octet-stream', ...FILE_CONTENT_TYPES],
      { parseAs: 'buffer' },
      (_request, body, done) => done(null, body),
    );
    const api = scope.withTypeProvider<ZodTypeProvider>();
    const tags = ['persons'];

    api.get(
      '/persons/:id/files',
      {
        config: { access: { permission: 'person.read' } },
        schema: { tags, params: IdParams, response: { 200: z.array(PersonFileView), ...errors } },
      },
      async (request) => files.listFiles(deps, request.ctx, request.params.id),
    );

    api.post(
      '/persons/:id/files',
      {
        bodyLimit: MAX_FILE_BYTES,
        config: { access: { permission: 'person.update' }, idempotent: 'optional' },
        schema: {
          tags,
          description: `The file itself as the body (JPEG, PNG or PDF, at most ${MAX_FILE_BYTES} bytes).`,
          params: IdParams,
          querystring: FileUploadQuery,
          response: { 201: PersonFileView, ...errors },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await files.uploadFile(deps, request.ctx, request.params.id, request.query.kind, request.body),
          ),
    );

    api.get(
      '/persons/:id/files/:fileId',
      {
        config: { access: { permission: 'person.read' } },
        schema: {
          tags,
          description: 'The decrypted file, as an attachment.',
          params: FileParams,
          response: errors,
        },
      },
      async (request, reply) => {
        const { file, bytes } = await files.readFile(
          deps,
          request.ctx,
          request.params.id,
          request.params.fileId,
        );
        return reply
          .type(file.contentType)
          .header('Content-Disposition', `attachment; filename="${file.kind}.${EXTENSION[file.contentType]}"`)
          .header('Cache-Control', 'no-store')
          .header('X-Content-Type-Options', 'nosniff')
          .send(bytes as never);
      },
    );

    api.delete(
      '/persons/:id/files/:fileId',
      {
        config: { access: { permission: 'person.update' } },
        schema: { tags, params: FileParams, response: { 204: z.null(), ...errors } },
      },
      async (request, reply) => {
        await files.deleteFile(deps, request.ctx, request.params.id, request.params.fileId);
        return reply.code(204).send(null);
      },
    );

    api.get(
      '/persons/:id/history',
      {
        config: { access: { permission: 'person.read' } },
        schema: {
          tags,
          params: IdParams,
          querystring: HistoryQuery,
          response: { 200: PersonHistory, ...errors },
        },
      },
      async (request) =>
        personHistory(deps, request.ctx, request.params.id, request.query.classes ?? []) as never,
    );

    api.post(
      '/access-reports',
      {
        config: { access: { permission: 'dsar.export' }, recentAuthSeconds: 300 },
        schema: {
          tags,
          description:
            'The data-subject access report of the person with this reference, as a PDF (DPO only, step-up).',
          body: AccessReportBody,
          response: errors,
        },
      },
      async (request, reply) => {
        const data = await accessReport(deps, request.ctx, request.body);
        return reply
          .type('application/pdf')
          .header('Content-Disposition', `attachment; filename="access-report-${data.person.ref}.pdf"`)
          .header('Cache-Control', 'no-store')
          .send(renderAccessReport(data) as never);
      },
    );
  });
}
