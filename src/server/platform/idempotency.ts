import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app.js';
import { requireActor } from './context.js';
import { AppError } from './errors.js';
import { claimKey, finishClaim, purgeExpiredKeys } from './idempotency-claims.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The idempotency claim this request holds until its answer is stored (G33). */
    idempotency: { claimId: string; context: string } | null;
  }
}

/** IETF draft-ietf-httpapi-idempotency-key: a string; we accept it bare or as a quoted sf-string. */
const KEY = /^[A-Za-z0-9_.:+/=-]{8,128}$/;
/** Scope of an actor without any membership (an authenticated-only route): the nil agency. */
const NO_AGENCY = '00000000-0000-0000-0000-000000000000';
const PURGE_EVERY_MS = 60_000;

/** The header's key, `undefined` when absent, `null` when malformed (repeated, too long, other characters). */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined | null {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) return null;
  const value =
    header.length >= 2 && header.startsWith('"') && header.endsWith('"') ? header.slice(1, -1) : header;
  return KEY.test(value) ? value : null;
}

/** JSON with object keys sorted at every level: equal requests give equal bytes whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Uint8Array)
    return JSON.stringify({ sha256: createHash('sha256').update(value).digest('hex') });
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * G33 for every route whose config says `idempotent`: claim the key before the handler (after validation,
 * so a malformed body claims nothing), replay a stored answer, and store the answer (sealed with the
 * instance key: it may hold a survivor's data) once it is known. Keys are per user and agency, kept 24 h.
 */
export function registerIdempotency(app: FastifyInstance, deps: AppDeps): void {
  app.decorateRequest('idempotency', null);
  let lastPurge = Number.NEGATIVE_INFINITY;

  app.addHook('preHandler', async (request: FastifyRequest, reply) => {
    const mode = request.routeOptions.config?.idempotent;
    if (!mode) return;
    const key = parseIdempotencyKey(request.headers['idempotency-key']);
    if (key === undefined) {
      if (mode === 'required') throw new AppError('idempotency_key_required');
      return;
    }
    if (key === null) throw new AppError('idempotency_key_invalid');
    const actor = requireActor(request.ctx);
    const now = deps.clock();
    if (now.getTime() - lastPurge >= PURGE_EVERY_MS) {
      lastPurge = now.getTime();
      await purgeExpiredKeys(deps.db.pool, now);
    }
    const agencyId = actor.memberships[0]?.agencyId ?? NO_AGENCY;
    const keyHash = deps.secrets.hmac('idempotency-key', `${actor.userId}\u0000${agencyId}\u0000${key}`);
    const fingerprint = deps.secrets.hmac(
      'idempotency-request',
      canonicalJson([request.method, request.routeOptions.url, request.params ?? null, request.body ?? null]),
    );
    const context = `idempotency:${actor.userId}:${keyHash.toString('hex')}`;
    const outcome = await claimKey(
      deps.db.pool,
      actor,
      { userId: actor.userId, agencyId, keyHash, fingerprint },
      now,
    );
    if (outcome.kind === 'reused') throw new AppError('idempotency_key_reused');
    if (outcome.kind === 'in_flight')
      throw new AppError('idempotency_in_flight', undefined, { 'Retry-After': '1' });
    if (outcome.kind === 'replay') {
      const body = deps.secrets.open(outcome.sealed, `${context}:${outcome.status}`);
      reply.header('Idempotent-Replayed', 'true');
      return reply.code(outcome.status).type('application/json; charset=utf-8').send(body.toString('utf8'));
    }
    request.idempotency = { claimId: outcome.claimId, context };
    request.ctx.idempotencyClaim = outcome.claimId;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = null;
    request.ctx.idempotencyClaim = undefined;
    const text =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    try {
      await finishClaim(
        deps.db.pool,
        requireActor(request.ctx),
        claim.claimId,
        {
          status: reply.statusCode,
          sealed: (status) => deps.secrets.seal(Buffer.from(text, 'utf8'), `${claim.context}:${status}`),
        },
        deps.clock(),
      );
    } catch (error) {
      // The answer still goes out; a retry finds the claim in flight (committed) or takes it over (not).
      request.log.error(
        { err: { type: (error as Error).name, code: (error as { code?: string }).code } },
        'could not store an idempotent answer',
      );
    }
    return payload;
  });
}
