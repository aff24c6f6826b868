import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  LoginBody,
  LoginResult,
  Me,
  MePatch,
  MfaCodeBody,
  MfaEnrolFinish,
  MfaEnrolStart,
  PasswordChangeBody,
  ReauthBody,
  RecoveryCodeBody,
  SecurityKeyRegisterBody,
  SecurityKeyRegistrationOptions,
  SecurityKeyView,
  SessionView,
  SetupBody,
  WebAuthnSignInOptions,
  WebAuthnVerifyBody,
} from '../../../shared/contracts/auth.js';
import { IdParams, Ok } from '../../../shared/contracts/common.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import { holdsPermission, PERMISSIONS } from '../../../shared/domain/access.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { clearSessionCookie, revokeUserSessions, setSessionCookie } from '../../platform/sessions.js';
import { withTx } from '../../platform/tx.js';
import * as auth from './service.js';
import { throttleSource } from './throttle.js';
import * as webauthn from './webauthn.js';

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  422: ErrorBody,
  429: ErrorBody,
};

function meOf(deps: AppDeps, ctx: RequestContext): z.infer<typeof Me> {
  const actor = requireActor(ctx);
  return {
    id: actor.userId,
    username: actor.username,
    displayName: actor.displayName,
    locale: ctx.locale,
    memberships: actor.memberships.map((m) => ({
      id: m.id,
      agencyId: m.agencyId,
      agencyCode: m.agencyCode,
      agencyName: m.agencyName[ctx.locale],
      roles: m.roles,
    })),
    permissions: PERMISSIONS.filter((p) => holdsPermission(actor.memberships, p)),
    demo: deps.config.demo,
    stepUpCode: !(deps.config.demo && actor.demoAccount === true),
    idleTimeoutSeconds: deps.config.session.idleSeconds,
  };
}

