/**
 * `npm run bench`: measures and prints; asserts nothing about time. Each arm (bench/arm.ts) records figures;
 * every figure is one line of JSON (goal, metric, value, unit, engine, tier, repetitions, median, min, max,
 * and every repetition's value), and a readable summary follows. Header lines give the versions and the
 * machine; each arm is framed by the load average and the other busy processes before and after it (the
 * machine may be shared: repeat an arm that overlapped with foreign load). Loops are bounded in time and
 * requests, use loopback only, and stop what they started by pid.
 *
 *   npm run bench                              the default profile: tier S data, every arm below but the opt-in
 *                                              ones and proxy (G1-proxy, superseded by read)
 *   npm run bench -- --tier M                  tier M data (250,000 persons) instead
 *   npm run bench -- --only read,write         some arms: argon2 footprint proxy names read write soak
 *   npm run bench -- --only degradation        opt-in arms, when their files exist: degradation (G37),
 *                                              backup (G36), web (G10/G11)
 *   npm run bench -- --all                     every arm, opt-in ones included
 *
 * footprint and proxy run the built server (`npm run build` first); the others run from source.
 * HALAS_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test) is the loopback PostgreSQL server
 * on which arms create and drop their own databases.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { projectRoot } from '../src/server/config/index.js';
import type { BenchArm, BenchContext, Tier } from './arm.js';
import { closeDeployments } from './support/fixture.js';
import { load1, machineLoad, mainJs } from './support/proc.js';

interface ArmEntry {
  goal: string;
  /** Needs dist/ (the built server). */
  build: boolean;
  /** In the default profile (else only with --only or --all). */
  byDefault: boolean;
  load(): Promise<BenchArm | undefined>;
}

/** An arm written in its own file by another module (`export const run: BenchArm`), if the file exists. */
function optional(file: string): () => Promise<BenchArm | undefined> {
  return async () => {
    const full = path.join(projectRoot, 'bench', file);
    if (!fs.existsSync(full)) return undefined;
    return ((await import(pathToFileURL(full).href)) as { run: BenchArm }).run;
  };
}

const ARMS: Record<string, ArmEntry> = {
  argon2: {
    goal: 'G09',
    build: false,
    byDefault: true,
    load: async () => (await import('./arms/basic.js')).argon2,
  },
  footprint: {
    goal: 'G9',
    build: true,
    byDefault: true,
    load: async () => (await import('./arms/basic.js')).footprint,
  },
  proxy: {
    goal: 'G1-proxy',
    build: true,
    // superseded by the read arm (G1 on a real case read); kept for comparisons with earlier figures
    byDefault: false,
    load: async () => (await import('./arms/basic.js')).proxy,
  },
  names: {
    goal: 'G3',
    build: false,
    byDefault: true,
    load: async () => (await import('./arms/names.js')).run,
  },
  read: {
    goal: 'G1, G9',
    build: false,
    byDefault: true,
    load: async () => (await import('./arms/read.js')).run,
  },
  write: {
    goal: 'G2',
    build: false,
    byDefault: true,
    load: async () => (await import('./arms/write.js')).run,
  },
  soak: {
    goal: 'G12',
    build: false,
    byDefault: true,
    load: async () => (await import('./arms/soak.js')).run,
  },
  degradation: { goal: 'G37', build: true, byDefault: false, load: optional('degradation.ts') },
  backup: { goal: 'G36', build: true, byDefault: false, load: optional('backup.ts') },
  web: { goal: 'G10, G11', build: true, byDefault: false, load: optional('web.ts') },
};

const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const TIER = (flag('--tier') ?? 'S').toUpperCase() as Tier;
if (!['S', 'M', 'L'].includes(TIER)) {
  console.error('--tier S, M or L');
  process.exit(1);
}
const only = flag('--only')
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const name of only ?? [])
  if (!(name in ARMS)) {
    console.error(`unknown arm '${name}'; arms: ${Object.keys(ARMS).join(', ')}`);
    process.exit(1);
  }
