import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import { AppError } from './errors.js';

/**
 * Graceful degradation (G37): when the database cannot serve, or the process is overloaded, a request gets
 * 503 with `Retry-After` and a localized body, within a bounded time; never a hang or a bare 500.
 */
export const RETRY_AFTER_SECONDS = 5;

export const serviceUnavailable = () =>
  new AppError('service_unavailable', undefined, { 'Retry-After': String(RETRY_AFTER_SECONDS) });

/** Network errors of a connection attempt or of an open connection (Node system errors). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean "the database cannot serve right now", not "this request is wrong": class 08
 * (connection exception), 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up,
 * shutting down, in recovery), 53300 too many connections, 57014 statement timeout.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** What `pg` and `pg-pool` say when a connection could not be made, was lost, or the pool is closed. */
const DRIVER_MESSAGES =
  /^(timeout exceeded when trying to connect|Connection terminated|timeout expired|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end on the pool)/;

function isUnavailableOne(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; syscall?: unknown; message?: unknown };
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code)) return true;
    // a unix socket (the embedded engine's) that is gone; not any missing file
    if (e.code === 'ENOENT' && e.syscall === 'connect') return true;
    if (/^08[0-9A-Z]{3}$/.test(e.code) || SQLSTATES.has(e.code)) return true;
  }
  return typeof e.message === 'string' && DRIVER_MESSAGES.test(e.message);
}

/** True when the error (or one it wraps, e.g. an ORM's query error) means the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (isUnavailableOne(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * What operators see of an outage in the log: the SQLSTATE or errno name, else the driver's fixed text; never
 * a query, its parameters or any other message.
 */
export function unavailableReason(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const e = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof e.code === 'string' && isUnavailableOne(e)) return e.code;
    if (typeof e.message === 'string' && DRIVER_MESSAGES.test(e.message))
      return DRIVER_MESSAGES.exec(e.message)![1]!;
    current = e.cause;
  }
  return 'unknown';
}

/**
 * Event-loop overload → 503 before any database work (registered ahead of the session lookup). The liveness
 * route keeps answering: the process is alive, only busy, and restarting it would not help. Readiness
 * (/api/ready) does get 503, which is what takes an overloaded instance out of a load balancer.
 */
export async function registerPressure(app: FastifyInstance, config: Config): Promise<void> {
  if (config.maxEventLoopDelayMs <= 0) return;
  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    sampleInterval: 1000,
    pressureHandler: (request) => {
      if (request.routeOptions.url === '/api/health') return;
      return Promise.reject(serviceUnavailable());
    },
  });
}
