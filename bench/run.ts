/**
 * `npm run bench`: measures and prints; asserts nothing about time. Each line of JSON is one figure
 * (goal, metric, value, unit, engine, repetitions, median, min, max); a readable summary follows.
 * Loops are bounded in time and requests, use loopback only, and stop what they started by pid.
 *
 *   npm run bench                        every arm, G3 name search at tier S (10,000 persons)
 *   npm run bench -- --tier M            G3 name search at tier M (250,000 persons) instead
 *   npm run bench -- --only names        only the G3 name-search arm (no build needed)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import { loadConfig, projectRoot } from '../src/server/config/index.js';
import { generateTotp } from '../src/server/features/auth/index.js';
import { runNamesBench, TIER_PERSONS, type Tier } from './names/run.js';

const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const TIER = (flag('--tier') ?? 'S').toUpperCase() as Tier;
if (!(TIER in TIER_PERSONS)) {
  console.error('--tier S or M');
  process.exit(1);
}
/** `--only names` runs one arm; the others need the build ('server'). */
const ONLY = flag('--only');
const runs = (arm: 'server' | 'names') => !ONLY || ONLY === arm;

interface Figure {
  goal: string;
  metric: string;
  unit: string;
  engine: string;
  values: number[];
}
const figures: Figure[] = [];
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
function record(goal: string, metric: string, unit: string, engine: string, values: number[]) {
  const f = { goal, metric, unit, engine, values };
  figures.push(f);
  console.info(
    JSON.stringify({
      goal,
      metric,
      value: median(values),
      unit,
      engine,
      repetitions: values.length,
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
    }),
  );
}

const PG_URL = process.env.HALAS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const mainJs = path.join(projectRoot, 'dist', 'server', 'main.js');
if (runs('server') && !fs.existsSync(mainJs)) {
  console.error('Build first: npm run build');
  process.exit(1);
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function startServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; ms: number }> {
  const port = 30000 + Math.floor(Math.random() * 20000);
  const t0 = performance.now();
  const child = spawn(process.execPath, [mainJs], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: 'ignore',
  });
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, port, ms: performance.now() - t0 };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}
async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** A bounded closed-loop load: `connections` workers for `seconds` or `maxRequests`, keep-alive. */
async function load(
  port: number,
  pathName: string,
  headers: Record<string, string>,
  seconds: number,
  connections: number,
  maxRequests = 200_000,
) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      const req = http.request({ host: '127.0.0.1', port, path: pathName, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          latencies.push(performance.now() - t);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until && latencies.length + errors < maxRequests) await one();
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { rps: latencies.length / seconds, p50: q(0.5), p95: q(0.95), p99: q(0.99), errors };
}

/** Signs in through the API, enrolling the second factor when the account needs it. */
async function signIn(port: number): Promise<string> {
  const post = async (url: string, body: unknown, cookie?: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${url}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: `http://127.0.0.1:${port}`,
        'x-halas-request': '1',
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    return { json: (await res.json()) as Record<string, string>, cookie: set ? set.split(';')[0]! : cookie };
  };
  const login = await post('/api/auth/login', { username: 'dpo', password: 'Garagum-desert-2026' });
  if (login.json.next === 'done') return login.cookie!;
  const start = await post('/api/auth/mfa/enrol/start', {}, login.cookie);
  const code = generateTotp(start.json.secret!, new Date());
  const finish = await post('/api/auth/mfa/enrol/finish', { code }, login.cookie);
  return finish.cookie!;
}

