import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams } from '../../../shared/contracts/common.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import { LinkResult, MergeBody, MergeView } from '../../../shared/contracts/merge.js';
import { PersonSummary } from '../../../shared/contracts/persons.js';
import type { AppDeps } from '../../app.js';
import { linkDuplicates, linkedPersons, listMerges, mergeDuplicates, unmerge } from './merge.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };
const STEP_UP = 300;

/** Link, merge and unmerge of duplicates (the national coordinator), and a person's linked records. */
export function registerMergeRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['oversight'];
  api.post(
    '/tasks/:id/link',
    {
      config: { access: { permission: 'duplicate.review' }, recentAuthSeconds: STEP_UP },
      schema: { tags, params: IdParams, body: z.strictObject({}), response: { 200: LinkResult, ...errors } },
    },
    async (request) => linkDuplicates(deps, request.ctx, request.params.id),
  );
  api.post(
    '/tasks/:id/merge',
    {
      config: { access: { permission: 'duplicate.review' }, recentAuthSeconds: STEP_UP },
      schema: { tags, params: IdParams, body: MergeBody, response: { 200: MergeView, ...errors } },
    },
    async (request) => mergeDuplicates(deps, request.ctx, request.params.id, request.body.survivor),
  );
  api.get(
    '/merges',
    {
      config: { access: { permission: 'duplicate.review' } },
      schema: { tags, response: { 200: z.strictObject({ items: z.array(MergeView) }), ...errors } },
    },
    async (request) => listMerges(deps, request.ctx),
  );
  api.post(
    '/merges/:id/unmerge',
    {
      config: { access: { permission: 'duplicate.review' }, recentAuthSeconds: STEP_UP },
      schema: { tags, params: IdParams, body: z.strictObject({}), response: { 200: MergeView, ...errors } },
    },
    async (request) => unmerge(deps, request.ctx, request.params.id),
  );
  api.get(
    '/persons/:id/links',
    {
      config: { access: { permission: 'person.read' } },
      schema: { tags: ['persons'], params: IdParams, response: { 200: z.array(PersonSummary), ...errors } },
    },
    async (request) => linkedPersons(deps, request.ctx, request.params.id),
  );
}
