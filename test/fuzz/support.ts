import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { projectRoot } from '../../src/server/config/index.js';
import { ERROR_CODES, ERROR_STATUS, ErrorBody, type ErrorCode } from '../../src/shared/contracts/errors.js';
import type { Locale } from '../../src/shared/domain/locales.js';
import { serverCatalogs } from '../../src/shared/i18n/server/index.js';
import { assertSupported, type JsonSchema } from './schema-arbitrary.js';

// ---------------------------------------------------------------------------------------------------------
// The operations: every path × method of openapi.json
// ---------------------------------------------------------------------------------------------------------

export interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `METHOD /url` as in `app.declaredRoutes` (`:id`, not `{id}`). */
  key: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route pattern with `:name` params. */
  url: string;
  params: Param[];
  body?: { schema: JsonSchema; required: boolean };
}

interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
}

/**
 * Declared routes that openapi.json leaves out on purpose (`schema.hide`): the document itself and the web
 * application's catch-all. They are fuzzed all the same, with no declared parameters.
 */
export const UNDOCUMENTED: readonly string[] = ['GET /api/openapi.json', 'GET /*'];

export function readOpenApi(): Record<string, Record<string, OpenApiOperation>> {
  const doc = JSON.parse(fs.readFileSync(path.join(projectRoot, 'openapi.json'), 'utf8')) as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  return doc.paths;
}

