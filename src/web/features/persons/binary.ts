import type { ErrorBody } from '../../../shared/contracts/errors.js';
import { ApiError, requestReauth } from '../../api/client.js';

/**
 * The few calls whose bodies are not JSON: uploading a file (the raw bytes, never a form with the file's
 * name) and downloading a file or report (kept in memory as a Blob and handed to the browser's download,
 * never stored by the application). Errors become ApiError like every other call; a step-up request is
 * answered with the re-authentication dialog and the call is made once more.
 */
async function raw(path: string, init: RequestInit, retried = false): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError({ status: 0, code: 'network_error', message: '' });
  }
  if (response.ok) return response;
  let parsed: Partial<ErrorBody> = {};
  try {
    parsed = (await response.json()) as Partial<ErrorBody>;
  } catch {
    // not JSON: the status is all we have
  }
  const error = new ApiError({
    status: response.status,
    code: parsed.code ?? 'internal_error',
    message: typeof parsed.message === 'string' ? parsed.message : '',
    requestId: parsed.requestId ?? response.headers.get('X-Request-Id') ?? undefined,
    issues: Array.isArray(parsed.issues) ? parsed.issues : [],
  });
  if (!retried && response.status === 403 && error.code === 'reauth_required' && (await requestReauth()))
    return raw(path, init, true);
  throw error;
}

/** Uploads one file as the request body; the server decides its type from its first bytes. */
export async function uploadRaw<T>(path: string, file: Blob): Promise<T> {
  const response = await raw(path, {
    method: 'POST',
    headers: {
      Accept: 'application/json',
      'X-Halas-Request': '1',
      'Content-Type': 'application/octet-stream',
    },
    body: file,
  });
  return (await response.json()) as T;
}

/** Fetches a file or report and hands it to the browser as a download under a neutral name. */
export async function download(
  path: string,
  init: { method?: 'GET' | 'POST'; body?: unknown } = {},
): Promise<void> {
  const method = init.method ?? 'GET';
  const response = await raw(path, {
    method,
    headers:
      method === 'GET'
        ? {}
        : { 'X-Halas-Request': '1', 'Content-Type': 'application/json', Accept: 'application/pdf' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const name = /filename="([A-Za-z0-9._-]+)"/.exec(disposition)?.[1] ?? 'download';
  const url = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
