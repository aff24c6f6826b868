import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLocale, LOCALES, type Locale, localeFromAcceptLanguage } from '../../src/shared/domain/locales.js';
import { MATRIX } from '../authz/matrix.js';
import { buildWorld } from '../authz/world.js';
import { sessionIdOf, signIn } from '../factories/index.js';
import { PERSONAS, type Persona, type PersonaName } from '../factories/personas.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { deepNesting, HOSTILE_STRINGS, hostileString, mutatedValue } from './mutations.js';
import { useKnownUuids, validValue } from './schema-arbitrary.js';
import {
  ERROR_LEAKS,
  errorBodyProblems,
  INTERNALS,
  installWriteLog,
  leaksIn,
  type Operation,
  operationsOf,
  type Param,
  readOpenApi,
  UNDOCUMENTED,
  unexpectedWrites,
  type WriteEntry,
  type WriteLog,
} from './support.js';

/**
 * G16 – API fuzzing. From openapi.json, every route gets schema-valid and mutated path params, query
 * strings, headers and bodies, as random personas of the matrix (every role, anonymous, deactivated) with
 * the real record ids of the world, so that valid requests reach deep into the handlers. For every answer:
 * never 5xx; no internals in any body (stack frames, SQL, node_modules, paths, library banners); every 4xx a
 * JSON error with a stable code and a message in the caller's language; and a 4xx writes nothing but the
 * record of its own rejection (support.ts, `unexpectedWrites`).
 *
 * Volume. G16 asks for 1,000 cases per route in under 4 minutes on 2 cores. Measured with 75 routes on the
 * shared 2-core machine (load ~5): 500 per route took 319 s on the embedded engine and 255 s on the
 * PostgreSQL server (~8 and ~7 ms a case; the session lookup of every authenticated request is itself a
 * write transaction), so 1,000 per route would take ~10 min per engine. The default is 300 per route (98 s
 * embedded, 92 s PostgreSQL, load ~3): it stays under ~4 minutes per engine even on a busy machine. The time
 * grows with every new route, so revisit it.
 * DEEP=1 runs 10,000 per route (about an hour per engine: a nightly job, e.g. with FUZZ_ENGINES=postgres).
 *
 * FUZZ_RUNS overrides the count, FUZZ_SEED replays a run (each route's seed derives from it and the route),
 * FUZZ_ROUTE fuzzes the routes whose key contains one of its comma-separated parts, FUZZ_ENGINES picks the
 * engines, FUZZ_SHRINK=1 shrinks a failure (slow: every step replays requests), FUZZ_DEBUG=1 prints valid
 * requests of allowed personas that were refused (how deep the generator reaches).
 */
const DEFAULT_RUNS = 300;
const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.DEEP ? 10_000 : DEFAULT_RUNS));
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const ONLY = process.env.FUZZ_ROUTE;

const OPERATIONS = operationsOf(readOpenApi());
const FUZZED = ONLY
  ? OPERATIONS.filter((op) => ONLY.split(',').some((part) => op.key.includes(part.trim())))
  : OPERATIONS;

/** A stable per-route seed, so that each route replays on its own. */
function seedOf(key: string): number {
  let h = SEED | 0;
  for (const ch of key) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

// ---------------------------------------------------------------------------------------------------------
// The shape of one case
// ---------------------------------------------------------------------------------------------------------

type IdPick = { pool: number; own: boolean } | { literal: string; raw: boolean };
type Pair = [string, string];
type CookieVariant = 'persona' | 'none' | 'forged' | 'oversized' | 'garbage';
type Csrf = 'same-origin' | 'no-header' | 'foreign-origin' | 'null-origin' | 'fetch-site' | 'cross-site';
type BodyPlan =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; note: string }
  | { kind: 'raw'; text: string | Buffer; contentType: string | undefined; note: string };

interface Case {
  persona: PersonaName;
  acceptLanguage: string;
  ids: IdPick[];
  /** GET /*: the client-side path. */
  webPath: string;
  query: { pairs: Pair[]; note: string };
  headers: Pair[];
  /** Headers no route declares yet but some may read (If-Match, Idempotency-Key), and junk ones. */
  extraHeaders: Pair[];
  cookie: CookieVariant;
  csrf: Csrf;
  body: BodyPlan;
}