export function operationsOf(paths: Record<string, Record<string, OpenApiOperation>>): Operation[] {
  const out: Operation[] = [];
  for (const [p, ops] of Object.entries(paths)) {
    for (const [m, op] of Object.entries(ops)) {
      const method = m.toUpperCase() as Operation['method'];
      const url = p.replace(/\{(\w+)\}/g, ':$1');
      const key = `${method} ${url}`;
      const params: Param[] = (op.parameters ?? []).map((q) => {
        if (q.in !== 'path' && q.in !== 'query' && q.in !== 'header')
          throw new Error(`${key}: parameter "${q.name}" in ${q.in} is not fuzzed yet`);
        const schema = q.schema ?? {};
        assertSupported(schema, `${key} ${q.in} ${q.name}`);
        return { name: q.name, in: q.in, required: Boolean(q.required), schema };
      });
      let body: Operation['body'];
      if (op.requestBody) {
        const types = Object.keys(op.requestBody.content ?? {});
        const schema = op.requestBody.content?.['application/json']?.schema;
        if (!schema) throw new Error(`${key}: request body of type ${types.join(', ')} is not fuzzed yet`);
        assertSupported(schema, `${key} body`);
        body = { schema, required: Boolean(op.requestBody.required) };
      }
      out.push({ key, method, url, params, ...(body ? { body } : {}) });
    }
  }
  for (const key of UNDOCUMENTED) {
    const [method, url] = key.split(' ') as [Operation['method'], string];
    out.push({ key, method, url, params: [] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Every write, as it happens: a trigger on every table logs row changes (test databases only)
// ---------------------------------------------------------------------------------------------------------

/** Columns kept from a written row: identities, references and the few facts the checks look at. */
const LOGGED_COLUMNS = [
  'id',
  'kind',
  'action',
  'outcome',
  'entity_type',
  'entity_id',
  'locale',
  'active',
  'revoked_at',
];

export interface WriteEntry {
  /** Position in the log. */
  n: number;
  tbl: string;
  op: 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';
  /** For an UPDATE: the columns whose value changed. */
  cols: string[] | null;
  row: Record<string, unknown> | null;
}

/**
 * Installs a row trigger on every table of the public schema that appends (table, operation, changed
 * columns, ids) to `fuzz_write_log`. Reading the log after a request tells exactly what that request wrote,
 * in one indexed query: cheaper and more precise than checksumming every table before and after.
 */
export async function installWriteLog(admin: pg.Pool): Promise<WriteLog> {
  const keep = LOGGED_COLUMNS.map((c) => `'${c}'`).join(', ');
  await admin.query(`
    CREATE TABLE fuzz_write_log (n bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL, cols text[], row jsonb);
    CREATE FUNCTION fuzz_log_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    DECLARE
      changed text[];
      r jsonb;
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO fuzz_write_log (tbl, op) VALUES (TG_TABLE_NAME, TG_OP);
        RETURN NULL;
      END IF;
      r := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
      IF TG_OP = 'UPDATE' THEN
        SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}') INTO changed
          FROM jsonb_each(r) n WHERE n.value IS DISTINCT FROM (to_jsonb(OLD) -> n.key);
      END IF;
      INSERT INTO fuzz_write_log (tbl, op, cols, row)
      SELECT TG_TABLE_NAME, TG_OP, changed, jsonb_object_agg(e.key, e.value)
        FROM jsonb_each(r) e WHERE e.key IN (${keep}) OR e.key LIKE '%\\_id';
      RETURN NULL;
    END $$;
  `);
  const { rows } = await admin.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
      WHERE s.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'fuzz_write_log' ORDER BY 1`,
  );
  for (const { name } of rows) {
    // the session touch of every authenticated request (last_seen_at alone) is not a write worth a log row
    const when =
      name === 'sessions'
        ? `WHEN ((to_jsonb(OLD) - 'last_seen_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_seen_at'))`
        : '';
    await admin.query(
      `CREATE TRIGGER fuzz_log_update AFTER UPDATE ON "${name}" FOR EACH ROW ${when}
         EXECUTE FUNCTION fuzz_log_write()`,
    );
    await admin.query(
      `CREATE TRIGGER fuzz_log_row AFTER INSERT OR DELETE ON "${name}"
         FOR EACH ROW EXECUTE FUNCTION fuzz_log_write()`,
    );
    await admin.query(
      `CREATE TRIGGER fuzz_log_truncate AFTER TRUNCATE ON "${name}"
         FOR EACH STATEMENT EXECUTE FUNCTION fuzz_log_write()`,
    );
  }
  return new WriteLog(
    admin,
    rows.map((r) => r.name),
  );
}

export class WriteLog {
  mark = 0;
  constructor(
    readonly admin: pg.Pool,
    readonly tables: string[],
  ) {}

  /** Everything written since the last call (or since `mark`), and moves the mark past it. */
  async drain(): Promise<WriteEntry[]> {
    const { rows } = await this.admin.query<WriteEntry & { n: string }>(
      'SELECT n, tbl, op, cols, row FROM fuzz_write_log WHERE n > $1 ORDER BY n',
      [this.mark],
    );
    const out = rows.map((r) => ({ ...r, n: Number(r.n) }));
    if (out.length > 0) this.mark = out[out.length - 1]!.n;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------
// What a rejected request may write: only the record of its own rejection, each kind named here
// ---------------------------------------------------------------------------------------------------------

/** Sign-in, second-factor and step-up failures are counted and audited on purpose (G07 brute-force limits). */
const AUTH_FAILURE_CODES = new Set<string>([
  'invalid_credentials',
  'mfa_invalid',
  'too_many_requests',
  'setup_token_invalid',
  'weak_password',
  'password_reused',
]);
const WEBAUTHN_CHALLENGE = new Set(['webauthn_challenge', 'webauthn_challenge_expires_at']);
const FAILURE_COUNTERS = new Set(['failed_logins', 'locked_until', 'mfa_failures', 'mfa_window_start']);

export interface RejectionContext {
  status: number;
  code: string | undefined;
  method: string;
  route: string;
  /** The persona's user id (absent for anonymous). */
  userId: string | undefined;
  /** The request carried the persona's live, fully signed-in session. */
  liveSession: boolean;
}

/**
 * Drops a row inserted and deleted again by the same request (an Idempotency-Key claim released when the
 * request fails): the database is unchanged by the pair. Rows are matched on their logged ids.
 */
export function withoutNetZero(entries: WriteEntry[]): WriteEntry[] {
  const dropped = new Set<WriteEntry>();
  for (const del of entries) {
    if (del.op !== 'DELETE') continue;
    const same = JSON.stringify(del.row);
    const ins = entries.find(
      (e) =>
        e.op === 'INSERT' &&
        e.tbl === del.tbl &&
        e.n < del.n &&
        !dropped.has(e) &&
        JSON.stringify(e.row) === same,
    );
    if (!ins) continue;
    dropped.add(ins).add(del);
    // and what happened to that row in between
    for (const e of entries)
      if (
        e.op === 'UPDATE' &&
        e.tbl === del.tbl &&
        e.n > ins.n &&
        e.n < del.n &&
        JSON.stringify(e.row) === same
      )
        dropped.add(e);
  }
  return entries.filter((e) => !dropped.has(e));
}

const isSubset = (cols: string[] | null, allowed: Set<string>) => (cols ?? []).every((c) => allowed.has(c));

/**
 * The writes of a 4xx answer that are not the record of its rejection. Accounted for explicitly:
 * - the session touch (`last_seen_at`) of every authenticated request (not even logged: see the trigger's
 *   WHEN clause in installWriteLog), and the revocation of the caller's
 *   own ended session when it is presented (platform/sessions.ts);
 * - the central denial audit of http.ts (onSend): exactly one `access.denied` event for a 401/403 answer
 *   to a live session, none otherwise;
 * - failed sign-in, second factor and step-up: the user's failure counters, the per-source throttle and an
 *   `auth.*` audit event with outcome `failure`;
 * - a security-key challenge of the caller's own session, single use, burnt by a failed answer;
 * - the bulk-reveal brake (`reauth_required`): a `bulk_access` alert to the DPO and a denied `person.reveal`
 *   audit event;
 * - the audit head, when one of those audit events was written.
 * Anything else is a write from a rejected request.
 */
export function unexpectedWrites(all: WriteEntry[], c: RejectionContext): string[] {
  const problems: string[] = [];
  const entries = withoutNetZero(all);
  const auditInserts = entries.filter((e) => e.tbl === 'audit_events' && e.op === 'INSERT');
  const denials = auditInserts.filter((e) => e.row?.action === 'access.denied');
  const denialExpected = (c.status === 401 || c.status === 403) && c.liveSession;
  if (denials.length !== (denialExpected ? 1 : 0))
    problems.push(`${denials.length} access.denied audit events, expected ${denialExpected ? 1 : 0}`);
  for (const d of denials) {
    // the route as matched: a `..` segment in the URL may have been resolved to another route
    if (d.row?.outcome !== 'denied' || !String(d.row?.entity_id).startsWith(`${c.method} /`))
      problems.push(
        `denial audit event for ${String(d.row?.entity_id)} with outcome ${String(d.row?.outcome)}`,
      );
    if (d.row?.actor_user_id !== (c.userId ?? null))
      problems.push(`denial audit event names ${String(d.row?.actor_user_id)}, not the caller`);
  }
  for (const e of entries) {
    const what = `${e.op} ${e.tbl}${e.cols ? ` (${e.cols.join(', ')})` : ''}`;
    if (e.op === 'UPDATE' && e.cols?.length === 0) continue; // an UPDATE that changed nothing
    if (e.tbl === 'sessions' && e.op === 'UPDATE') {
      if (isSubset(e.cols, new Set(['last_seen_at']))) continue;
      // a security-key challenge is single use: a failed answer burns it (features/auth/webauthn.ts)
      if (
        c.code &&
        AUTH_FAILURE_CODES.has(c.code) &&
        isSubset(e.cols, WEBAUTHN_CHALLENGE) &&
        e.row?.user_id === c.userId
      )
        continue;
      // the caller's own ended session (deactivated user, expired) is revoked when it is presented
      if (!c.liveSession && isSubset(e.cols, new Set(['revoked_at'])) && e.row?.user_id === c.userId)
        continue;
    }
    if (e.tbl === 'audit_head' && e.op === 'UPDATE' && auditInserts.length > 0) continue;
    if (e.tbl === 'audit_events' && e.op === 'INSERT') {
      if (e.row?.action === 'access.denied') continue; // counted above
      if (
        c.code &&
        AUTH_FAILURE_CODES.has(c.code) &&
        e.row?.outcome === 'failure' &&
        String(e.row?.action).startsWith('auth.')
      )
        continue;
      if (c.code === 'reauth_required' && e.row?.action === 'person.reveal' && e.row?.outcome === 'denied')
        continue;
    }
    if (c.code && AUTH_FAILURE_CODES.has(c.code)) {
      if (e.tbl === 'users' && e.op === 'UPDATE' && isSubset(e.cols, FAILURE_COUNTERS)) continue;
      if (e.tbl === 'login_throttle' && (e.op === 'INSERT' || e.op === 'UPDATE')) continue;
    }
    if (
      c.code === 'reauth_required' &&
      e.tbl === 'alerts' &&
      e.op === 'INSERT' &&
      e.row?.kind === 'bulk_access'
    )
      continue;
    problems.push(`a rejected request wrote: ${what}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// What no answer may contain
// ---------------------------------------------------------------------------------------------------------

/** Internals that must never appear in any answer (the fuzz corpus contains none of them). */
export const INTERNALS: ReadonlyArray<[string, RegExp]> = [
  ['stack frame', /\bat (?:async )?[\w$.<>[\] ]*\(?(?:file:\/\/|node:|\/)[^\s)]*:\d+:\d+\)?/],
  ['node internals', /node:internal|\(node:\d+\)/],
  ['node_modules', /node_modules/],
  ['project path', new RegExp(projectRoot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))],
  ['source file reference', /\b[\w-]+\.(?:ts|js|mjs|cjs):\d+/],
];

/** Further patterns for error answers, which echo nothing a client sent. */
export const ERROR_LEAKS: ReadonlyArray<[string, RegExp]> = [
  ...INTERNALS,
  ['absolute path', /(?:^|[\s"'(=])\/(?:home|root|usr|etc|var|opt|tmp|work|srv|app|proc)\/[\w.-]/],
  [
    'SQL',
    /\b(?:SELECT|INSERT|UPDATE|DELETE)\b[\s\S]*\b(?:FROM|INTO|SET|WHERE)\b|syntax error at or near|\brelation "|\bcolumn "|violates \w+ constraint|duplicate key value|invalid input syntax|SQLSTATE|pg_catalog|invalid byte sequence/i,
  ],
  [
    'library banner',
    /\b(?:fastify|express|pglite|postgres(?:ql)?\s*\d|node-postgres|zod|ajv|light-my-request|@electric-sql|Error:|TypeError|RangeError|SyntaxError|ReferenceError)\b/i,
  ],
];

export function leaksIn(text: string, patterns: ReadonlyArray<[string, RegExp]>): string[] {
  return patterns.filter(([, re]) => re.test(text)).map(([name]) => name);
}

// ---------------------------------------------------------------------------------------------------------
// Error answers: stable code, the right status, a message from the caller's language
// ---------------------------------------------------------------------------------------------------------

type IssueKey = keyof (typeof serverCatalogs)['en'];

/** A message template as a regular expression (`{param}` matches anything). */
function templateRegex(template: string): RegExp {
  const parts = template.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[\\s\\S]*')}$`);
}
const issueTemplates = Object.fromEntries(
  (Object.keys(serverCatalogs) as Locale[]).map((locale) => [
    locale,
    (Object.keys(serverCatalogs[locale]) as IssueKey[])
      .filter((k) => k.startsWith('issue.'))
      .map((k) => templateRegex(serverCatalogs[locale][k])),
  ]),
) as Record<Locale, RegExp[]>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Problems with an error answer: JSON `{ code, message, requestId, issues? }`, a known code whose status
 * matches, and the message (and every issue's message) from the catalog of one of `locales`.
 */
export function errorBodyProblems(
  status: number,
  contentType: string | undefined,
  body: string,
  requestIdHeader: string | undefined,
  locales: readonly Locale[],
): { code: string | undefined; problems: string[] } {
  if (!contentType?.startsWith('application/json'))
    return { code: undefined, problems: [`error answer of type ${contentType ?? 'none'}`] };
  let parsed: { code?: unknown; message?: unknown; requestId?: unknown; issues?: unknown };
  try {
    parsed = JSON.parse(body);
  } catch {
    return { code: undefined, problems: ['error answer is not JSON'] };
  }
  const problems: string[] = [];
  const code = typeof parsed.code === 'string' ? parsed.code : undefined;
  if (!code || !(ERROR_CODES as string[]).includes(code)) problems.push(`unknown error code ${String(code)}`);
  else if (ERROR_STATUS[code as ErrorCode] !== status)
    problems.push(`code ${code} is ${ERROR_STATUS[code as ErrorCode]}, answered ${status}`);
  if (code && (ERROR_CODES as string[]).includes(code)) {
    const key = `error.${code}` as IssueKey;
    const expected = locales.map((l) => serverCatalogs[l][key]);
    if (!expected.includes(parsed.message as string))
      problems.push(`message ${JSON.stringify(parsed.message)} is not ${key} in ${locales.join('/')}`);
  }
  if (
    typeof parsed.requestId !== 'string' ||
    !UUID.test(parsed.requestId) ||
    parsed.requestId !== requestIdHeader
  )
    problems.push('requestId missing or not the X-Request-Id');
  if (parsed.issues !== undefined) {
    if (!Array.isArray(parsed.issues) || parsed.issues.length === 0) problems.push('issues is not a list');
    else
      for (const issue of parsed.issues as Array<{ path?: unknown; code?: unknown; message?: unknown }>) {
        if (typeof issue.path !== 'string' || typeof issue.code !== 'string')
          problems.push(`issue without path or code: ${JSON.stringify(issue).slice(0, 200)}`);
        const message = String(issue.message);
        if (!locales.some((l) => issueTemplates[l].some((re) => re.test(message))))
          problems.push(
            `issue message ${JSON.stringify(message).slice(0, 120)} is not from ${locales.join('/')}`,
          );
      }
  }
  const extra = Object.keys(parsed).filter((k) => !(k in ErrorBody.shape));
  if (extra.length > 0) problems.push(`unexpected keys in an error answer: ${extra.join(', ')}`);
  return { code, problems };
}
