import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodType } from 'zod';
import type { ErrorCode } from '../../shared/contracts/errors.js';
import { holdsPermission } from '../../shared/domain/access.js';
import {
  DEFAULT_LOCALE,
  isLocale,
  type Locale,
  localeFromAcceptLanguage,
} from '../../shared/domain/locales.js';
import type { AppDeps } from '../app.js';
import { writeAudit } from './audit.js';
import { registerConcurrency } from './concurrency.js';
import type { RequestContext } from './context.js';
import { AppError, errorBody, localizeIssues } from './errors.js';
import { registerIdempotency } from './idempotency.js';
import type { AccessRule } from './routes.js';
import { clearSessionCookie, lookupSession, type SessionState, sessionToken } from './sessions.js';
import { withTx } from './tx.js';
import { isDatabaseUnavailable, serviceUnavailable, unavailableReason } from './unavailable.js';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
    session: SessionState | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const MAX_JSON_DEPTH = 32;

/** Validation through zod, keeping the raw issues so that the error handler can localise every one. */
export function zodValidatorCompiler({ schema }: { schema: unknown }) {
  return (data: unknown) => {
    // body, query, params and headers alike: text PostgreSQL cannot store is invalid input, not a 500
    const badText = unstorableTextPath(data);
    if (badText !== null) {
      const issue = { code: 'invalid_format', format: 'text', path: badText, message: 'unstorable text' };
      return { error: Object.assign(new Error('validation failed'), { zodIssues: [issue] }) };
    }
    const result = (schema as ZodType).safeParse(data);
    if (result.success) return { value: result.data };
    return { error: Object.assign(new Error('validation failed'), { zodIssues: result.error.issues }) };
  };
}

function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** NUL, or a UTF-16 surrogate without its pair: text that neither `text` nor `jsonb` columns can hold. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

/**
 * The path of the first key or string value that PostgreSQL would refuse to store (a 500 otherwise: found
 * by the API fuzzer, G16), or null when every string is storable text.
 */
function unstorableTextPath(value: unknown): string[] | null {
  const stack: Array<[unknown, string[]]> = [[value, []]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (unstorable(node)) return path;
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node)) {
      const childPath = [...path, key];
      if (unstorable(key)) return childPath;
      stack.push([child, childPath]);
    }
  }
  return null;
}

function resolveLocale(request: FastifyRequest, session: SessionState | null): Locale {
  if (session && isLocale(session.locale)) return session.locale;
  return localeFromAcceptLanguage(request.headers['accept-language']) ?? DEFAULT_LOCALE;
}

/** Same-origin check: the Origin (or, failing that, Sec-Fetch-Site) must show the request came from our pages. */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin) {
    try {
      return new URL(origin).host === request.host;
    } catch {
      return false;
    }
  }
  return request.headers['sec-fetch-site'] === 'same-origin';
}

function send(reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
  const locale = request.ctx?.locale ?? DEFAULT_LOCALE;
  if (error.headers) reply.headers(error.headers);
  return reply
    .code(error.status)
    .type('application/json')
    .send(errorBody(error.code, locale, request.id, error.issues, error.details));
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_BAD_URL: 'not_found',
  FST_ERR_MAX_PARAM_LENGTH: 'not_found',
  FST_ERR_ASYNC_CONSTRAINT: 'not_found',
};

