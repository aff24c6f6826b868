import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, Page } from '../../../shared/contracts/common.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import {
  AlertListQuery,
  AlertView,
  ConsentCreate,
  ConsentView,
  ConsentWithdraw,
  OverrideCreate,
  OverrideDecision,
  OverrideView,
  PersonCreate,
  PersonCreated,
  PersonListQuery,
  PersonMatch,
  PersonPatch,
  PersonSearchBody,
  PersonSummary,
  PersonView,
  RevealedFields,
  RevealQuery,
  TaskListQuery,
  TaskResolve,
  TaskView,
} from '../../../shared/contracts/persons.js';
import type { AppDeps } from '../../app.js';
import { registerBreakGlassRoutes } from './break-glass-routes.js';
import { registerAgencyTaskRoutes } from './coming-of-age-routes.js';
import * as consent from './consent.js';
import { registerMergeRoutes } from './merge-routes.js';
import * as oversight from './oversight.js';
import { registerPersonRecordRoutes } from './records-routes.js';
import * as persons from './service.js';

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  412: ErrorBody,
  422: ErrorBody,
  428: ErrorBody,
};
const ConsentParams = z.strictObject({ id: z.uuid(), consentId: z.uuid() });
const OverrideParams = z.strictObject({ id: z.uuid(), overrideId: z.uuid() });

/** Persons (one record per survivor) and their consent ledger. */
export function registerPersonRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['persons'];
  registerPersonRecordRoutes(app, deps);

  api.get(
    '/persons',
    {
      config: { access: { permission: 'person.read' } },
      schema: { tags, querystring: PersonListQuery, response: { 200: Page(PersonSummary), ...errors } },
    },
    async (request) => persons.listPersons(deps, request.ctx, request.query.limit, request.query.offset),
  );

  api.post(
    '/persons',
    {
      config: { access: { permission: 'person.create' }, idempotent: 'required' },
      schema: { tags, body: PersonCreate, response: { 201: PersonCreated, ...errors } },
    },
    async (request, reply) =>
      reply.code(201).send(await persons.createPerson(deps, request.ctx, request.body)),
  );

  api.post(
    '/persons/search',
    {
      config: { access: { permission: 'person.read' } },
      schema: { tags, body: PersonSearchBody, response: { 200: z.array(PersonMatch), ...errors } },
    },
    async (request) => persons.searchInScope(deps, request.ctx, request.body),
  );

  api.get(
    '/persons/:id',
    {
      config: { access: { permission: 'person.read' }, etag: 'read' },
      schema: { tags, params: IdParams, response: { 200: PersonView, ...errors } },
    },
    async (request) => persons.getPerson(deps, request.ctx, request.params.id),
  );

  api.get(
    '/persons/:id/fields',
    {
      config: { access: { permission: 'person.read' } },
      schema: {
        tags,
        params: IdParams,
        querystring: RevealQuery,
        response: { 200: RevealedFields, ...errors },
      },
    },
    async (request) =>
      persons.revealPerson(deps, request.ctx, request.params.id, request.query.classes) as never,
  );

  api.patch(
    '/persons/:id',
    {
      config: { access: { permission: 'person.update' }, etag: 'update' },
      schema: { tags, params: IdParams, body: PersonPatch, response: { 200: PersonView, ...errors } },
    },
    async (request) =>
      persons.patchPerson(deps, request.ctx, request.params.id, request.body, request.expectedVersion),
  );

  api.get(
    '/persons/:id/consents',
    {
      config: { access: { permission: 'consent.read' } },
      schema: { tags, params: IdParams, response: { 200: z.array(ConsentView), ...errors } },
    },
    async (request) => consent.listConsents(deps, request.ctx, request.params.id),
  );

  api.post(
    '/persons/:id/consents',
    {
      config: { access: { permission: 'consent.manage' }, idempotent: 'required' },
      schema: { tags, params: IdParams, body: ConsentCreate, response: { 201: ConsentView, ...errors } },
    },
    async (request, reply) =>
      reply.code(201).send(await consent.giveConsent(deps, request.ctx, request.params.id, request.body)),
  );

  api.post(
    '/persons/:id/consents/:consentId/withdraw',
    {
      config: { access: { permission: 'consent.manage' } },
      schema: {
        tags,
        params: ConsentParams,
        body: ConsentWithdraw,
        response: { 200: ConsentView, ...errors },
      },
    },
    async (request) =>
      consent.withdrawConsent(deps, request.ctx, request.params.id, request.params.consentId, request.body),
  );

  api.get(
    '/persons/:id/consent-overrides',
    {
      config: { access: { permission: 'consent.read' } },
      schema: { tags, params: IdParams, response: { 200: z.array(OverrideView), ...errors } },
    },
    async (request) => consent.listOverrides(deps, request.ctx, request.params.id),
  );

  api.post(
    '/persons/:id/consent-overrides',
    {
      config: { access: { permission: 'consent.override' }, recentAuthSeconds: 300, idempotent: 'optional' },
      schema: { tags, params: IdParams, body: OverrideCreate, response: { 201: OverrideView, ...errors } },
    },
    async (request, reply) =>
      reply.code(201).send(await consent.requestOverride(deps, request.ctx, request.params.id, request.body)),
  );

  api.post(
    '/persons/:id/consent-overrides/:overrideId/decision',
    {
      config: { access: { permission: 'consent.override' }, recentAuthSeconds: 300 },
      schema: {
        tags,
        params: OverrideParams,
        body: OverrideDecision,
        response: { 200: OverrideView, ...errors },
      },
    },
    async (request) =>
      consent.decideOverride(
        deps,
        request.ctx,
        request.params.id,
        request.params.overrideId,
        request.body.decision,
      ),
  );
}

/** The coordinator's duplicate-review queue and the DPO's alerts. */
export function registerOversightRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  registerBreakGlassRoutes(app, deps);
  registerAgencyTaskRoutes(app, deps);
  registerMergeRoutes(app, deps);
  api.get(
    '/tasks',
    {
      config: { access: { permission: 'duplicate.review' } },
      schema: {
        tags: ['oversight'],
        querystring: TaskListQuery,
        response: { 200: z.strictObject({ items: z.array(TaskView) }), ...errors },
      },
    },
    async (request) => oversight.listTasks(deps, request.ctx, request.query.kind, request.query.status),
  );
  api.post(
    '/tasks/:id/resolve',
    {
      config: { access: { permission: 'duplicate.review' } },
      schema: {
        tags: ['oversight'],
        params: IdParams,
        body: TaskResolve,
        response: { 200: TaskView, ...errors },
      },
    },
    async (request) => oversight.resolveTask(deps, request.ctx, request.params.id, request.body.resolution),
  );
  api.get(
    '/alerts',
    {
      config: { access: { permission: 'alert.read' } },
      schema: {
        tags: ['oversight'],
        querystring: AlertListQuery,
        response: { 200: z.strictObject({ items: z.array(AlertView) }), ...errors },
      },
    },
    async (request) => oversight.listAlerts(deps, request.ctx, request.query.open === 'true'),
  );
  api.post(
    '/alerts/:id/acknowledge',
    {
      config: { access: { permission: 'alert.read' } },
      schema: {
        tags: ['oversight'],
        params: IdParams,
        body: z.strictObject({}).optional(),
        response: { 200: AlertView, ...errors },
      },
    },
    async (request) => oversight.acknowledgeAlert(deps, request.ctx, request.params.id),
  );
}
