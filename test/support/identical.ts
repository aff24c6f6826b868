import type { LightMyRequestResponse } from 'fastify';

const VARYING_HEADERS = new Set(['x-request-id', 'date']);

/**
 * A response reduced to what must not differ between "out of scope" and "does not exist" (G02): status,
 * headers and body bytes, with only the request id (a UUID: same length) blanked.
 */
export function comparable(res: LightMyRequestResponse): {
  status: number;
  headers: Record<string, unknown>;
  body: string;
} {
  const headers = Object.fromEntries(
    Object.entries(res.headers).filter(([name]) => !VARYING_HEADERS.has(name)),
  );
  return { status: res.statusCode, headers, body: res.body.replace(/"requestId":"[^"]*"/, '"requestId":""') };
}