/** The headers every answer carries (G18), set in onSend and for the router's own errors. */
function securityHeaders(config: AppDeps['config'], request: FastifyRequest, reply: FastifyReply): void {
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Referrer-Policy', 'no-referrer');
  reply.header('X-Frame-Options', 'DENY');
  reply.header('Cross-Origin-Opener-Policy', 'same-origin');
  reply.header('Cross-Origin-Resource-Policy', 'same-origin');
  reply.header(
    'Permissions-Policy',
    'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
  );
  reply.header(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
      "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  );
  if (config.tls) reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  if (request.url.startsWith('/api/') || !reply.getHeader('cache-control'))
    reply.header('Cache-Control', 'no-store');
  reply.removeHeader('X-Powered-By');
  reply.header('X-Request-Id', request.id);
}

/**
 * The router's own errors (a malformed percent-encoding, a path parameter past `maxParamLength`), which
 * Fastify answers before any hook or error handler: the same `{ code, message, requestId }` in the caller's
 * language as every other error (Fastify's `frameworkErrors` option; found by the API fuzzer, G16).
 */
export function answerFrameworkError(
  deps: AppDeps,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  request.ctx ??= {
    requestId: request.id,
    locale: resolveLocale(request, null),
    actor: null,
    log: request.log,
    now: deps.clock,
  };
  // Fastify runs no hook for these answers: the headers are set here
  securityHeaders(deps.config, request, reply);
  return send(reply, request, new AppError(FASTIFY_CODES[error.code] ?? 'not_found'));
}

/**
 * The platform's request pipeline: request context, CSRF defence, session and access rule, security
 * headers, one error handler, one not-found handler, and one hook that logs every denial.
 */
export function registerPlatform(app: FastifyInstance, deps: AppDeps): void {
  const { config, db } = deps;

  app.decorateRequest('ctx', null as unknown as RequestContext);
  app.decorateRequest('session', null);

  // JSON with a depth limit; prototype keys are rejected by strict schemas and never merged into objects.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      const parsed = JSON.parse(body as string);
      if (jsonDepthExceeds(parsed, MAX_JSON_DEPTH)) return done(new AppError('malformed_json'), undefined);
      done(null, parsed);
    } catch {
      done(new AppError('malformed_json'), undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    request.ctx = {
      requestId: request.id,
      locale: resolveLocale(request, null),
      actor: null,
      log: request.log,
      now: deps.clock,
    };
    if (!KNOWN_METHODS.has(request.method)) throw new AppError('method_not_allowed');
    const access: AccessRule | undefined = request.routeOptions.config?.access;
    if (!access) return; // not-found handler, answered below

    const token = sessionToken(request, config);
    if (token) {
      const found = await lookupSession(db.pool, config, token, deps.clock());
      if (found.kind === 'ok') {
        request.session = found.session;
        request.ctx.actor = found.actor;
        request.ctx.locale = resolveLocale(request, found.session);
      } else if (!('public' in access)) {
        clearSessionCookie(reply, config);
        throw new AppError(found.kind === 'expired' ? 'session_expired' : 'unauthenticated');
      }
    }

    if ('pending' in access && !request.session) throw new AppError('unauthenticated');
    if (!('public' in access) && !('pending' in access) && !request.ctx.actor)
      throw new AppError(request.session ? 'mfa_required' : 'unauthenticated');
    // CSRF: writes must come from our own pages (same origin) and carry our custom header.
    if (!SAFE_METHODS.has(request.method)) {
      if (request.headers['x-halas-request'] !== '1' || !sameOrigin(request))
        throw new AppError('csrf_rejected');
    }
    if ('public' in access || 'pending' in access) return;
    if (!request.ctx.actor) throw new AppError('unauthenticated');
    if ('permission' in access && !holdsPermission(request.ctx.actor.memberships, access.permission))
      throw new AppError('forbidden');
    const recent = request.routeOptions.config?.recentAuthSeconds;
    if (recent && deps.clock().getTime() - request.ctx.actor.authenticatedAt.getTime() > recent * 1000)
      throw new AppError('reauth_required');
  });

  // G33 and G34: Idempotency-Key on creating routes, ETag and If-Match on versioned ones.
  registerIdempotency(app, deps);
  registerConcurrency(app);

  app.addHook('onSend', async (request, reply, payload) => {
    // Every denial is audited once, here, before the answer leaves (authenticated callers only: an
    // anonymous 401 is logged by the request log line).
    if (reply.statusCode === 401 || reply.statusCode === 403) await auditDenial(request);
    securityHeaders(config, request, reply);
    return payload;
  });

  async function auditDenial(request: FastifyRequest): Promise<void> {
    const actor = request.ctx?.actor;
    if (!actor && !request.session) return;
    try {
      await withTx(db.pool, actor, (tx) =>
        writeAudit(tx, request.ctx, {
          action: 'access.denied',
          outcome: 'denied',
          entityType: 'route',
          entityId: `${request.method} ${request.routeOptions.url ?? '?'}`,
          actorUserId: actor?.userId ?? request.session?.userId ?? null,
        }),
      );
    } catch (error) {
      request.log.error({ err: error }, 'could not audit a denial');
    }
  }

  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    // Allow-listed facts only: the route pattern, never the URL (a query string could hold a name).
    request.log.info(
      {
        requestId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? null,
        status,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (!request.ctx) {
      request.ctx = {
        requestId: request.id,
        locale: resolveLocale(request, null),
        actor: null,
        log: request.log,
        now: deps.clock,
      };
    }
    const url = request.url.split('?')[0] ?? '/';
    const otherMethod = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].some(
      (m) => m !== request.method && app.hasRoute({ method: m as 'GET', url }),
    );
    return send(reply, request, new AppError(otherMethod ? 'method_not_allowed' : 'not_found'));
  });

  app.setErrorHandler(async (error: FastifyError & { zodIssues?: unknown[] }, request, reply) => {
    if (!request.ctx) {
      request.ctx = {
        requestId: request.id,
        locale: resolveLocale(request, null),
        actor: null,
        log: request.log,
        now: deps.clock,
      };
    }
    if (error instanceof AppError) return send(reply, request, error);
    if (error.zodIssues) {
      return send(
        reply,
        request,
        new AppError('validation_failed', localizeIssues(error.zodIssues as never, request.ctx.locale)),
      );
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) return send(reply, request, new AppError(mapped));
    if (error.statusCode === 429) return send(reply, request, new AppError('too_many_requests'));
    if (isDatabaseUnavailable(error)) {
      // what operators see: one line per refused request, with the driver's error code, no query, no data
      request.log.warn({ dbError: unavailableReason(error) }, 'database unavailable');
      return send(reply, request, serviceUnavailable());
    }
    request.log.error({ err: { type: error.name, code: error.code, stack: error.stack } }, 'unhandled error');
    return send(reply, request, new AppError('internal_error'));
  });
}

export function newRequestId(): string {
  return randomUUID();
}
