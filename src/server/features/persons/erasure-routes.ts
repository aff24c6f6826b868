import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams } from '../../../shared/contracts/common.js';
import {
  ErasureApproval,
  ErasureListQuery,
  ErasureRejection,
  ErasureRequestCreate,
  ErasureRequestView,
} from '../../../shared/contracts/erasure.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import type { AppDeps } from '../../app.js';
import * as erasure from './erasure.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
/** Deciding an erasure destroys data for good: a fresh second factor, as for consent overrides. */
const STEP_UP_SECONDS = 300;

/** Erasure requests (GDPR Art. 17, ADR 13): asked on the person page, decided on the DPO's screen. */
export function registerErasureRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['erasure'];

  api.post(
    '/persons/:id/erasure-requests',
    {
      // a replay with the same Idempotency-Key gets the stored answer; one pending request per person anyway
      config: { access: { permission: 'erasure.request' }, idempotent: 'optional' },
      schema: {
        tags,
        params: IdParams,
        body: ErasureRequestCreate,
        response: { 201: ErasureRequestView, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await erasure.requestErasure(deps, request.ctx, request.params.id, request.body)),
  );

  api.get(
    '/persons/:id/erasure-requests',
    {
      config: { access: { permission: 'erasure.request' } },
      schema: { tags, params: IdParams, response: { 200: z.array(ErasureRequestView), ...errors } },
    },
    async (request) => erasure.listForPerson(deps, request.ctx, request.params.id),
  );

  api.get(
    '/erasure-requests',
    {
      config: { access: { permission: 'erasure.approve' } },
      schema: {
        tags,
        querystring: ErasureListQuery,
        response: { 200: z.strictObject({ items: z.array(ErasureRequestView) }), ...errors },
      },
    },
    async (request) => erasure.listRequests(deps, request.ctx, request.query.status),
  );

  api.get(
    '/erasure-requests/:id',
    {
      config: { access: { permission: 'erasure.approve' } },
      schema: { tags, params: IdParams, response: { 200: ErasureRequestView, ...errors } },
    },
    async (request) => erasure.getRequest(deps, request.ctx, request.params.id),
  );

  api.post(
    '/erasure-requests/:id/approve',
    {
      config: { access: { permission: 'erasure.approve' }, recentAuthSeconds: STEP_UP_SECONDS },
      schema: {
        tags,
        params: IdParams,
        body: ErasureApproval,
        response: { 200: ErasureRequestView, ...errors },
      },
    },
    async (request) => erasure.approveRequest(deps, request.ctx, request.params.id),
  );

  api.post(
    '/erasure-requests/:id/reject',
    {
      config: { access: { permission: 'erasure.approve' }, recentAuthSeconds: STEP_UP_SECONDS },
      schema: {
        tags,
        params: IdParams,
        body: ErasureRejection,
        response: { 200: ErasureRequestView, ...errors },
      },
    },
    async (request) => erasure.rejectRequest(deps, request.ctx, request.params.id, request.body.reason),
  );
}
