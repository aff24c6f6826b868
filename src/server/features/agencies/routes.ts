import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AgencyCreate,
  AgencyDirectoryEntry,
  AgencyListQuery,
  AgencyPatch,
  AgencyView,
} from '../../../shared/contracts/admin.js';
import { IdParams, Page } from '../../../shared/contracts/common.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import type { AppDeps } from '../../app.js';
import * as agencies from './service.js';

/** The errors each kind of route can answer with (500 and 503 can come from anywhere and are not listed). */
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const readOneErrors = { ...readErrors, 404: ErrorBody };
const createErrors = { ...readErrors, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody };
const updateErrors = {
  ...readOneErrors,
  412: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  422: ErrorBody,
  428: ErrorBody,
};

/** Agencies of the national mechanism: everyone sees their own, the system administrator manages all. */
export function registerAgencyRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const read = { access: { permission: 'agency.read' as const } };
  const manage = { access: { permission: 'agency.manage' as const } };

  api.get(
    '/agencies',
    {
      config: read,
      schema: {
        tags: ['agencies'],
        querystring: AgencyListQuery,
        response: { 200: Page(AgencyView), ...readErrors },
      },
    },
    async (request) => agencies.listAgencies(deps, request.ctx, request.query),
  );

  api.post(
    '/agencies',
    {
      config: { ...manage, idempotent: 'optional' },
      schema: { tags: ['agencies'], body: AgencyCreate, response: { 201: AgencyView, ...createErrors } },
    },
    async (request, reply) => {
      const agency = await agencies.createAgency(deps, request.ctx, request.body);
      return reply.code(201).send(agency);
    },
  );

  api.get(
    '/agencies/directory',
    {
      config: { access: { authenticated: true } },
      schema: {
        tags: ['agencies'],
        summary: 'Directory of every agency (to name a recipient of consent or referral)',
        response: { 200: z.array(AgencyDirectoryEntry), 401: ErrorBody },
      },
    },
    async (request) => agencies.agencyDirectory(deps, request.ctx),
  );

  api.get(
    '/agencies/:id',
    {
      config: { ...read, etag: 'read' },
      schema: { tags: ['agencies'], params: IdParams, response: { 200: AgencyView, ...readOneErrors } },
    },
    async (request) => agencies.getAgency(deps, request.ctx, request.params.id),
  );

  api.patch(
    '/agencies/:id',
    {
      config: { ...manage, etag: 'update' },
      schema: {
        tags: ['agencies'],
        params: IdParams,
        body: AgencyPatch,
        response: { 200: AgencyView, ...updateErrors },
      },
    },
    async (request) =>
      agencies.updateAgency(deps, request.ctx, request.params.id, request.body, request.expectedVersion),
  );
}