const selected = Object.keys(ARMS).filter((name) =>
  only ? only.includes(name) : process.argv.includes('--all') || ARMS[name]!.byDefault,
);
if (selected.some((name) => ARMS[name]!.build) && !fs.existsSync(mainJs)) {
  console.error(
    `Build first (npm run build): ${selected.filter((n) => ARMS[n]!.build).join(', ')} run dist/`,
  );
  process.exit(1);
}
const PG_URL = process.env.HALAS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Figure {
  goal: string;
  metric: string;
  unit: string;
  engine: string;
  values: number[];
}
const figures: Figure[] = [];
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
const round = (n: number) => (Number.isInteger(n) ? n : Number(n.toPrecision(6)));
function record(goal: string, metric: string, unit: string, engine: string, values: number[]) {
  figures.push({ goal, metric, unit, engine, values });
  console.info(
    JSON.stringify({
      goal,
      metric,
      value: round(median(values)),
      unit,
      engine,
      tier: TIER,
      repetitions: values.length,
      median: round(median(values)),
      min: round(Math.min(...values)),
      max: round(Math.max(...values)),
      values: values.map(round),
      load1: Number(load1().toFixed(2)),
    }),
  );
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')[0]!;
  } catch {
    return 'not installed';
  }
}

const t0 = performance.now();
const started = new Date();
console.info(
  `# Halas bench — ${started.toISOString()} — npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
);
console.info(
  `# machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; tier ${TIER}; arms ${selected.join(', ')}`,
);
{
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const settings = await c.query(
    `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'shared_buffers', 'max_connections',
       'synchronous_commit', 'fsync', 'full_page_writes', 'wal_level', 'work_mem') ORDER BY name`,
  );
  await c.end();
  const s = Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]));
  const pkg = (name: string) =>
    JSON.parse(fs.readFileSync(path.join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')).version;
  console.info(
    `# versions: Node ${process.version}; PostgreSQL server ${s.server_version} (shared_buffers ${s.shared_buffers}×8kB, max_connections ${s.max_connections}, synchronous_commit ${s.synchronous_commit}, fsync ${s.fsync}, full_page_writes ${s.full_page_writes}, work_mem ${s.work_mem}kB); PGlite ${pkg('@electric-sql/pglite')}; Fastify ${pkg('fastify')}; pg ${pkg('pg')}; ${version('pgbench', ['--version'])}; Chromium: ${version('/usr/bin/chromium', ['--version'])}; load generator: bench/support/http.ts (node:http, closed loop)`,
  );
}
console.info(`# before: ${machineLoad()}`);

const ctx: BenchContext = { tier: TIER, pgUrl: PG_URL, record };
const onSignal = () => {
  void closeDeployments().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
const failed: string[] = [];
try {
  for (const name of selected) {
    const entry = ARMS[name]!;
    const arm = await entry.load();
    if (!arm) {
      console.info(`# arm ${name} (${entry.goal}): bench/${name}.ts does not exist yet; skipped`);
      continue;
    }
    const a0 = performance.now();
    console.info(`# arm ${name} (${entry.goal}) start: ${machineLoad()}`);
    try {
      await arm(ctx);
    } catch (error) {
      failed.push(name);
      console.info(`# arm ${name} FAILED: ${(error as Error).stack ?? error}`);
    }
    console.info(`# arm ${name} end (${((performance.now() - a0) / 1000).toFixed(0)} s): ${machineLoad()}`);
  }
} finally {
  await closeDeployments();
}

console.info(`# after: ${machineLoad()}`);
console.info(`\n# Summary (median [min–max]), tier ${TIER}`);
for (const f of figures) {
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(Math.abs(n) < 1 ? 3 : 2));
  console.info(
    `${f.goal.padEnd(9)} ${f.engine.padEnd(9)} ${f.metric}: ${fmt(median(f.values))} ${f.unit} [${fmt(Math.min(...f.values))}–${fmt(Math.max(...f.values))}]`,
  );
}
console.info(
  `# wall time ${((performance.now() - t0) / 1000).toFixed(0)} s${failed.length ? `; FAILED arms: ${failed.join(', ')}` : ''}`,
);
process.exit(failed.length > 0 ? 1 : 0);