console.info(
  `# Halas bench — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}`,
);
{
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const v = await c.query('SHOW server_version');
  await c.end();
  const pglite = JSON.parse(
    fs.readFileSync(path.join(projectRoot, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
  ).version;
  console.info(`# PostgreSQL server ${v.rows[0].server_version}, PGlite ${pglite}`);
}

// G09: the real argon2id hash time at the production parameters.
if (runs('server')) {
  const cfg = loadConfig({ NODE_ENV: 'production', HALAS_DATA_DIR: os.tmpdir() });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await hash('a benchmark passphrase of some length', { algorithm: 2, ...cfg.argon2 });
    times.push(performance.now() - t);
  }
  record('G09', 'argon2id hash (t=2, m=19 MiB)', 'ms', 'node', times);
}

// G9: embedded first start, restart, idle RSS.
if (runs('server')) {
  const first: number[] = [];
  const restart: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-bench-'));
    const a = await startServer({ HALAS_DATA_DIR: dir });
    first.push(a.ms);
    await stop(a.child);
    const b = await startServer({ HALAS_DATA_DIR: dir });
    restart.push(b.ms);
    await new Promise((r) => setTimeout(r, 2000));
    rss.push(rssMb(b.child.pid!));
    await stop(b.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  record('G9', 'embedded first start to HTTP 200 (incl. migrations, demo data)', 'ms', 'embedded', first);
  record('G9', 'embedded restart to HTTP 200', 'ms', 'embedded', restart);
  record('G9', 'embedded idle RSS', 'MB', 'embedded', rss);
}

// Stack tax: an authenticated read (session, access rule, zod, i18n) against the public health route,
// interleaved A/B/A/B in the same server, 10 connections, 5 s per arm, 3 repetitions, on both engines.
for (const engine of runs('server') ? (['embedded', 'postgres'] as const) : []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-bench-'));
  let dbName: string | undefined;
  const env: Record<string, string> = { HALAS_DATA_DIR: dir, HALAS_SESSION_IDLE_SECONDS: '3600' };
  if (engine === 'postgres') {
    dbName = `halas_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(PG_URL);
    url.pathname = `/${dbName}`;
    env.DATABASE_URL = url.toString();
    env.HALAS_DEMO = 'false';
  }
  const server = await startServer(env);
  try {
    if (engine === 'postgres') {
      // no demo data on a server: one auditor account, created directly
      const url = new URL(PG_URL);
      url.pathname = `/${dbName}`;
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      const ag = await c.query(
        `INSERT INTO agencies (code, type, name) VALUES ('bench', 'nrm_secretariat', '{"tk":"b","ru":"b","en":"b"}') RETURNING id`,
      );
      const h = await hash('Garagum-desert-2026', {
        algorithm: 2,
        memoryCost: 19456,
        timeCost: 2,
        parallelism: 1,
      });
      const u = await c.query(
        `INSERT INTO users (username, display_name, password_hash) VALUES ('dpo', 'Bench', $1) RETURNING id`,
        [h],
      );
      await c.query(`INSERT INTO memberships (user_id, agency_id, roles) VALUES ($1, $2, '{dpo}')`, [
        u.rows[0].id,
        ag.rows[0].id,
      ]);
      await c.end();
    }
    const cookie = await signIn(server.port);
    const bare: number[] = [];
    const me: number[] = [];
    const meP99: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      bare.push((await load(server.port, '/api/health', {}, 5, 10)).rps);
      if (cookie) {
        const r = await load(server.port, '/api/me', { cookie }, 5, 10);
        me.push(r.rps);
        meP99.push(r.p99);
      }
    }
    record('G1-proxy', 'GET /api/health (no session, no database)', 'req/s', engine, bare);
    if (cookie) {
      record('G1-proxy', 'GET /api/me (session lookup + touch, memberships, zod, i18n)', 'req/s', engine, me);
      record('G1-proxy', 'GET /api/me p99 at 10 connections', 'ms', engine, meP99);
      record(
        'G1-proxy',
        'ratio /api/me ÷ /api/health',
        'ratio',
        engine,
        me.map((v, i) => v / bare[i]!),
      );
    }
  } finally {
    await stop(server.child);
    fs.rmSync(dir, { recursive: true, force: true });
    if (dbName) {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  }
}

// G3: fuzzy, cross-script person search through blind-index tokens against the naive trigram baseline, on
// both engines, at the chosen tier.
if (runs('names')) await runNamesBench({ tier: TIER, pgUrl: PG_URL, record });

console.info('\n# Summary (median [min–max])');
for (const f of figures) {
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(Math.abs(n) < 1 ? 3 : 2));
  console.info(
    `${f.goal.padEnd(9)} ${f.engine.padEnd(9)} ${f.metric}: ${fmt(median(f.values))} ${f.unit} [${fmt(Math.min(...f.values))}–${fmt(Math.max(...f.values))}]`,
  );
}
