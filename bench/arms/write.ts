/**
 * G2, the write path with audit, on the PostgreSQL server: a PATCH of a person's trafficking class through
 * the API (session, access rule, If-Match, row locked, consent basis, data key unwrapped, the class sealed,
 * version bumped, one audit event in the hash chain, the record read back; one durable commit) against the
 * same work reduced to two INSERTs (an event row and an audit row) run as a raw pgbench transaction
 * (`pgbench -f`), 8 clients each, interleaved, 3 repetitions. Row counts are checked afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchArm } from '../arm.js';
import { browserHeaders, deployment } from '../support/fixture.js';
import { load } from '../support/http.js';
import { runPgbench } from '../support/proc.js';

const SECONDS = 5;
const CLIENTS = 8;
const REPETITIONS = 3;

const SCRIPT = `BEGIN;
INSERT INTO bench_g2_events (person_id, at, body)
  VALUES (gen_random_uuid(), now(), '{"trafficking": {"notes": "Construction work; passport kept by the employer."}}');
INSERT INTO bench_g2_audit (at, actor_user_id, action, outcome, entity_type, entity_id, fields, prev_hash, hash)
  VALUES (now(), gen_random_uuid(), 'person.update', 'success', 'person', gen_random_uuid()::text, '{trafficking}',
          sha256('prev'::bytea), sha256('this'::bytea));
END;
`;

export const run: BenchArm = async (ctx) => {
  const log = (line: string) => console.info(line);
  const d = await deployment('postgres', ctx.tier, ctx.pgUrl, log);
  const admin = d.admin!;
  await admin.query(`CREATE TABLE IF NOT EXISTS bench_g2_events (id bigserial PRIMARY KEY, person_id uuid NOT NULL,
    at timestamptz NOT NULL, body jsonb NOT NULL)`);
  await admin.query(`CREATE TABLE IF NOT EXISTS bench_g2_audit (seq bigserial PRIMARY KEY, at timestamptz NOT NULL,
    actor_user_id uuid, action text NOT NULL, outcome text NOT NULL, entity_type text, entity_id text,
    fields text[] NOT NULL, prev_hash bytea NOT NULL, hash bytea NOT NULL)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-bench-g2-'));
  const script = path.join(dir, 'two-inserts.sql');
  fs.writeFileSync(script, SCRIPT);
  // each writer its own persons (no lock waits between writers on the same row), versions tracked (If-Match)
  const mine = Array.from({ length: CLIENTS }, (_, w) => d.personIds.filter((_, i) => i % CLIENTS === w));
  const cursor = new Array(CLIENTS).fill(0);
  const count = async (sql: string) => Number((await admin.query(sql)).rows[0].n);
  const api = { rps: [] as number[], p50: [] as number[], p99: [] as number[], errors: [] as number[] };
  const raw = { tps: [] as number[], latency: [] as number[] };
  let apiOk = 0;
  let rawTx = 0;
  const auditBefore = await count("SELECT count(*) AS n FROM audit_events WHERE action = 'person.update'");
  try {
    for (let rep = 0; rep < REPETITIONS; rep++) {
      const halas = async () => {
        const r = await load(
          d.appPort,
          (w) => {
            const list = mine[w]!;
            const id = list[cursor[w]++ % list.length]!;
            return {
              method: 'PATCH',
              path: `/api/persons/${id}`,
              headers: { ...browserHeaders(d.sessions[w]!, true), 'if-match': `"${d.versions.get(id)}"` },
              body: {
                trafficking: {
                  notes: `Update ${rep}-${cursor[w]}: worked without pay; debt to the recruiter.`,
                },
              },
              tag: id,
            };
          },
          {
            seconds: SECONDS,
            connections: CLIENTS,
            maxRequests: 50_000,
            onResponse: (_w, req, status, body) => {
              const b = body as { version?: number; currentVersion?: number } | undefined;
              if (status === 200 && b?.version) d.versions.set(req.tag!, b.version);
              else if (b?.currentVersion) d.versions.set(req.tag!, b.currentVersion);
            },
          },
        );
        api.rps.push(r.rps);
        api.p50.push(r.p50);
        api.p99.push(r.p99);
        api.errors.push(r.errors);
        apiOk += r.requests;
        if (r.errors > 0)
          log(`#   G2 API repetition ${rep + 1}: ${r.errors} errors ${JSON.stringify(r.statuses)}`);
      };
      const pgbench = async () => {
        const stdout = await runPgbench(d.url!, d.dbName!, script, CLIENTS, SECONDS);
        const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1]);
        const latency = Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]);
        rawTx += Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1] ?? 0);
        raw.tps.push(tps);
        raw.latency.push(latency);
      };
      if (rep % 2 === 0) {
        await halas();
        await pgbench();
      } else {
        await pgbench();
        await halas();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const auditAfter = await count("SELECT count(*) AS n FROM audit_events WHERE action = 'person.update'");
  const events = await count('SELECT count(*) AS n FROM bench_g2_events');
  const audits = await count('SELECT count(*) AS n FROM bench_g2_audit');
  log(
    `#   G2 row counts: API 2xx ${apiOk}, person.update audit events added ${auditAfter - auditBefore}; pgbench transactions ${rawTx}, rows ${events} + ${audits}`,
  );
  ctx.record(
    'G2',
    'PATCH /api/persons/:id (sealed class + audit), 8 clients: throughput',
    'req/s',
    'postgres',
    api.rps,
  );
  ctx.record('G2', 'PATCH /api/persons/:id, 8 clients: p50', 'ms', 'postgres', api.p50);
  ctx.record('G2', 'PATCH /api/persons/:id, 8 clients: p99 (goal ≤ 100 ms)', 'ms', 'postgres', api.p99);
  ctx.record('G2', 'PATCH /api/persons/:id, 8 clients: errors', 'count', 'postgres', api.errors);
  ctx.record(
    'G2',
    'pgbench -f two INSERTs in one transaction, 8 clients: throughput',
    'tx/s',
    'postgres',
    raw.tps,
  );
  ctx.record('G2', 'pgbench two INSERTs, 8 clients: latency average', 'ms', 'postgres', raw.latency);
  ctx.record(
    'G2',
    'ratio API writes ÷ raw two-insert transactions (goal ≥ 0.25)',
    'ratio',
    'postgres',
    api.rps.map((v, i) => v / raw.tps[i]!),
  );
  ctx.record('G2', 'audit events written ÷ API writes answered 2xx (must be 1)', 'ratio', 'postgres', [
    apiOk > 0 ? (auditAfter - auditBefore) / apiOk : 0,
  ]);
  ctx.record('G2', 'rows written ÷ (2 × pgbench transactions) (must be 1)', 'ratio', 'postgres', [
    rawTx > 0 ? (events + audits) / (2 * rawTx) : 0,
  ]);
};