const latin1Header = (s: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s) && s.length <= 4000;
const hostileHeader = fc.oneof(
  hostileString.filter(latin1Header),
  fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
  fc.constantFrom('', ' ', '*', '"', 'W/"1"', '"1", "2"', '0', '-1', 'null', 'a'.repeat(3000)),
);

const acceptLanguage = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom('tk', 'ru', 'en', 'ru-RU,ru;q=0.9,en;q=0.5', 'en-GB', 'de, en;q=0.1'),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('tk-TM, ru;q=0.8', 'EN', 'ru;q=0.2, en;q=0.9', 'fr', '*', 'en;q=abc'),
  },
  { weight: 1, arbitrary: hostileHeader },
);

const BAD_IDS: ReadonlyArray<[string, boolean]> = [
  ['not-a-uuid', false],
  ["' OR 1=1 --", false],
  ['1', false],
  ['-1', false],
  ['null', false],
  ['{00000000-0000-4000-8000-000000000000}', false],
  ['00000000-0000-4000-8000-00000000000g', false],
  ['00000000000040008000000000000000', false],
  ['00000000-0000-4000-8000-000000000000 ', false],
  ['x'.repeat(201), false],
  ['Ж'.repeat(40), false],
  ['\u202e\u200b', false],
  ['<script>', false],
  ['%', true],
  ['%00', true],
  ['%zz', true],
  ['..', true],
  ['%2e%2e', true],
  ['%E0%A4%A', true],
  ['a%2Fb', true],
];

const idPick: fc.Arbitrary<IdPick> = fc.oneof(
  { weight: 14, arbitrary: fc.record({ pool: fc.nat(), own: fc.boolean() }) },
  { weight: 2, arbitrary: fc.uuid().map((u) => ({ literal: u, raw: false })) },
  { weight: 1, arbitrary: fc.uuid().map((u) => ({ literal: u.toUpperCase(), raw: false })) },
  { weight: 3, arbitrary: fc.constantFrom(...BAD_IDS).map(([literal, raw]) => ({ literal, raw })) },
);

const webPath = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'cases',
        'persons',
        'admin',
        'assets',
        'index.html',
        'x.js',
        'favicon.ico',
        '.env',
        'api',
      ),
      fc.constantFrom('%', '%E0%A4%A', '%zz', '%00', '..', '%2e%2e', '%2F', '%C0%AF', '~', '%FF'),
      hostileString.map((s) => {
        try {
          return encodeURIComponent(s.slice(0, 300));
        } catch {
          return '%ED%A0%80';
        }
      }),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((segments) => `/${segments.join('/')}`);

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json-patch+json',
  'application/vnd.api+json',
  'text/json',
  '',
];

const PAST_LIMIT_STRING = `{"a":"${'x'.repeat(300 * 1024)}"}`;
const PAST_LIMIT_ARRAY = `[${'1,'.repeat(140_000)}1]`;

