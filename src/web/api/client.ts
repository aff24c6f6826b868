import type { ErrorBody, ErrorCode, ValidationIssue } from '../../shared/contracts/errors.js';
import type { Locale } from '../../shared/domain/locales.js';
import { setServiceState } from './status.js';

/** A failed API call: the server's stable code, its message (already in the caller's language) and issues. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'network_error';
  readonly requestId: string | undefined;
  readonly issues: ValidationIssue[];
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    status: number;
    code: ErrorCode | 'network_error';
    message: string;
    requestId?: string | undefined;
    issues?: ValidationIssue[] | undefined;
    retryAfterSeconds?: number | undefined;
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.issues = init.issues ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal | undefined;
  /** Retry once after a successful step-up when the server answers 403 reauth_required (default true). */
  reauth?: boolean;
  /**
   * A record-creating POST (G33): one fresh Idempotency-Key per submission (crypto.randomUUID, in memory
   * only), reused when this submission is retried — after a step-up, a lost connection, a gateway error or
   * "still in flight" — so the server creates the record at most once.
   */
  idempotent?: boolean;
  /** An update (G34): the version of the record as loaded, sent as `If-Match: "<version>"`. */
  ifMatch?: number;
  /** Set by api(): the submission's key. */
  idempotencyKey?: string;
}

/** Hooks the app installs: where the session-ended and step-up flows live. */
interface ClientHooks {
  locale: Locale;
  onSessionEnded: () => void;
  onReauthRequired: () => Promise<boolean>;
  onContact: () => void;
}

const hooks: ClientHooks = {
  locale: 'tk',
  onSessionEnded: () => {},
  onReauthRequired: async () => false,
  onContact: () => {},
};

export function configureClient(partial: Partial<ClientHooks>): void {
  Object.assign(hooks, partial);
}

/** Codes that mean "there is no (longer a) session": anything else 401 is a wrong password or code. */
const SESSION_GONE: ReadonlySet<string> = new Set(['unauthenticated', 'session_expired']);

function buildUrl(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * GETs started by the entry before the application's code has loaded (main.tsx); each is used once, by the
 * first call for the same path, and only within a few seconds of being started.
 */
const early = new Map<string, { at: number; response: Promise<Response> }>();

export function startEarly(paths: readonly string[], locale: Locale): void {
  hooks.locale = locale;
  for (const path of paths) {
    const response = fetch(path, {
      headers: { Accept: 'application/json', 'Accept-Language': locale },
      credentials: 'same-origin',
      cache: 'no-store',
    });
    response.catch(() => {}); // a failure is reported to the caller that uses it
    early.set(path, { at: Date.now(), response });
  }
}

function takeEarly(path: string, options: RequestOptions): Promise<Response> | undefined {
  const entry = early.get(path);
  if (!entry) return undefined;
  early.delete(path);
  const usable = (options.method ?? 'GET') === 'GET' && !options.query && Date.now() - entry.at < 10_000;
  return usable ? entry.response : undefined;
}

async function send<T>(path: string, options: RequestOptions): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': hooks.locale,
  };
  let body: string | undefined;
  if (method !== 'GET') {
    headers['X-Halas-Request'] = '1';
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body ?? {});
  }
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`;
  let response: Response;
  try {
    response = await (takeEarly(path, options) ??
      fetch(buildUrl(path, options.query), {
        method,
        headers,
        body,
        credentials: 'same-origin',
        cache: 'no-store',
        signal: options.signal ?? null,
      }));
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    setServiceState('unavailable');
    throw new ApiError({ status: 0, code: 'network_error', message: '' });
  }

  if (response.ok) {
    setServiceState('ok');
    hooks.onContact();
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  let parsed: Partial<ErrorBody> = {};
  try {
    parsed = (await response.json()) as Partial<ErrorBody>;
  } catch {
    // Not JSON (a proxy error page, for instance): fall through with the status only.
  }
  const retryAfter = Number(response.headers.get('Retry-After'));
  const error = new ApiError({
    status: response.status,
    code: parsed.code ?? (response.status === 503 ? 'service_unavailable' : 'internal_error'),
    message: typeof parsed.message === 'string' ? parsed.message : '',
    requestId: parsed.requestId ?? response.headers.get('X-Request-Id') ?? undefined,
    issues: Array.isArray(parsed.issues) ? parsed.issues : [],
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  });
  if (response.status === 503 || response.status === 502 || response.status === 504) {
    setServiceState('unavailable');
  } else {
    setServiceState('ok');
    hooks.onContact();
  }
  if (response.status === 401 && SESSION_GONE.has(error.code)) hooks.onSessionEnded();
  throw error;
}

/** How often one idempotent submission is sent again after a transient failure, and the pause before each. */
const IDEMPOTENT_RETRIES = 3;
const RETRY_PAUSE_MS = 800;
const TRANSIENT: ReadonlySet<number> = new Set([0, 502, 503, 504]);

/** Sends one submission; an idempotent one again (same key) while the failure is transient. */
async function sendWithRetries<T>(path: string, options: RequestOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send<T>(path, options);
    } catch (error) {
      const again =
        options.idempotencyKey !== undefined &&
        attempt < IDEMPOTENT_RETRIES &&
        error instanceof ApiError &&
        (TRANSIENT.has(error.status) || error.code === 'idempotency_in_flight');
      if (!again) throw error;
      await new Promise((resolve) =>
        setTimeout(resolve, (error.retryAfterSeconds ?? 0) * 1000 || RETRY_PAUSE_MS * (attempt + 1)),
      );
    }
  }
}

/** Calls the Halas API. Non-GET calls carry the CSRF header; a step-up request is handled transparently. */
export async function api<T>(path: string, requested: RequestOptions = {}): Promise<T> {
  // one key per submission: every retry below (network, step-up) is the same submission
  const options: RequestOptions = requested.idempotent
    ? { ...requested, idempotencyKey: requested.idempotencyKey ?? crypto.randomUUID() }
    : requested;
  try {
    return await sendWithRetries<T>(path, options);
  } catch (error) {
    if (
      options.reauth !== false &&
      error instanceof ApiError &&
      error.status === 403 &&
      error.code === 'reauth_required'
    ) {
      const confirmed = await hooks.onReauthRequired();
      if (confirmed) return await sendWithRetries<T>(path, { ...options, reauth: false });
    }
    throw error;
  }
}

export const get = <T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal) =>
  api<T>(path, { query, signal });
export const post = <T>(
  path: string,
  body: unknown = {},
  options: Omit<RequestOptions, 'body' | 'method'> = {},
) => api<T>(path, { ...options, method: 'POST', body });
/** A record-creating POST: sent with a fresh Idempotency-Key, retried with the same one (G33). */
export const create = <T>(path: string, body: unknown) =>
  api<T>(path, { method: 'POST', body, idempotent: true });
/** Updates carry the version of the record as loaded; 412 precondition_failed means someone else changed it. */
export const patch = <T>(path: string, body: unknown, version: number) =>
  api<T>(path, { method: 'PATCH', body, ifMatch: version });
export const put = <T>(path: string, body: unknown, version: number) =>
  api<T>(path, { method: 'PUT', body, ifMatch: version });
export const del = <T>(path: string) => api<T>(path, { method: 'DELETE' });

/** Asks the user to confirm their identity again (the step-up dialog), for calls made outside `api`. */
export const requestReauth = (): Promise<boolean> => hooks.onReauthRequired();
