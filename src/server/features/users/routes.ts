import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  MembershipUpsert,
  SetupIssued,
  UserCreate,
  UserCreated,
  UserListQuery,
  UserPatch,
  UserView,
} from '../../../shared/contracts/admin.js';
import { IdParams, Ok, Page } from '../../../shared/contracts/common.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import { ROLES } from '../../../shared/domain/access.js';
import type { AppDeps } from '../../app.js';
import * as queries from './queries.js';
import * as users from './service.js';

/** The errors each kind of route can answer with (500 and 503 can come from anywhere and are not listed). */
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const readOneErrors = { ...readErrors, 404: ErrorBody };
const createErrors = { ...readErrors, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody };
const actionErrors = { ...readOneErrors, 413: ErrorBody, 415: ErrorBody };
const updateErrors = { ...actionErrors, 412: ErrorBody, 422: ErrorBody, 428: ErrorBody };

const GrantableQuery = z.strictObject({ agencyId: z.uuid() });
const GrantableRoles = z.strictObject({ roles: z.array(z.enum(ROLES)) });
/** Actions without parameters: the web client sends `{}`, other clients may send nothing. */
const NoBody = z.strictObject({}).optional();

/** Staff accounts: who works where, in which roles; creation, deactivation, credential resets. */
export function registerUserRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const read = { access: { permission: 'user.read' as const } };
  const manage = { access: { permission: 'user.manage' as const } };
  /** Granting roles is a dangerous action: it needs a sign-in or step-up in the last 5 minutes (G14). */
  const grant = { ...manage, recentAuthSeconds: 300 };

  api.get(
    '/users',
    {
      config: read,
      schema: {
        tags: ['users'],
        querystring: UserListQuery,
        response: { 200: Page(UserView), ...readErrors },
      },
    },
    async (request) => queries.listUsers(deps, request.ctx, request.query),
  );

  api.get(
    '/users/grantable-roles',
    {
      config: manage,
      schema: {
        tags: ['users'],
        querystring: GrantableQuery,
        response: { 200: GrantableRoles, ...readErrors },
      },
    },
    async (request) => queries.grantableRolesIn(deps, request.ctx, request.query.agencyId),
  );

  api.post(
    '/users',
    {
      config: { ...grant, idempotent: 'optional' },
      schema: { tags: ['users'], body: UserCreate, response: { 201: UserCreated, ...createErrors } },
    },
    async (request, reply) => reply.code(201).send(await users.createUser(deps, request.ctx, request.body)),
  );

  api.get(
    '/users/:id',
    {
      config: { ...read, etag: 'read' },
      schema: { tags: ['users'], params: IdParams, response: { 200: UserView, ...readOneErrors } },
    },
    async (request) => queries.getUser(deps, request.ctx, request.params.id),
  );

  api.patch(
    '/users/:id',
    {
      config: { ...manage, etag: 'update' },
      schema: {
        tags: ['users'],
        params: IdParams,
        body: UserPatch,
        response: { 200: UserView, ...updateErrors },
      },
    },
    async (request) =>
      users.patchUser(deps, request.ctx, request.params.id, request.body, request.expectedVersion),
  );

  api.put(
    '/users/:id/memberships',
    {
      config: { ...grant, etag: 'update' },
      schema: {
        tags: ['users'],
        params: IdParams,
        body: MembershipUpsert,
        response: { 200: UserView, ...updateErrors },
      },
    },
    async (request) =>
      users.setMembership(deps, request.ctx, request.params.id, request.body, request.expectedVersion),
  );

  api.post(
    '/users/:id/reset-credentials',
    {
      config: { ...manage, recentAuthSeconds: 300 },
      schema: {
        tags: ['users'],
        params: IdParams,
        body: NoBody,
        response: { 200: SetupIssued, ...actionErrors },
      },
    },
    async (request) => users.resetCredentials(deps, request.ctx, request.params.id),
  );

  api.post(
    '/users/:id/revoke-sessions',
    {
      config: manage,
      schema: { tags: ['users'], params: IdParams, body: NoBody, response: { 200: Ok, ...actionErrors } },
    },
    async (request) => {
      await users.revokeSessions(deps, request.ctx, request.params.id);
      return { ok: true as const };
    },
  );
}