/** Raw request bodies: malformed JSON, odd encodings, sizes past the body limit, prototype keys. */
function rawBodies(valid: unknown): fc.Arbitrary<BodyPlan> {
  const text = JSON.stringify(valid) ?? 'null';
  const json = (t: string | Buffer, note: string): BodyPlan => ({
    kind: 'raw',
    text: t,
    contentType: 'application/json',
    note,
  });
  return fc.oneof(
    fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => json(text.slice(0, n), 'truncated JSON')),
    fc.constantFrom(
      json('', 'empty body'),
      json('{', 'open brace'),
      json("{'a': 1}", 'single quotes'),
      json('{"a":1,}', 'trailing comma'),
      json('NaN', 'NaN'),
      json('1e999', 'huge number'),
      json('null', 'null body'),
      json('[]', 'array body'),
      json('"text"', 'string body'),
      json('true', 'boolean body'),
      json('{"a":1}{"b":2}', 'two documents'),
      json(`\ufeff${text}`, 'BOM'),
      json(`${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"__proto__":{"isAdmin":true}}`, '__proto__ key'),
      json(
        `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"constructor":{"prototype":{"x":1}}}`,
        'constructor key',
      ),
      json(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]), 'invalid UTF-8'),
      json(Buffer.from(text, 'utf16le'), 'UTF-16 bytes'),
      json(PAST_LIMIT_STRING, 'body past 256 KiB'),
      json(PAST_LIMIT_ARRAY, 'long array past 256 KiB'),
      json(`${'['.repeat(40)}${']'.repeat(40)}`, 'depth 40'),
      json('{"a":"\\u0000"}', 'escaped NUL'),
      json('{"a":"\\ud800"}', 'escaped lone surrogate'),
    ),
    fc.constantFrom(...WRONG_CONTENT_TYPES).map((ct) => ({
      kind: 'raw' as const,
      text,
      contentType: ct || undefined,
      note: `content type ${ct || 'missing'}`,
    })),
    deepNesting.map((v) => json(JSON.stringify(v), 'deep nesting')),
  );
}

function bodyPlan(op: Operation): fc.Arbitrary<BodyPlan> {
  const none: fc.Arbitrary<BodyPlan> = fc.constant({ kind: 'none' });
  if (!op.body) {
    // a body the route does not take: ignored or refused, never a crash
    return fc.oneof(
      { weight: 9, arbitrary: none },
      { weight: 1, arbitrary: rawBodies({ unexpected: true }) },
    );
  }
  const schema = op.body.schema;
  const valid = validValue(schema);
  return fc.oneof(
    { weight: 8, arbitrary: valid.map((value): BodyPlan => ({ kind: 'json', value, note: 'valid' })) },
    {
      weight: 6,
      arbitrary: mutatedValue(schema).map(
        ({ value, mutation }): BodyPlan => ({
          kind: 'json',
          value,
          note: `${mutation.kind} at ${mutation.path.join('.') || '(root)'}`,
        }),
      ),
    },
    { weight: 3, arbitrary: valid.chain(rawBodies) },
    { weight: 1, arbitrary: none },
  );
}

/** A query value as the wire carries it. */
const wire = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function queryPlan(params: Param[]): fc.Arbitrary<{ pairs: Pair[]; note: string }> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of params) model[p.name] = validValue(p.schema);
  const required = params.filter((p) => p.required).map((p) => p.name);
  const valid = fc
    .record(model, { requiredKeys: required })
    .map((r) => Object.entries(r).map(([k, v]): Pair => [k, wire(v)]));
  const names = params.map((p) => p.name);
  const mutated = valid.chain((pairs) =>
    fc.oneof(
      fc
        .tuple(names.length > 0 ? fc.constantFrom(...names) : fc.constant('q'), hostileString)
        .map(([k, v]) => ({
          pairs: [...pairs.filter(([n]) => n !== k), [k, v] as Pair],
          note: `hostile ${k}`,
        })),
      fc
        .tuple(
          names.length > 0 ? fc.constantFrom(...names) : fc.constant('limit'),
          fc.constantFrom('-1', '0', '1.5', '1e3', '201', '9007199254740993', '', 'true', '[]', ' 1'),
        )
        .map(([k, v]) => ({ pairs: [...pairs.filter(([n]) => n !== k), [k, v] as Pair], note: `odd ${k}` })),
      fc
        .tuple(
          fc.constantFrom('zzz', 'id', '__proto__', 'constructor[prototype]', 'where', 'limit[]'),
          hostileString,
        )
        .map(([k, v]) => ({ pairs: [...pairs, [k, v] as Pair], note: `unknown ${k}` })),
      pairs.length > 0
        ? fc.nat({ max: pairs.length - 1 }).map((i) => ({
            pairs: [...pairs, [pairs[i]![0], pairs[i]![1]] as Pair],
            note: `repeated ${pairs[i]![0]}`,
          }))
        : fc.constant({ pairs, note: 'valid' }),
      required.length > 0
        ? fc.constantFrom(...required).map((k) => ({
            pairs: pairs.filter(([n]) => n !== k),
            note: `missing ${k}`,
          }))
        : fc.constant({ pairs, note: 'valid' }),
    ),
  );
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((pairs) => ({ pairs, note: 'valid' })) },
    { weight: 2, arbitrary: mutated },
  );
}

