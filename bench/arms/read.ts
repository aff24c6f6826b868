/**
 * G1, stack tax on a record read, and G9's PGlite ÷ server ratio for it. There is no case module yet: the
 * person page stands in for the case read. Three arms per engine, interleaved (engine × arm, the order rotated
 * every repetition), 10 connections, random ids from the authorised set (the bench users' agency), tier data:
 *
 *   - reveal: GET /api/persons/:id/fields?classes=identity — what the person page does to show a survivor:
 *     session, access rule, scope predicate and consent basis, the bulk-access brake's query, the data key
 *     unwrapped, the identity class decrypted, a read-audit event in the hash chain, zod, i18n;
 *   - view: GET /api/persons/:id — the page's record header (no reveal, no audit event);
 *   - bare: a bare Fastify route in the same process doing the read's SELECT (row, identity envelope, wrapped
 *     key) through the same `pg` pool, no session, no audit, no decryption.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from '../../src/server/db/index.js';
import type { BenchArm, BenchContext } from '../arm.js';
import { Rng } from '../names/generator.js';
import { BARE_SQL } from '../server/sql.js';
import { browserHeaders, type Deployment, deployment } from '../support/fixture.js';
import { type LoadResult, load } from '../support/http.js';
import { runPgbench } from '../support/proc.js';

export const SECONDS = 4;
const REPETITIONS = 3;
const CONNECTIONS = 10;
const ARMS = ['bare', 'view', 'reveal'] as const;
type Arm = (typeof ARMS)[number];

/** One bounded load of an arm on a deployment (also used by G12's audit-growth comparison). */
export function readLoad(d: Deployment, arm: Arm, seconds: number, seed: string): Promise<LoadResult> {
  const rng = new Rng(seed);
  const id = () => d.personIds[rng.int(d.personIds.length)]!;
  return load(
    arm === 'bare' ? d.barePort : d.appPort,
    (worker) => {
      const s = d.sessions[worker % d.sessions.length]!;
      if (arm === 'bare') return { path: `/persons/${id()}` };
      if (arm === 'view') return { path: `/api/persons/${id()}`, headers: browserHeaders(s) };
      return { path: `/api/persons/${id()}/fields?classes=identity`, headers: browserHeaders(s) };
    },
    { seconds, connections: CONNECTIONS, maxRequests: 100_000 },
  );
}

/**
 * Context for G1 (performance.md: "also print the raw pgbench rate of the identical SQL"): the bare SELECT
 * run by pgbench (10 clients, simple protocol) on the server, the id drawn through a numbered copy of the
 * authorised ids (one more primary-key lookup).
 */
async function pgbenchRead(d: Deployment, seconds: number): Promise<number> {
  const admin = d.admin!;
  await admin.query('CREATE TABLE IF NOT EXISTS bench_g1_ids (n int PRIMARY KEY, id uuid NOT NULL)');
  await admin.query('TRUNCATE bench_g1_ids');
  await admin.query(
    'INSERT INTO bench_g1_ids SELECT ordinality::int, id FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id)',
    [d.personIds],
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-bench-g1-'));
  try {
    const script = path.join(dir, 'read.sql');
    fs.writeFileSync(
      script,
      `\\set n random(1, ${d.personIds.length})\n${BARE_SQL.replace('$1', '(SELECT id FROM bench_g1_ids WHERE n = :n)').replace(/\s+/g, ' ')};\n`,
    );
    const stdout = await runPgbench(d.url!, d.dbName!, script, 10, seconds);
    return Number(/tps = ([\d.]+)/.exec(stdout)?.[1]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const run: BenchArm = async (ctx: BenchContext) => {
  const engines: Engine[] = ['postgres', 'embedded'];
  const log = (line: string) => console.info(line);
  const deployments: Deployment[] = [];
  for (const engine of engines) deployments.push(await deployment(engine, ctx.tier, ctx.pgUrl, log));
  // warm both processes' code paths and caches
  for (const d of deployments) for (const arm of ARMS) await readLoad(d, arm, 1, `warm:${arm}`);
  const results = new Map<string, LoadResult[]>();
  const raw: number[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    raw.push(await pgbenchRead(deployments[0]!, 3));
    for (const d of deployments) {
      // rotate which arm goes first, so no arm always follows the same one
      const order = ARMS.map((_, i) => ARMS[(i + rep) % ARMS.length]!);
      for (const arm of order) {
        const r = await readLoad(d, arm, SECONDS, `g1:${rep}:${arm}`);
        const key = `${d.engine}:${arm}`;
        results.set(key, [...(results.get(key) ?? []), r]);
        if (r.errors > 0)
          log(`#   G1 ${key} repetition ${rep + 1}: ${r.errors} errors ${JSON.stringify(r.statuses)}`);
      }
    }
  }
  const label: Record<Arm, string> = {
    bare: 'bare Fastify + pg, same SELECT, same pool',
    view: 'GET /api/persons/:id',
    reveal: 'GET /api/persons/:id/fields?classes=identity (audited reveal)',
  };
  for (const d of deployments) {
    const get = (arm: Arm) => results.get(`${d.engine}:${arm}`)!;
    for (const arm of ARMS) {
      const r = get(arm);
      ctx.record(
        'G1',
        `${label[arm]}: throughput, 10 connections`,
        'req/s',
        d.engine,
        r.map((x) => x.rps),
      );
      ctx.record(
        'G1',
        `${label[arm]}: p50`,
        'ms',
        d.engine,
        r.map((x) => x.p50),
      );
      ctx.record(
        'G1',
        `${label[arm]}: p95`,
        'ms',
        d.engine,
        r.map((x) => x.p95),
      );
      ctx.record(
        'G1',
        `${label[arm]}: p99`,
        'ms',
        d.engine,
        r.map((x) => x.p99),
      );
      ctx.record(
        'G1',
        `${label[arm]}: errors`,
        'count',
        d.engine,
        r.map((x) => x.errors),
      );
    }
    const ratio = (a: Arm, b: Arm) => get(a).map((x, i) => x.rps / get(b)[i]!.rps);
    ctx.record(
      'G1',
      'ratio req/s audited reveal ÷ bare (goal ≥ 0.35)',
      'ratio',
      d.engine,
      ratio('reveal', 'bare'),
    );
    ctx.record('G1', 'ratio req/s record view ÷ bare', 'ratio', d.engine, ratio('view', 'bare'));
  }
  ctx.record(
    'G1',
    'context: pgbench, the bare SELECT, 10 clients (simple protocol)',
    'tx/s',
    'postgres',
    raw,
  );
  const [server, embedded] = engines as [Engine, Engine];
  const time = (engine: Engine, arm: Arm) => results.get(`${engine}:${arm}`)!;
  for (const arm of ['reveal', 'bare'] as const)
    ctx.record(
      'G9',
      `PGlite ÷ server p50 time, G1 ${arm === 'reveal' ? 'audited reveal' : 'bare read'} (goal ≤ 3)`,
      'ratio',
      'both',
      time(embedded, arm).map((x, i) => x.p50 / time(server, arm)[i]!.p50),
    );
};
