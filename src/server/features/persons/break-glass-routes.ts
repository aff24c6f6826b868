import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BreakGlassEvent,
  BreakGlassGrant,
  BreakGlassListQuery,
  BreakGlassOpen,
} from '../../../shared/contracts/break-glass.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import type { AppDeps } from '../../app.js';
import { listBreakGlass, openBreakGlass } from './break-glass.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** Break-the-glass (emergency access to one person by reference) and the DPO's list of grants. */
export function registerBreakGlassRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.post(
    '/break-glass',
    {
      config: {
        access: { permission: 'person.break_glass' },
        recentAuthSeconds: 300,
        idempotent: 'optional',
      },
      schema: { tags: ['persons'], body: BreakGlassOpen, response: { 201: BreakGlassGrant, ...errors } },
    },
    async (request, reply) => reply.code(201).send(await openBreakGlass(deps, request.ctx, request.body)),
  );
  api.get(
    '/break-glass',
    {
      config: { access: { permission: 'alert.read' } },
      schema: {
        tags: ['oversight'],
        querystring: BreakGlassListQuery,
        response: { 200: z.strictObject({ items: z.array(BreakGlassEvent) }), ...errors },
      },
    },
    async (request) => listBreakGlass(deps, request.ctx, request.query.status),
  );
}