function headerPlan(params: Param[]): fc.Arbitrary<Pair[]> {
  if (params.length === 0) return fc.constant([]);
  return fc
    .tuple(
      ...params.map((p) =>
        fc.oneof(
          { weight: 4, arbitrary: validValue(p.schema).map((v) => [p.name, wire(v)] as Pair | null) },
          { weight: 2, arbitrary: hostileHeader.map((v) => [p.name, v] as Pair | null) },
          { weight: 1, arbitrary: fc.constant(null) },
        ),
      ),
    )
    .map((pairs) => pairs.filter((p): p is Pair => p !== null));
}

function caseOf(op: Operation): fc.Arbitrary<Case> {
  const allowed = (MATRIX[op.key]?.allow ?? []).filter((p) => PERSONAS.includes(p));
  const persona =
    allowed.length > 0
      ? fc.oneof(fc.constantFrom(...allowed), fc.constantFrom(...PERSONAS))
      : fc.constantFrom(...PERSONAS);
  const pathParams = op.params.filter((p) => p.in === 'path');
  return fc.record({
    persona,
    acceptLanguage,
    ids: fc.tuple(...pathParams.map(() => idPick)),
    webPath,
    query: queryPlan(op.params.filter((p) => p.in === 'query')),
    headers: headerPlan(op.params.filter((p) => p.in === 'header')),
    extraHeaders: fc
      .tuple(
        // G33/G34 headers before openapi.json declares them: mostly well-formed, so writes get through
        fc.option(fc.uuid(), { freq: 6 }),
        fc.option(fc.integer({ min: 1, max: 3 }), { freq: 3 }),
        fc.option(
          fc.tuple(
            fc.constantFrom(
              'if-match',
              'idempotency-key',
              'if-none-match',
              'x-forwarded-for',
              'x-http-method-override',
            ),
            fc.oneof(
              fc.constantFrom('"1"', 'W/"1"', '*', 'DELETE', '127.0.0.1', 'a'.repeat(129)),
              hostileHeader,
            ),
          ),
          { freq: 2 },
        ),
      )
      .map(([key, version, junk]) => {
        const out: Pair[] = [];
        const declared = new Set(op.params.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()));
        if (op.method !== 'GET' && key && !declared.has('idempotency-key'))
          out.push(['idempotency-key', key]);
        if (op.method !== 'GET' && op.method !== 'POST' && version && !declared.has('if-match'))
          out.push(['if-match', `"${version}"`]);
        if (junk) out.push(junk as Pair);
        return out;
      }),
    cookie: fc.oneof(
      { weight: 16, arbitrary: fc.constant<CookieVariant>('persona') },
      { weight: 1, arbitrary: fc.constantFrom<CookieVariant>('none', 'forged', 'oversized', 'garbage') },
    ),
    csrf: fc.oneof(
      { weight: 16, arbitrary: fc.constant<Csrf>('same-origin') },
      {
        weight: 2,
        arbitrary: fc.constantFrom<Csrf>(
          'no-header',
          'foreign-origin',
          'null-origin',
          'fetch-site',
          'cross-site',
        ),
      },
    ),
    body: bodyPlan(op),
  });
}

// ---------------------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------------------

interface PoolEntry {
  id: string;
  refs: Set<string>;
  row: Record<string, unknown>;
}

/** FUZZ_ENGINES=postgres (or embedded) runs one engine, e.g. for a DEEP run. */
const FUZZ_ENGINES = ENGINES.filter((e) => !process.env.FUZZ_ENGINES || process.env.FUZZ_ENGINES.includes(e));