/** Sign-in, second factor, step-up, sign-out, and the signed-in user's own account. */
export function registerAuthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { config } = deps;
  const pending = { access: { pending: true as const } };

  api.post(
    '/auth/login',
    {
      config: { access: { public: true } },
      schema: { tags: ['auth'], body: LoginBody, response: { 200: LoginResult, ...errors } },
    },
    async (request, reply) => {
      await throttleSource(deps, request.ip, request.ctx.now());
      const { token, next } = await auth.login(
        deps,
        request.ctx,
        request.body.username,
        request.body.password,
      );
      if (request.session) {
        const old = request.session.id;
        await withTx(deps.db.pool, null, (tx) =>
          tx.query('UPDATE sessions SET revoked_at = $2 WHERE id = $1', [old, request.ctx.now()]),
        );
      }
      setSessionCookie(reply, config, token);
      return { next };
    },
  );

  api.post(
    '/auth/mfa/verify',
    { config: pending, schema: { tags: ['auth'], body: MfaCodeBody, response: { 200: Ok, ...errors } } },
    async (request, reply) => {
      const s = request.session!;
      const token = await auth.verifyMfa(deps, request.ctx, s.userId, s.id, request.body.code);
      setSessionCookie(reply, config, token);
      return { ok: true as const };
    },
  );

  api.post(
    '/auth/recovery',
    { config: pending, schema: { tags: ['auth'], body: RecoveryCodeBody, response: { 200: Ok, ...errors } } },
    async (request, reply) => {
      const s = request.session!;
      const token = await auth.useRecoveryCode(deps, request.ctx, s.userId, s.id, request.body.code);
      setSessionCookie(reply, config, token);
      return { ok: true as const };
    },
  );

  api.post(
    '/auth/webauthn/options',
    {
      config: pending,
      schema: {
        tags: ['auth'],
        body: z.strictObject({}),
        response: { 200: WebAuthnSignInOptions, ...errors },
      },
    },
    async (request) => {
      const s = request.session!;
      const rp = webauthn.relyingParty(request, config);
      return { options: await webauthn.signInOptions(deps, request.ctx, s.userId, s.id, rp) };
    },
  );

  api.post(
    '/auth/webauthn/verify',
    {
      config: pending,
      schema: { tags: ['auth'], body: WebAuthnVerifyBody, response: { 200: Ok, ...errors } },
    },
    async (request, reply) => {
      const s = request.session!;
      const rp = webauthn.relyingParty(request, config);
      const token = await webauthn.signInWithKey(
        deps,
        request.ctx,
        s.userId,
        s.id,
        rp,
        request.body.response,
      );
      setSessionCookie(reply, config, token);
      return { ok: true as const };
    },
  );

  api.post(
    '/auth/mfa/enrol/start',
    {
      config: pending,
      schema: { tags: ['auth'], body: z.strictObject({}), response: { 200: MfaEnrolStart, ...errors } },
    },
    async (request) => auth.startEnrolment(deps, request.ctx, request.session!.userId),
  );

  api.post(
    '/auth/mfa/enrol/finish',
    {
      config: pending,
      schema: { tags: ['auth'], body: MfaCodeBody, response: { 200: MfaEnrolFinish, ...errors } },
    },
    async (request, reply) => {
      const s = request.session!;
      const { token, recoveryCodes } = await auth.finishEnrolment(
        deps,
        request.ctx,
        s.userId,
        s.id,
        request.body.code,
      );
      setSessionCookie(reply, config, token);
      return { recoveryCodes };
    },
  );

  api.post(
    '/auth/setup',
    {
      config: { access: { public: true } },
      schema: { tags: ['auth'], body: SetupBody, response: { 200: Ok, ...errors } },
    },
    async (request) => {
      await throttleSource(deps, request.ip, request.ctx.now());
      await auth.completeSetup(deps, request.ctx, request.body.token, request.body.password);
      return { ok: true as const };
    },
  );

  api.post(
    '/auth/reauth',
    {
      config: { access: { authenticated: true } },
      schema: { tags: ['auth'], body: ReauthBody, response: { 200: Ok, ...errors } },
    },
    async (request) => {
      const actor = requireActor(request.ctx);
      await auth.reauthenticate(
        deps,
        request.ctx,
        actor.userId,
        actor.sessionId,
        request.body.password,
        request.body.code,
      );
      return { ok: true as const };
    },
  );

  api.post(
    '/auth/logout',
    {
      config: pending,
      schema: { tags: ['auth'], body: z.strictObject({}).optional(), response: { 200: Ok, ...errors } },
    },
    async (request, reply) => {
      const s = request.session!;
      await withTx(deps.db.pool, request.ctx.actor, async (tx) => {
        await tx.query('UPDATE sessions SET revoked_at = $2 WHERE id = $1', [s.id, request.ctx.now()]);
        await writeAudit(tx, request.ctx, {
          action: 'auth.logout',
          entityType: 'user',
          entityId: s.userId,
          actorUserId: s.userId,
        });
      });
      clearSessionCookie(reply, config);
      reply.header('Clear-Site-Data', '"cache", "storage"');
      return { ok: true as const };
    },
  );

  api.post(
    '/auth/logout-all',
    {
      config: { access: { authenticated: true } },
      schema: { tags: ['auth'], body: z.strictObject({}).optional(), response: { 200: Ok, ...errors } },
    },
    async (request, reply) => {
      const actor = requireActor(request.ctx);
      await withTx(deps.db.pool, actor, async (tx) => {
        await revokeUserSessions(tx, actor.userId, request.ctx.now());
        await writeAudit(tx, request.ctx, {
          action: 'auth.logout_all',
          entityType: 'user',
          entityId: actor.userId,
        });
      });
      clearSessionCookie(reply, config);
      reply.header('Clear-Site-Data', '"cache", "storage"');
      return { ok: true as const };
    },
  );

  api.get(
    '/me',
    {
      config: { access: { authenticated: true } },
      schema: { tags: ['me'], response: { 200: Me, ...errors } },
    },
    async (request) => meOf(deps, request.ctx),
  );

  api.patch(
    '/me',
    {
      config: { access: { authenticated: true } },
      schema: { tags: ['me'], body: MePatch, response: { 200: Me, ...errors } },
    },
    async (request) => {
      const actor = requireActor(request.ctx);
      const { locale, displayName } = request.body;
      const fields = [...(locale ? ['locale'] : []), ...(displayName ? ['display_name'] : [])];
      if (fields.length > 0) {
        await withTx(deps.db.pool, actor, async (tx) => {
          await tx.query(
            `UPDATE users SET locale = coalesce($2, locale), display_name = coalesce($3, display_name),
                    updated_at = $4, version = version + 1 WHERE id = $1`,
            [actor.userId, locale ?? null, displayName ?? null, request.ctx.now()],
          );
          await writeAudit(tx, request.ctx, {
            action: 'user.update_self',
            entityType: 'user',
            entityId: actor.userId,
            fields,
          });
        });
        if (locale) request.ctx.locale = locale;
        if (displayName) actor.displayName = displayName;
      }
      return meOf(deps, request.ctx);
    },
  );

  api.post(
    '/me/password',
    {
      config: { access: { authenticated: true } },
      schema: { tags: ['me'], body: PasswordChangeBody, response: { 200: Ok, ...errors } },
    },
    async (request) => {
      const actor = requireActor(request.ctx);
      await auth.changePassword(
        deps,
        request.ctx,
        actor.userId,
        actor.sessionId,
        request.body.currentPassword,
        request.body.newPassword,
      );
      return { ok: true as const };
    },
  );

  api.get(
    '/me/sessions',
    {
      config: { access: { authenticated: true } },
      schema: { tags: ['me'], response: { 200: z.array(SessionView), ...errors } },
    },
    async (request) => {
      const actor = requireActor(request.ctx);
      const now = request.ctx.now();
      const idleSince = new Date(now.getTime() - config.session.idleSeconds * 1000);
      const { rows } = await withTx(deps.db.pool, actor, (tx) =>
        tx.query<{ id: string; created_at: Date; last_seen_at: Date }>(
          `SELECT id, created_at, last_seen_at FROM sessions
            WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND last_seen_at >= $3 AND mfa_verified
            ORDER BY last_seen_at DESC`,
          [actor.userId, now, idleSince],
        ),
      );
      return rows.map((r) => ({
        id: r.id,
        createdAt: r.created_at.toISOString(),
        lastSeenAt: r.last_seen_at.toISOString(),
        current: r.id === actor.sessionId,
      }));
    },
  );

  api.delete(
    '/me/sessions/:id',
    {
      config: { access: { authenticated: true } },
      schema: { tags: ['me'], params: IdParams, response: { 200: Ok, ...errors } },
    },
    async (request) => {
      const actor = requireActor(request.ctx);
      const ended = await withTx(deps.db.pool, actor, async (tx) => {
        const { rowCount } = await tx.query(
          'UPDATE sessions SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL',
          [request.params.id, actor.userId, request.ctx.now()],
        );
        if (rowCount)
          await writeAudit(tx, request.ctx, {
            action: 'auth.session_end',
            entityType: 'session',
            entityId: request.params.id,
          });
        return rowCount;
      });
      if (!ended) throw new AppError('not_found');
      return { ok: true as const };
    },
  );

  // Security keys (WebAuthn): registering or removing one changes how the account signs in, so both need a
  // recent re-authentication; registering is offered to administrators only.
  const keyChange = { access: { authenticated: true as const }, recentAuthSeconds: 300 };

  api.get(
    '/me/webauthn',
    {
      config: { access: { authenticated: true } },
      schema: { tags: ['me'], response: { 200: z.array(SecurityKeyView), ...errors } },
    },
    async (request) => webauthn.listKeys(deps, requireActor(request.ctx)),
  );

  api.post(
    '/me/webauthn/options',
    {
      config: keyChange,
      schema: {
        tags: ['me'],
        body: z.strictObject({}),
        response: { 200: SecurityKeyRegistrationOptions, ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request.ctx);
      const rp = webauthn.relyingParty(request, config);
      return { options: await webauthn.registrationOptions(deps, request.ctx, actor, rp) };
    },
  );

  api.post(
    '/me/webauthn',
    {
      config: { ...keyChange, idempotent: 'optional' },
      schema: { tags: ['me'], body: SecurityKeyRegisterBody, response: { 201: SecurityKeyView, ...errors } },
    },
    async (request, reply) => {
      const actor = requireActor(request.ctx);
      const rp = webauthn.relyingParty(request, config);
      const key = await webauthn.registerKey(
        deps,
        request.ctx,
        actor,
        rp,
        request.body.label,
        request.body.response,
      );
      return reply.code(201).send(key);
    },
  );

  api.delete(
    '/me/webauthn/:id',
    { config: keyChange, schema: { tags: ['me'], params: IdParams, response: { 200: Ok, ...errors } } },
    async (request) => {
      await webauthn.removeKey(deps, request.ctx, requireActor(request.ctx), request.params.id);
      return { ok: true as const };
    },
  );
}
