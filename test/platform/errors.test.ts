import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser, PASSWORD } from '../auth/support.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser, SAME_ORIGIN } from '../support/http.js';

describe.each(ENGINES)('request boundary on %s (G15, G30)', (engine) => {
  let t: TestApp;
  let b: Browser;
  beforeAll(async () => {
    t = await createTestApp(engine, { demo: true });
    await insertUser(t, 'bound1', { demo: true });
    b = new Browser(t);
    await b.post('/api/auth/login', { username: 'bound1', password: PASSWORD });
  });
  afterAll(async () => {
    await t?.close();
  });

  const raw = (payload: string, contentType = 'application/json', locale = 'en') =>
    t.app.inject({
      method: 'PATCH',
      url: '/api/me',
      headers: { ...SAME_ORIGIN, cookie: b.cookie!, 'content-type': contentType, 'accept-language': locale },
      payload,
    });

  it('answers malformed JSON with 400 malformed_json, nothing written', async () => {
    const before = await t.admin.query('SELECT count(*)::int AS n FROM audit_events');
    const res = await raw('{"locale": "ru"');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'malformed_json', requestId: expect.any(String) });
    const after = await t.admin.query('SELECT count(*)::int AS n FROM audit_events');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('lists every validation problem with its path, code and a localized message', async () => {
    const res = await b.patch('/api/me', {
      locale: 'xx',
      displayName: '',
      owner_agency_id: 'x',
      __proto__: { admin: true },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    const paths = body.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['displayName', 'locale']));
    expect(body.issues.some((i: { code: string }) => i.code === 'unrecognized_keys')).toBe(true);
    const polluted = await raw(
      '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},"locale":"ru"}',
    );
    expect(polluted.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect((await b.get('/api/me')).json().locale).not.toBe('ru');
  });

  it('speaks the caller language: user preference, else Accept-Language, else Turkmen', async () => {
    const anon = (lang?: string) =>
      t.app.inject({ method: 'GET', url: '/api/me', headers: lang ? { 'accept-language': lang } : {} });
    expect((await anon()).json().message).toBe('Ulgama giriň.');
    expect((await anon('ru-RU,ru;q=0.9,en;q=0.5')).json().message).toBe('Пожалуйста, войдите в систему.');
    expect((await anon('de, en;q=0.3')).json().message).toBe('Please sign in.');
  });

  it('rejects wrong content types (415), oversize bodies (413) and deep JSON (400)', async () => {
    expect((await raw('locale=ru', 'application/x-www-form-urlencoded')).statusCode).toBe(415);
    expect((await raw(JSON.stringify({ displayName: 'x'.repeat(300 * 1024) }))).statusCode).toBe(413);
    let deep = '1';
    for (let i = 0; i < 40; i++) deep = `{"a":${deep}}`;
    const res = await raw(deep);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('malformed_json');
  });

  it('answers unknown routes with 404 and unused methods with 405', async () => {
    expect((await b.get('/api/nothing-here')).json().code).toBe('not_found');
    const trace = await t.app.inject({ method: 'TRACE' as 'GET', url: '/api/health' });
    expect(trace.statusCode).toBe(405);
    const wrongMethod = await b.request('DELETE', '/api/me');
    expect(wrongMethod.statusCode).toBe(405);
  });

  it('refuses NUL and unpaired surrogates in bodies and queries with 400, nothing written (G16 finding: was a 500)', async () => {
    const before = await t.admin.query('SELECT display_name, version FROM users WHERE username = $1', [
      'bound1',
    ]);
    for (const [payload, path] of [
      ['{"displayName":"a\\u0000b"}', 'displayName'],
      ['{"displayName":"x\\ud800y"}', 'displayName'],
      ['{"displayName":"ok","\\udfff":1}', '\udfff'],
    ] as const) {
      const res = await raw(payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.json(), payload).toMatchObject({
        code: 'validation_failed',
        issues: [{ path, code: 'invalid_format' }],
      });
    }
    // refused while the body is parsed, before any handler, in the caller's language
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { ...SAME_ORIGIN, 'content-type': 'application/json', 'accept-language': 'ru' },
      payload: '{"username":"a\\u0000b","password":"not the password"}',
    });
    expect(anonymous.json()).toMatchObject({
      code: 'validation_failed',
      issues: [{ path: 'username', code: 'invalid_format', message: 'Неверный формат.' }],
    });
    const after = await t.admin.query('SELECT display_name, version FROM users WHERE username = $1', [
      'bound1',
    ]);
    expect(after.rows).toEqual(before.rows);
    // query strings too (a NUL in an audit filter was a 500: features/audit/audit.test.ts)
    const query = await b.get('/api/agencies?q=a%00');
    expect(query.statusCode).toBe(400);
    expect(query.json()).toMatchObject({ code: 'validation_failed', issues: [{ path: 'q' }] });
    // a surrogate pair is fine
    expect((await raw('{"displayName":"Ýyldyz \\ud83c\\udf1f"}')).statusCode).toBe(200);
  });

  it('answers router errors (bad percent-encoding, over-long parameter) like every other error (G16 finding)', async () => {
    for (const url of [
      '/api/persons/%',
      '/api/users/%E0%A4%A/memberships',
      `/api/agencies/${'x'.repeat(201)}`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url, headers: { 'accept-language': 'ru' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toEqual({
        code: 'not_found',
        message: 'Не найдено.',
        requestId: res.headers['x-request-id'],
      });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it('turns an unexpected failure into a plain localized 500 with a request id, and keeps serving (G30)', async () => {
    const pool = t.deps.db.pool;
    const original = pool.connect.bind(pool);
    (pool as { connect: unknown }).connect = async () => {
      throw new TypeError('boom: internal detail /srv/halas/node_modules/x.js');
    };
    try {
      const res = await b.get('/api/me', { 'accept-language': 'en' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        code: 'internal_error',
        message: expect.any(String),
        requestId: expect.any(String),
      });
      expect(res.body).not.toMatch(/boom|node_modules|TypeError|\.js/);
    } finally {
      (pool as { connect: unknown }).connect = original;
    }
    expect((await b.get('/api/me')).statusCode).toBe(200);
  });

  it('answers 503 with Retry-After when the database is unreachable', async () => {
    const pool = t.deps.db.pool;
    const original = pool.connect.bind(pool);
    (pool as { connect: unknown }).connect = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    };
    try {
      const res = await b.get('/api/me');
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      (pool as { connect: unknown }).connect = original;
    }
  });
});
