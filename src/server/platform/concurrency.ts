import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The version named by `If-Match` on an `etag: 'update'` route (G34); null elsewhere. */
    expectedVersion: number | null;
  }
}

/** Our ETags are strong and carry the record's version: `"<version>"`. */
const IF_MATCH = /^\s*"(\d{1,9})"\s*$/;

export const etagOf = (version: number) => `"${version}"`;

/** The version an `If-Match` value names, `undefined` when absent, `null` when it is not one of our ETags. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined | null {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) return null;
  const match = IF_MATCH.exec(header);
  return match ? Number(match[1]) : null;
}

/** 412 with the current version in the body and in the ETag header: the client reloads and tries again. */
export function versionConflict(current: number): AppError {
  return new AppError(
    'precondition_failed',
    undefined,
    { ETag: etagOf(current) },
    { currentVersion: current },
  );
}

/**
 * The one optimistic-concurrency check, inside the update's transaction, after the row was read with
 * `FOR UPDATE` (or before a `… AND version = $n` update): a stale version is refused with 412. `expected`
 * undefined means a caller outside HTTP (tools, factories) that does not take part in the protocol.
 */
export function assertVersion(current: number, expected: number | null | undefined): void {
  if (expected !== undefined && expected !== null && expected !== current) throw versionConflict(current);
}

/**
 * G34 in the pipeline: routes with `etag: 'update'` need `If-Match` (428 without it, 400 when it is not one
 * of our ETags) and get the version as `request.expectedVersion`; routes with `etag` send the ETag of the
 * answer's `version`.
 */
export function registerConcurrency(app: FastifyInstance): void {
  app.decorateRequest('expectedVersion', null);

  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.config?.etag !== 'update') return;
    const version = parseIfMatch(request.headers['if-match']);
    if (version === undefined) throw new AppError('precondition_required');
    if (version === null) throw new AppError('if_match_invalid');
    request.expectedVersion = version;
  });

  app.addHook('preSerialization', async (request, reply, payload: unknown) => {
    if (!request.routeOptions.config?.etag || reply.statusCode >= 300) return payload;
    const version = (payload as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && Number.isInteger(version)) reply.header('ETag', etagOf(version));
    return payload;
  });
}
