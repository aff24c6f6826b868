import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Persona } from '../factories/personas.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { writeFingerprint } from '../support/snapshot.js';
import { MATRIX } from './matrix.js';
import { buildWorld, type MatrixWorld, recordIds, sampleRequest } from './world.js';

/** G18 (security headers on every response) and G13 (CSRF and cross-origin) over every declared route. */
describe.each(ENGINES)('HTTP guards on %s (G13, G18)', (engine) => {
  let t: TestApp;
  let world: MatrixWorld;

  beforeAll(async () => {
    t = await createTestApp(engine);
    world = await buildWorld(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const routes = () => t.app.declaredRoutes.map((r) => `${r.method} ${r.url}`);

  /** A persona the matrix allows on the route (a signed-in one when there is one), so only the guard decides. */
  function allowedPersona(key: string): Persona {
    const allow = MATRIX[key]?.allow ?? [];
    const name = allow.find((n) => n !== 'anonymous' && n !== 'deactivated') ?? 'anonymous';
    return world.personas[name];
  }

  /** The in-scope record the route names, if any (resolving it may create one, e.g. a security key). */
  async function recordId(key: string, persona: Persona): Promise<string | undefined> {
    const kind = MATRIX[key]?.record;
    return kind ? (await recordIds(t, world, kind, persona))[0] : undefined;
  }

  async function request(
    key: string,
    persona: Persona,
    headers: Record<string, string | undefined> = {},
    id?: string,
  ) {
    const recordIdOrNew = id ?? (await recordId(key, persona));
    return t.app.inject(await sampleRequest(t, world, key, persona, recordIdOrNew, headers));
  }

  function headerProblems(res: LightMyRequestResponse, url: string): string[] {
    const h = res.headers;
    const csp = String(h['content-security-policy'] ?? '');
    const problems: string[] = [];
    for (const directive of [
      "default-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ])
      if (!csp.includes(directive)) problems.push(`CSP lacks ${directive}`);
    if (/unsafe-inline|unsafe-eval/.test(csp)) problems.push('CSP allows inline or eval');
    if (h['x-content-type-options'] !== 'nosniff') problems.push('no nosniff');
    if (h['referrer-policy'] !== 'no-referrer') problems.push('Referrer-Policy is not no-referrer');
    if (h['cross-origin-opener-policy'] !== 'same-origin') problems.push('COOP is not same-origin');
    if (url.startsWith('/api/') && h['cache-control'] !== 'no-store')
      problems.push('Cache-Control is not no-store');
    if (h['x-powered-by'] !== undefined) problems.push('X-Powered-By present');
    if (/\d/.test(String(h.server ?? ''))) problems.push('Server header carries a version');
    if (h['access-control-allow-origin'] !== undefined) problems.push('CORS header present');
    return problems;
  }

  it('puts the security headers on every route, signed in or not, success or error', async () => {
    const failures: string[] = [];
    for (const key of routes()) {
      for (const persona of [allowedPersona(key), world.personas.anonymous, world.personas.case_manager]) {
        const res = await request(key, persona, { origin: 'http://localhost' });
        for (const p of headerProblems(res, key.split(' ')[1]!))
          failures.push(`${key} as ${persona.name} (${res.statusCode}): ${p}`);
      }
    }
    const extra: Array<[string, string]> = [
      ['GET', '/api/no-such-route'],
      ['DELETE', '/api/agencies'],
      ['GET', `/api/agencies/${randomUUID()}`],
      ['GET', '/api/agencies/not-a-uuid'],
    ];
    for (const [method, url] of extra) {
      const res = await t.app.inject({ method: method as 'GET', url, headers: { host: 'localhost' } });
      for (const p of headerProblems(res, url)) failures.push(`${method} ${url} (${res.statusCode}): ${p}`);
    }
    expect(failures).toEqual([]);
  });

  it('sends no-store on the web page (it may carry a signed-in view)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/cases/recent' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  const csrfVariants: Array<[string, Record<string, string | undefined>]> = [
    ['no Origin', { origin: undefined }],
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin null', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { origin: undefined, 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { origin: undefined, 'sec-fetch-site': 'same-site' }],
    ['no X-Halas-Request', { 'x-halas-request': undefined }],
    ['X-Halas-Request: 0', { 'x-halas-request': '0' }],
  ];

  it('refuses every state change that does not come from our own pages (403 csrf_rejected, nothing written)', async () => {
    const failures: string[] = [];
    const mutating = routes().filter((key) => !key.startsWith('GET '));
    expect(mutating.length).toBeGreaterThan(10);
    for (const key of mutating) {
      const persona = allowedPersona(key);
      const id = await recordId(key, persona); // before any fingerprint, as in the matrix
      for (const [label, headers] of csrfVariants) {
        const before = await writeFingerprint(t.admin);
        const res = await request(key, persona, headers, id);
        const after = await writeFingerprint(t.admin);
        const code = (res.json() as { code?: string }).code;
        if (res.statusCode !== 403 || code !== 'csrf_rejected')
          failures.push(`${key} with ${label}: ${res.statusCode} ${code}`);
        // The fresh session of this request is the only difference allowed.
        const { sessions: _a, live_sessions: _b, ...rest } = after;
        const { sessions: _c, live_sessions: _d, ...restBefore } = before;
        if (JSON.stringify(rest) !== JSON.stringify(restBefore))
          failures.push(`${key} with ${label}: something was written`);
      }
      // The same request from our pages does get through the guard.
      const ok = await request(key, persona, {}, id);
      // (a successful answer may be a file, e.g. the access report's PDF)
      const okCode = String(ok.headers['content-type']).includes('json')
        ? (ok.json() as { code?: string }).code
        : undefined;
      if (okCode === 'csrf_rejected') failures.push(`${key}: refused from our own pages`);
    }
    expect(failures).toEqual([]);
  });

  it('answers TRACE and unused methods with 405', async () => {
    const cookie = { cookie: `halas_session=${randomUUID()}` };
    for (const method of ['TRACE', 'CONNECT'] as const) {
      const res = await t.app.inject({
        method: method as 'GET',
        url: '/api/me',
        headers: { host: 'localhost', ...cookie },
      });
      expect([method, res.statusCode]).toEqual([method, 405]);
    }
    for (const [method, url] of [
      ['DELETE', '/api/agencies'],
      ['PUT', '/api/users'],
      ['POST', '/api/audit'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: { host: 'localhost' } });
      expect([method, url, res.statusCode, res.json().code]).toEqual([
        method,
        url,
        405,
        'method_not_allowed',
      ]);
    }
  });
});