describe.each(FUZZ_ENGINES)('API fuzzing on %s (G16)', (engine) => {
  let t: TestApp;
  let log: WriteLog;
  const pools = new Map<string, PoolEntry[]>();
  const personas = new Map<PersonaName, Persona & { cookie?: string; sessionId?: string; locale: Locale }>();
  const protectedIds = new Set<string>();
  const histogram = new Map<string, Map<number, number>>();
  const timing = { prepare: 0, inject: 0, drain: 0 };

  function harvest(entries: WriteEntry[]): void {
    for (const e of entries) {
      const row = e.row ?? {};
      if (e.op === 'INSERT' && typeof row.id === 'string') {
        const refs = new Set(
          Object.entries(row)
            .filter(([k, v]) => k.endsWith('_id') && typeof v === 'string')
            .map(([, v]) => v as string),
        );
        const list = pools.get(e.tbl) ?? [];
        list.push({ id: row.id, refs, row });
        pools.set(e.tbl, list);
      }
      if (e.tbl === 'sessions' && (e.op === 'DELETE' || e.cols?.includes('revoked_at'))) {
        for (const p of personas.values()) if (p.sessionId === row.id) p.cookie = undefined;
      }
      if (e.tbl === 'users' && e.op === 'UPDATE' && e.cols?.includes('locale')) {
        for (const p of personas.values())
          if (p.userId === row.id && isLocale(row.locale)) p.locale = row.locale;
      }
    }
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    log = await installWriteLog(t.admin);
    const world = await buildWorld(t);
    for (const name of PERSONAS) {
      const p = world.personas[name];
      const locale = LOCALES[PERSONAS.indexOf(name) % LOCALES.length]!;
      if (p.userId) await t.admin.query('UPDATE users SET locale = $2 WHERE id = $1', [p.userId, locale]);
      personas.set(name, { ...p, locale });
      if (p.userId) protectedIds.add(p.userId);
      if (p.agencyId) protectedIds.add(p.agencyId);
    }
    harvest(await log.drain());
    useKnownUuids([...pools.values()].flat().map((e) => e.id));
    console.info(
      `API fuzz on ${engine}: seed ${SEED}, ${RUNS} cases per route, ${FUZZED.length} routes ` +
        `(FUZZ_SEED=${SEED} replays; DEEP=1 runs 10,000 per route)`,
    );
  });

  afterAll(async () => {
    if (histogram.size > 0) {
      const lines = [...histogram].map(
        ([key, h]) =>
          `  ${key.padEnd(64)} ${[...h]
            .sort((a, b) => a[0] - b[0])
            .map(([s, n]) => `${s}×${n}`)
            .join(' ')}`,
      );
      console.info(`API fuzz answers on ${engine} (status×count):\n${lines.join('\n')}`);
      console.info(`time spent (ms): ${JSON.stringify(timing)}`);
    }
    await t?.close();
  });

  /** The table a path parameter names: from the path segment before it (`/persons/:id` → persons). */
  function tableOf(url: string, param: string): string | undefined {
    const segments = url.split('/');
    const i = segments.indexOf(`:${param}`);
    const before = (segments[i - 1] ?? '').replace(/-/g, '_');
    const tables = log.tables;
    return (
      tables.find((name) => name === before) ??
      tables.find((name) => name === `${before}s`) ??
      tables.find((name) => name.startsWith(before) && before.length > 3)
    );
  }

  const singular = (table: string) =>
    table.endsWith('ies') ? `${table.slice(0, -3)}y` : table.replace(/s$/, '');

  /** The concrete id for each path parameter (a child record brings its parent: a consent its person). */
  function resolveIds(op: Operation, c: Case, persona: Persona): string[] {
    const names = op.params.filter((p) => p.in === 'path').map((p) => p.name);
    const out: string[] = new Array(names.length).fill('');
    const fromChild = new Map<number, string>();
    for (let i = names.length - 1; i >= 0; i--) {
      const pick = c.ids[i]!;
      if ('literal' in pick) {
        out[i] = pick.raw ? pick.literal : encodeOrRaw(pick.literal);
        continue;
      }
      if (fromChild.has(i) && pick.own) {
        out[i] = fromChild.get(i)!;
        continue;
      }
      const table = tableOf(op.url, names[i]!);
      let list = (table ? pools.get(table) : undefined) ?? [...pools.values()].flat();
      if (op.method !== 'GET') list = list.filter((e) => !protectedIds.has(e.id));
      const mine = list.filter(
        (e) =>
          (persona.agencyId && e.refs.has(persona.agencyId)) ||
          (persona.userId && (e.refs.has(persona.userId) || e.id === persona.userId)) ||
          e.id === persona.agencyId,
      );
      const from = pick.own && mine.length > 0 ? mine : list;
      const entry = from.length > 0 ? from[pick.pool % from.length]! : undefined;
      out[i] = entry?.id ?? '00000000-0000-4000-8000-000000000000';
      // the parent parameter gets the entry's own parent (consents.person_id for /persons/:id/consents/:cid)
      if (entry && i > 0) {
        const parentTable = tableOf(op.url, names[i - 1]!);
        const parent = parentTable ? entry.row[`${singular(parentTable)}_id`] : undefined;
        if (typeof parent === 'string') fromChild.set(i - 1, parent);
      }
    }
    return out;
  }

  function encodeOrRaw(s: string): string {
    try {
      return encodeURIComponent(s);
    } catch {
      return '%ED%A0%80';
    }
  }

  async function cookieOf(name: PersonaName): Promise<string | undefined> {
    const p = personas.get(name)!;
    if (!p.userId) return undefined;
    if (!p.cookie) {
      p.cookie = await signIn(t, p.userId);
      p.sessionId = await sessionIdOf(t, p.cookie);
      harvest(await log.drain());
    }
    return p.cookie;
  }

  async function requestOf(op: Operation, c: Case): Promise<{ options: InjectOptions; live: boolean }> {
    const persona = personas.get(c.persona)!;
    const ids = resolveIds(op, c, persona);
    let url = op.url;
    if (url === '/*') url = c.webPath;
    else {
      let i = 0;
      url = url.replace(/:(\w+)/g, () => ids[i++]!);
    }
    const query = c.query.pairs
      .map(([k, v]) => `${encodeOrRaw(k)}=${v.startsWith('%') && v.length < 5 ? v : encodeOrRaw(v)}`)
      .join('&');
    if (query) url += `?${query}`;
    const personaCookie = await cookieOf(c.persona);
    const cookie: Record<CookieVariant, string | undefined> = {
      persona: personaCookie,
      none: undefined,
      forged: 'halas_session=cGVyc29uYS1mb3JnZWQtdG9rZW4tdGhhdC1kb2VzLW5vdC1leGlzdA',
      oversized: `halas_session=${'A'.repeat(4000)}`,
      garbage: `halas_session="; ${HOSTILE_STRINGS[0]}; a=\\`,
    };
    const headers: Record<string, string> = {
      host: 'localhost',
      'accept-language': c.acceptLanguage,
    };
    if (c.csrf !== 'no-header') headers['x-halas-request'] = '1';
    if (c.csrf === 'same-origin' || c.csrf === 'no-header') headers.origin = 'http://localhost';
    if (c.csrf === 'foreign-origin') headers.origin = 'http://evil.example';
    if (c.csrf === 'null-origin') headers.origin = 'null';
    if (c.csrf === 'fetch-site') headers['sec-fetch-site'] = 'same-origin';
    if (c.csrf === 'cross-site') headers['sec-fetch-site'] = 'cross-site';
    const cookieValue = cookie[c.cookie];
    if (cookieValue) headers.cookie = cookieValue;
    for (const [k, v] of c.extraHeaders) headers[k.toLowerCase()] = v;
    for (const [k, v] of c.headers) headers[k.toLowerCase()] = v;
    let payload: string | Buffer | undefined;
    if (c.body.kind === 'json') {
      payload = JSON.stringify(c.body.value);
      headers['content-type'] = 'application/json';
    } else if (c.body.kind === 'raw') {
      payload = c.body.text;
      if (c.body.contentType !== undefined) headers['content-type'] = c.body.contentType;
    }
    const live = c.cookie === 'persona' && Boolean(persona.userId) && c.persona !== 'deactivated';
    return {
      options: { method: op.method, url, headers, ...(payload !== undefined ? { payload } : {}) },
      live,
    };
  }

  function problemsOf(
    op: Operation,
    c: Case,
    res: LightMyRequestResponse,
    writes: WriteEntry[],
    live: boolean,
  ): string[] {
    const problems: string[] = [];
    if (res.statusCode >= 500) problems.push(`answered ${res.statusCode}`);
    const headerText = JSON.stringify(res.headers);
    const bodyText = res.body;
    const error = res.statusCode >= 400;
    for (const leak of leaksIn(bodyText, error ? ERROR_LEAKS : INTERNALS))
      problems.push(`body leaks ${leak}`);
    for (const leak of leaksIn(headerText, INTERNALS)) problems.push(`headers leak ${leak}`);
    if (res.headers['x-powered-by'] || res.headers.server) problems.push('a server banner header');
    if (!error) return problems;

    const persona = personas.get(c.persona)!;
    const requested = localeFromAcceptLanguage(c.acceptLanguage) ?? 'tk';
    const locales: Locale[] = live ? [requested, persona.locale] : [requested];
    const { code, problems: bodyProblems } = errorBodyProblems(
      res.statusCode,
      res.headers['content-type']?.toString(),
      bodyText,
      res.headers['x-request-id']?.toString(),
      locales,
    );
    problems.push(...bodyProblems);
    problems.push(
      ...unexpectedWrites(writes, {
        status: res.statusCode,
        code,
        method: op.method,
        route: op.url,
        userId: persona.userId,
        liveSession: live,
      }),
    );
    return problems;
  }

  it('fuzzes every declared route, and every route in openapi.json exists', () => {
    const declared = t.app.declaredRoutes.map((r) => `${r.method} ${r.url}`);
    const documented = OPERATIONS.map((op) => op.key);
    expect(
      declared.filter((key) => !documented.includes(key)),
      'declared routes without an entry in openapi.json (run `npm run openapi:write`)',
    ).toEqual([]);
    expect(
      documented.filter((key) => !declared.includes(key)),
      'openapi.json entries without a route',
    ).toEqual([]);
    expect(UNDOCUMENTED.every((key) => declared.includes(key))).toBe(true);
  });

  it.each(FUZZED.map((op) => [op.key, op] as const))(
    '%s',
    async (key, op) => {
      const seed = seedOf(key);
      const counts = new Map<number, number>();
      histogram.set(key, counts);
      await fc.assert(
        fc.asyncProperty(caseOf(op), async (c) => {
          const t0 = performance.now();
          const { options, live } = await requestOf(op, c);
          const t1 = performance.now();
          const res = await t.app.inject(options);
          const t2 = performance.now();
          const writes = await log.drain();
          const t3 = performance.now();
          timing.prepare += t1 - t0;
          timing.inject += t2 - t1;
          timing.drain += t3 - t2;
          counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1);
          if (
            process.env.FUZZ_DEBUG &&
            res.statusCode >= 400 &&
            (MATRIX[key]?.allow ?? []).includes(c.persona) &&
            c.query.note === 'valid' &&
            c.body.kind === 'json' &&
            c.body.note === 'valid'
          )
            console.info(
              `${key}: a valid request was refused: ${res.body.slice(0, 300)} ${JSON.stringify(c.body.value).slice(0, 300)}`,
            );
          const problems = problemsOf(op, c, res, writes, live);
          harvest(writes);
          if (problems.length > 0) {
            const shown = typeof options.payload === 'string' ? options.payload.slice(0, 400) : '(bytes)';
            throw new Error(
              `${key} as ${c.persona} (query ${c.query.note}, body ${c.body.kind === 'none' ? 'none' : c.body.note}): ` +
                `${problems.join('; ')}\n  ${options.method} ${String(options.url).slice(0, 300)}\n  ` +
                `body ${shown}\n  answer ${res.statusCode} ${res.body.slice(0, 400)}\n  ` +
                `replay: FUZZ_SEED=${SEED} (route seed ${seed})`,
            );
          }
        }),
        { numRuns: RUNS, seed, endOnFailure: !process.env.FUZZ_SHRINK },
      );
    },
    Math.max(120_000, RUNS * 200),
  );
});
