/**
 * G3 arm of the bench: fuzzy, cross-script person search through blind-index tokens against the naive
 * plaintext trigram baseline of performance.md §4.1, on the same synthetic population, in the same run,
 * interleaved, on both engines.
 *
 *   tsx bench/names/run.ts [--tier S|M] [--engine postgres|embedded] [--seconds 6] [--queries 1000]
 *   npm run bench -- --tier M          (the whole bench, this arm at tier M)
 *
 * Tier S: 10,000 persons; tier M: 250,000. The population is generated (seeded) and bulk-loaded into a fresh
 * database (server: a database created and dropped here; embedded: PGlite in a temp folder). The baseline's
 * plaintext names live only in a scratch table of that bench database (on the embedded engine, in a second
 * PGlite with pg_trgm, which the product's embedded engine does not load). Every loop is bounded in time
 * and requests; everything started here is stopped here.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { loadConfig } from '../../src/server/config/index.js';
import { type Database, type Engine, openDatabase, runMigrations } from '../../src/server/db/index.js';
import {
  type BlindIndex,
  CommonTokens,
  type SearchStats,
  searchPersons,
} from '../../src/server/features/persons/search/index.js';
import { withTx } from '../../src/server/platform/tx.js';
import {
  generatePersons,
  generateQueries,
  identicalNames,
  inventorySummary,
  isAmbiguous,
  type NameQuery,
  Rng,
} from './generator.js';
import { insertAgency, loadPlaintext, loadPopulation, memoHmac, NAIVE_SQL } from './load.js';

export type Tier = 'S' | 'M';
export const TIER_PERSONS: Record<Tier, number> = { S: 10_000, M: 250_000 };

export type RecordFn = (goal: string, metric: string, unit: string, engine: string, values: number[]) => void;

export interface NamesBenchOptions {
  tier: Tier;
  pgUrl: string;
  record: RecordFn;
  engines?: Engine[];
  seed?: string;
  /** Queries of each kind (one typo, other script). Default 1000. */
  queriesPerKind?: number;
  /** Seconds per latency arm. Default 6. */
  armSeconds?: number;
  repetitions?: number;
  /** Time budget of the baseline in the recall pass (it is slow at tier M). Default 90 s. */
  baselineRecallSeconds?: number;
  log?: (line: string) => void;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
function quantile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** The 1-minute load average, printed before each arm (performance.md §7: the machine may be shared). */
const loadAverage = () => `load ${os.loadavg()[0]!.toFixed(2)}`;

interface Arms {
  product(q: NameQuery, stats?: (s: SearchStats) => void): Promise<string[]>;
  naive(q: NameQuery): Promise<string[]>;
}

interface EngineSetup {
  engine: Engine;
  agencyId: string;
  arms: Arms;
  /** Superuser access for loading (no statement timeout). */
  loader: pg.PoolClient;
  baseline: pg.Pool;
  sizes(): Promise<{ tokensMb: number; plainMb: number }>;
  close(): Promise<void>;
}

