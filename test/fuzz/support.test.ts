import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMutation, mutatedValue } from './mutations.js';
import { type JsonSchema, validValue } from './schema-arbitrary.js';
import {
  ERROR_LEAKS,
  errorBodyProblems,
  leaksIn,
  type RejectionContext,
  unexpectedWrites,
  type WriteEntry,
} from './support.js';

/** The fuzzer's own checks, on hand-made inputs: each must be able to fail. */
describe('API fuzz support', () => {
  const user = '11111111-1111-4111-8111-111111111111';
  const ctx = (over: Partial<RejectionContext>): RejectionContext => ({
    status: 403,
    code: 'forbidden',
    method: 'PATCH',
    route: '/api/agencies/:id',
    userId: user,
    liveSession: true,
    ...over,
  });
  let n = 0;
  const entry = (
    tbl: string,
    op: WriteEntry['op'],
    row: Record<string, unknown>,
    cols: string[] | null = null,
  ) => ({ n: ++n, tbl, op, cols, row }) as WriteEntry;
  const denial = () =>
    entry('audit_events', 'INSERT', {
      action: 'access.denied',
      outcome: 'denied',
      entity_id: 'PATCH /api/agencies/:id',
      actor_user_id: user,
    });
  const head = () => entry('audit_head', 'UPDATE', { id: 1 }, ['hash', 'seq']);

  it('accepts exactly the denial audit of a live session, and nothing else', () => {
    expect(unexpectedWrites([denial(), head()], ctx({}))).toEqual([]);
    expect(unexpectedWrites([], ctx({}))).toEqual(['0 access.denied audit events, expected 1']);
    expect(unexpectedWrites([denial(), head()], ctx({ liveSession: false }))).toContain(
      '1 access.denied audit events, expected 0',
    );
    expect(unexpectedWrites([denial(), denial(), head()], ctx({}))[0]).toMatch(/^2 access.denied/);
    expect(
      unexpectedWrites([denial(), head(), entry('agencies', 'UPDATE', { id: 'a' }, ['region'])], ctx({})),
    ).toEqual(['a rejected request wrote: UPDATE agencies (region)']);
    expect(unexpectedWrites([head()], ctx({ status: 400, code: 'validation_failed' }))).toEqual([
      'a rejected request wrote: UPDATE audit_head (hash, seq)',
    ]);
  });

  it('accepts failure counters only for sign-in failures, and only the counters', () => {
    const c = ctx({ status: 401, code: 'invalid_credentials', liveSession: false, userId: undefined });
    const counters = entry('users', 'UPDATE', { id: user }, ['failed_logins']);
    const failure = entry('audit_events', 'INSERT', { action: 'auth.login', outcome: 'failure' });
    expect(
      unexpectedWrites([counters, failure, head(), entry('login_throttle', 'UPDATE', {}, ['attempts'])], c),
    ).toEqual([]);
    expect(unexpectedWrites([entry('users', 'UPDATE', { id: user }, ['display_name'])], c)).toHaveLength(1);
    expect(
      unexpectedWrites([counters], ctx({ status: 400, code: 'validation_failed', liveSession: false })),
    ).toHaveLength(1);
  });

  it('accepts a row inserted and deleted by the same request (a released claim), not one left behind', () => {
    const c = ctx({ status: 404, code: 'not_found' });
    const claim = { user_id: user, agency_id: 'b', claim_id: 'c' };
    expect(
      unexpectedWrites(
        [entry('idempotency_keys', 'INSERT', claim), entry('idempotency_keys', 'DELETE', claim)],
        c,
      ),
    ).toEqual([]);
    expect(unexpectedWrites([entry('idempotency_keys', 'INSERT', claim)], c)).toEqual([
      'a rejected request wrote: INSERT idempotency_keys',
    ]);
  });

  it('checks an error answer: code, status, language, request id', () => {
    const id = '22222222-2222-4222-8222-222222222222';
    const good = JSON.stringify({ code: 'not_found', message: 'Не найдено.', requestId: id });
    expect(errorBodyProblems(404, 'application/json', good, id, ['ru']).problems).toEqual([]);
    expect(errorBodyProblems(404, 'application/json', good, id, ['en']).problems).toHaveLength(1);
    expect(errorBodyProblems(400, 'application/json', good, id, ['ru']).problems).toHaveLength(1);
    expect(errorBodyProblems(404, 'text/html', good, id, ['ru']).problems).toHaveLength(1);
    expect(errorBodyProblems(404, 'application/json', good, 'other', ['ru']).problems).toHaveLength(1);
  });

  it('sees internals in an error answer', () => {
    expect(leaksIn('{"message":"syntax error at or near \\"OR\\""}', ERROR_LEAKS)).toEqual(['SQL']);
    expect(leaksIn('at Object.<anonymous> (/srv/app/dist/x.js:1:2)', ERROR_LEAKS)).toContain('stack frame');
    expect(leaksIn('{"code":"not_found","message":"Not found."}', ERROR_LEAKS)).toEqual([]);
  });

  it('generates values the schema describes, and mutations that break them', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 5 },
        year: { anyOf: [{ type: 'integer', minimum: 1900, maximum: 2100 }, { type: 'null' }] },
        tags: { type: 'array', maxItems: 2, items: { type: 'string', enum: ['a', 'b'] } },
      },
      required: ['name'],
      additionalProperties: false,
    };
    fc.assert(
      fc.property(validValue(schema), (v) => {
        const o = v as { name: string; year?: number | null; tags?: string[] };
        expect(o.name.length).toBeGreaterThanOrEqual(1);
        expect(o.name.length).toBeLessThanOrEqual(5);
        if (typeof o.year === 'number') expect(o.year >= 1900 && o.year <= 2100).toBe(true);
        expect((o.tags ?? []).every((t) => t === 'a' || t === 'b')).toBe(true);
        expect(Object.keys(o).every((k) => ['name', 'year', 'tags'].includes(k))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(mutatedValue(schema), ({ value, mutation }) => {
        expect(value).not.toEqual(undefined);
        expect(applyMutation({ name: 'x' }, { kind: 'remove-required', path: ['name'] })).toEqual({});
        expect(mutation.kind).toBeTruthy();
      }),
      { numRuns: 50 },
    );
  });
});
