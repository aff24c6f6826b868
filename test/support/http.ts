import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Headers a same-origin browser request from the Halas pages carries. */
export const SAME_ORIGIN = { host: 'localhost', origin: 'http://localhost', 'x-halas-request': '1' } as const;

/** A tiny HTTP client over app.inject that keeps the session cookie like a browser would. */
export class Browser {
  cookie: string | undefined;
  constructor(
    readonly t: TestApp,
    readonly locale = 'en',
  ) {}

  async request(
    method: Method,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const res = await this.t.app.inject({
      method,
      url,
      headers: {
        ...SAME_ORIGIN,
        'accept-language': this.locale,
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        // like the web client: a fresh Idempotency-Key per POST (G33); a test may pass its own
        ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    const set = res.cookies.find((c) => c.name.endsWith('halas_session'));
    if (set) this.cookie = set.value ? `${set.name}=${set.value}` : undefined;
    return res;
  }
  get = (url: string, headers?: Record<string, string>) => this.request('GET', url, undefined, headers);
  post = (url: string, body: unknown = {}, headers?: Record<string, string>) =>
    this.request('POST', url, body, headers);
  patch = (url: string, body: unknown, headers?: Record<string, string>) =>
    this.request('PATCH', url, body, headers);
  put = (url: string, body: unknown, headers?: Record<string, string>) =>
    this.request('PUT', url, body, headers);
  delete = (url: string, headers?: Record<string, string>) => this.request('DELETE', url, undefined, headers);
  /**
   * `If-Match` with the record's current ETag, read with a GET as the web app does before an edit (G34).
   * A record this browser cannot read gets `"0"`, a version no record has: the update is refused (404 or
   * 403 first, else 412), never applied unchecked.
   */
  async ifMatch(url: string): Promise<Record<string, string>> {
    const etag = (await this.get(url)).headers.etag;
    return { 'if-match': typeof etag === 'string' ? etag : '"0"' };
  }
}