/** A PGlite with pg_trgm behind a private unix socket, for the baseline's scratch table. */
async function startTrigramPglite(dir: string) {
  const pglite = await PGlite.create(path.join(dir, 'trgm'), { extensions: { pg_trgm } });
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-trgm-'));
  fs.chmodSync(socketDir, 0o700);
  const server = new PGLiteSocketServer({
    db: pglite,
    path: path.join(socketDir, '.s.PGSQL.5432'),
    maxConnections: 8,
  });
  await server.start();
  const pool = new pg.Pool({ host: socketDir, port: 5432, user: 'postgres', database: 'postgres', max: 4 });
  pool.on('error', () => {});
  return {
    pool,
    async stop() {
      await pool.end();
      await server.stop();
      await pglite.close();
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

async function setUp(engine: Engine, pgUrl: string, hmac: BlindIndex, tier: Tier): Promise<EngineSetup> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-names-bench-'));
  const cleanups: Array<() => Promise<void>> = [async () => fs.rmSync(dir, { recursive: true, force: true })];
  try {
    let db: Database;
    let baseline: pg.Pool;
    let loader: pg.PoolClient;
    if (engine === 'postgres') {
      const dbName = `halas_names_${tier.toLowerCase()}_${process.pid}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${dbName}`);
      await admin.end();
      cleanups.unshift(async () => {
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await c.end();
      });
      const url = new URL(pgUrl);
      url.pathname = `/${dbName}`;
      const cfg = loadConfig({ NODE_ENV: 'development', DATABASE_URL: url.toString(), HALAS_DATA_DIR: dir });
      db = await openDatabase(cfg);
      cleanups.unshift(() => db.close());
      await runMigrations(db, cfg.migrationsDir);
      const loaderPool = new pg.Pool({ connectionString: url.toString(), max: 1 });
      cleanups.unshift(() => loaderPool.end());
      loader = await loaderPool.connect();
      cleanups.unshift(async () => loader.release());
      baseline = db.pool;
    } else {
      const cfg = loadConfig({ NODE_ENV: 'development', HALAS_DATA_DIR: dir, HALAS_DEMO: 'false' });
      db = await openDatabase(cfg);
      cleanups.unshift(() => db.close());
      await runMigrations(db, cfg.migrationsDir);
      loader = await db.pool.connect();
      cleanups.unshift(async () => loader.release());
      const trgm = await startTrigramPglite(dir);
      cleanups.unshift(() => trgm.stop());
      baseline = trgm.pool;
    }
    const agencyId = await insertAgency(loader, 'names-bench');
    const actor = {
      userId: randomUUID(),
      memberships: [
        {
          id: randomUUID(),
          agencyId,
          agencyCode: 'names-bench',
          agencyName: { tk: 'b', ru: 'b', en: 'b' },
          agencyType: 'ngo' as const,
          roles: [],
        },
      ],
    };
    // a fresh cache of common tokens per engine: each engine's run starts cold
    const common = new CommonTokens();
    const close = async () => {
      for (const c of cleanups) await c().catch(() => {});
    };
    const arms: Arms = {
      async product(q, stats) {
        const hits = await withTx(
          db.pool,
          actor,
          (tx) =>
            searchPersons(tx, hmac, { name: q.name, birthYear: q.birthYear, sex: q.sex }, 10, {
              commonTokens: common,
              ...(stats ? { onStats: stats } : {}),
            }),
          { readOnly: true },
        );
        return hits.map((h) => h.personId);
      },
      async naive(q) {
        // the same transaction shape as the product arm (server: the runtime role; embedded: the
        // baseline's own PGlite)
        if (engine === 'postgres') {
          const rows = await withTx(db.pool, actor, (tx) => tx.query(NAIVE_SQL, [q.name, 10]), {
            readOnly: true,
          });
          return rows.rows.map((r) => r.person_id as string);
        }
        const c = await baseline.connect();
        try {
          await c.query('BEGIN READ ONLY');
          const rows = await c.query(NAIVE_SQL, [q.name, 10]);
          await c.query('COMMIT');
          return rows.rows.map((r) => r.person_id as string);
        } finally {
          c.release();
        }
      },
    };
    return {
      engine,
      arms,
      loader,
      baseline,
      async sizes() {
        const mb = async (pool: Pick<pg.Pool, 'query'>, table: string) =>
          Number((await pool.query(`SELECT pg_total_relation_size('${table}') AS s`)).rows[0].s) / 2 ** 20;
        return {
          tokensMb: await mb(loader, 'person_name_tokens'),
          plainMb: await mb(baseline, 'bench_plain_names'),
        };
      },
      close,
      agencyId,
    };
  } catch (error) {
    for (const c of cleanups) await c().catch(() => {});
    throw error;
  }
}

/** A closed loop of `workers` searchers over the query list for `seconds` (or `maxRequests`). */
async function loadArm(
  run: (q: NameQuery) => Promise<unknown>,
  queries: NameQuery[],
  offset: number,
  seconds: number,
  workers: number,
  maxRequests = 5000,
) {
  const latencies: number[] = [];
  let next = offset;
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < until && latencies.length + errors < maxRequests) {
        const q = queries[next++ % queries.length]!;
        const t = performance.now();
        try {
          await run(q);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    n: latencies.length,
    errors,
    seconds,
  };
}

export async function runNamesBench(options: NamesBenchOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.info(line));
  const tier = options.tier;
  const engines = options.engines ?? ['postgres', 'embedded'];
  const seed = options.seed ?? 'halas-g3';
  const perKind = options.queriesPerKind ?? 1000;
  const armSeconds = options.armSeconds ?? 6;
  const reps = options.repetitions ?? 3;
  const persons = generatePersons(TIER_PERSONS[tier], seed);
  const queries = generateQueries(persons, seed, { typo: perKind, translit: perKind });
  // one interleaved order of both kinds, the same for every arm
  const rng = new Rng(`order:${seed}`);
  const order = [...queries];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const key = randomBytes(32);
  // loading keys millions of repeated values (memoised); searches key theirs every time, as the product does
  const loadHmac = memoHmac(key);
  const hmac: BlindIndex = (value) => createHmac('sha256', key).update(value, 'utf8').digest();
  const T = `G3 tier ${tier}`;
  const sameName = identicalNames(persons);
  const ambiguous = { typo: 0, translit: 0 };
  for (const q of queries) if (isAmbiguous(sameName, persons[q.targetIndex]!, q)) ambiguous[q.kind]++;
  log(`# ${inventorySummary()}`);
  log(
    `# queries no ranker can answer (≥ 10 others with the same name and an equally close birth year): one typo ${ambiguous.typo}/${perKind}, other script ${ambiguous.translit}/${perKind}`,
  );
  log(
    `# ${T}: ${persons.length} persons (${persons.reduce((n, p) => n + p.names.length, 0)} names), ${perKind} one-typo + ${perKind} other-script queries, seed ${seed}; ${loadAverage()}`,
  );
  for (const engine of engines) {
    const setup = await setUp(engine, options.pgUrl, hmac, tier);
    // interrupted: drop the bench database, stop PGlite, remove the temp folder, then exit
    const onSignal = () => {
      void setup.close().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const t0 = performance.now();
      let lastLog = t0;
      const stats = await loadPopulation(setup.loader, loadHmac, setup.agencyId, persons, {
        fast: true,
        batchPersons: 5000,
        onProgress: (done) => {
          if (performance.now() - lastLog > 30_000) {
            lastLog = performance.now();
            log(`#   ${engine}: loaded ${done} persons (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
          }
        },
      });
      const plainMs = await loadPlaintext(
        setup.baseline,
        persons,
        engine === 'postgres' ? 'halas_app' : undefined,
      );
      const sizes = await setup.sizes();
      options.record(T, 'load: persons + tokens (batched INSERT … unnest, indexes rebuilt)', 's', engine, [
        stats.ms / 1000,
      ]);
      options.record(T, 'load: baseline plaintext + trigram index', 's', engine, [plainMs / 1000]);
      options.record(T, 'tokens per person', 'tokens', engine, [stats.tokens / stats.persons]);
      options.record(T, 'person_name_tokens size (table + indexes)', 'MB', engine, [sizes.tokensMb]);
      options.record(T, 'baseline plaintext table + trigram index size', 'MB', engine, [sizes.plainMb]);

      // Recall pass: every query through the product; the baseline interleaved (A/B, alternating which goes
      // first) until its time budget is spent. Also warms both.
      log(`#   ${engine}: recall pass (${loadAverage()})`);
      const hit = {
        product: { typo: 0, translit: 0 },
        naive: { typo: 0, translit: 0 },
        // the product on the very queries the baseline answered (its budget may stop it early)
        paired: { typo: 0, translit: 0 },
      };
      const count = { product: { typo: 0, translit: 0 }, naive: { typo: 0, translit: 0 } };
      let recovered = 0;
      let capped = 0;
      const baselineUntil = performance.now() + (options.baselineRecallSeconds ?? 90) * 1000;
      for (let i = 0; i < order.length; i++) {
        const q = order[i]!;
        let productHit = false;
        let naiveRan = false;
        const runProduct = async () => {
          const ids = await setup.arms.product(q, (s) => {
            if (s.capped > 0) capped++;
            if (s.recoveryTokens > 0) recovered++;
          });
          count.product[q.kind]++;
          productHit = ids.includes(q.targetId);
          if (productHit) hit.product[q.kind]++;
        };
        const runNaive = async () => {
          if (performance.now() > baselineUntil) return;
          const ids = await setup.arms.naive(q);
          naiveRan = true;
          count.naive[q.kind]++;
          if (ids.includes(q.targetId)) hit.naive[q.kind]++;
        };
        if (i % 2 === 0) {
          await runProduct();
          await runNaive();
        } else {
          await runNaive();
          await runProduct();
        }
        if (naiveRan && productHit) hit.paired[q.kind]++;
      }
      for (const kind of ['typo', 'translit'] as const) {
        const label = kind === 'typo' ? 'one typo' : 'other script';
        options.record(
          T,
          `recall@10 ${label}: blind-index search (n=${count.product[kind]})`,
          'ratio',
          engine,
          [hit.product[kind] / count.product[kind]],
        );
        options.record(T, `recall@10 ${label}: naive trigram (n=${count.naive[kind]})`, 'ratio', engine, [
          count.naive[kind] ? hit.naive[kind] / count.naive[kind] : 0,
        ]);
        options.record(
          T,
          `recall@10 ${label}: blind-index search on the baseline's ${count.naive[kind]} queries`,
          'ratio',
          engine,
          [count.naive[kind] ? hit.paired[kind] / count.naive[kind] : 0],
        );
      }
      for (const kind of ['typo', 'translit'] as const)
        options.record(
          T,
          `recall@10 ceiling ${kind === 'typo' ? 'one typo' : 'other script'} (same name, equally close year ×10)`,
          'ratio',
          engine,
          [1 - ambiguous[kind] / perKind],
        );
      options.record(T, 'share of searches with too-common tokens', 'ratio', engine, [capped / order.length]);
      options.record(T, 'share of searches that ran the typo-recovery statement', 'ratio', engine, [
        recovered / order.length,
      ]);

      // Latency: 1 and 2 concurrent searchers, product and baseline interleaved A/B/A/B, `reps` times.
      for (const workers of [1, 2]) {
        const product = { p50: [] as number[], p95: [] as number[], qps: [] as number[] };
        const naive = { p50: [] as number[], p95: [] as number[], qps: [] as number[] };
        const ratio: number[] = [];
        for (let rep = 0; rep < reps; rep++) {
          const offset = (rep * 397 + workers * 101) % order.length;
          log(`#   ${engine}: ${workers} searcher(s), repetition ${rep + 1} (${loadAverage()})`);
          const a = await loadArm((q) => setup.arms.product(q), order, offset, armSeconds, workers);
          const b = await loadArm((q) => setup.arms.naive(q), order, offset, armSeconds, workers);
          product.p50.push(a.p50);
          product.p95.push(a.p95);
          product.qps.push(a.n / a.seconds);
          naive.p50.push(b.p50);
          naive.p95.push(b.p95);
          naive.qps.push(b.n / b.seconds);
          ratio.push(a.p95 / b.p95);
          if (a.errors || b.errors) log(`#   errors: product ${a.errors}, naive ${b.errors}`);
        }
        const c = `${workers} searcher${workers > 1 ? 's' : ''}`;
        options.record(T, `p50 blind-index search, ${c}`, 'ms', engine, product.p50);
        options.record(T, `p95 blind-index search, ${c}`, 'ms', engine, product.p95);
        options.record(T, `p50 naive trigram, ${c}`, 'ms', engine, naive.p50);
        options.record(T, `p95 naive trigram, ${c}`, 'ms', engine, naive.p95);
        options.record(T, `throughput blind-index search, ${c}`, 'q/s', engine, product.qps);
        options.record(T, `throughput naive trigram, ${c}`, 'q/s', engine, naive.qps);
        options.record(T, `ratio p95 blind-index ÷ naive, ${c} (goal ≤ 0.4)`, 'ratio', engine, ratio);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await setup.close();
    }
  }
}

// Standalone: tsx bench/names/run.ts [--tier S|M] [--engine postgres|embedded]
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const tier = (arg('--tier') ?? 'S').toUpperCase() as Tier;
  if (!(tier in TIER_PERSONS)) throw new Error('--tier S or M');
  const engine = arg('--engine') as Engine | undefined;
  const figures: Array<{ goal: string; metric: string; unit: string; engine: string; values: number[] }> = [];
  const record: RecordFn = (goal, metric, unit, eng, values) => {
    figures.push({ goal, metric, unit, engine: eng, values });
    console.info(
      JSON.stringify({
        goal,
        metric,
        value: median(values),
        unit,
        engine: eng,
        repetitions: values.length,
        median: median(values),
        min: Math.min(...values),
        max: Math.max(...values),
      }),
    );
  };
  const pgUrl = process.env.HALAS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  console.info(
    `# Halas names bench — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores`,
  );
  const seconds = arg('--seconds');
  const perKind = arg('--queries');
  await runNamesBench({
    tier,
    pgUrl,
    record,
    ...(engine ? { engines: [engine] } : {}),
    ...(seconds ? { armSeconds: Number(seconds) } : {}),
    ...(perKind ? { queriesPerKind: Number(perKind) } : {}),
  });
  console.info('\n# Summary (median [min–max])');
  for (const f of figures) {
    const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(Math.abs(n) < 1 ? 3 : 2));
    console.info(
      `${f.goal.padEnd(10)} ${f.engine.padEnd(9)} ${f.metric}: ${fmt(median(f.values))} ${f.unit} [${fmt(Math.min(...f.values))}–${fmt(Math.max(...f.values))}]`,
    );
  }
}
