/**
 * One deployment per engine, shared by the G1, G2, G9-ratio and G12 arms of a run: a fresh database filled
 * with the tier's synthetic national data (bench/synthetic), twenty bench users (case managers of the agency
 * that registered most persons) signed in through the API, and the bench server process (bench/server/child.ts)
 * serving the Halas application and the bare G1 route. Created on first use, stopped (by pid) and dropped
 * by `closeDeployments`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import { loadConfig, projectRoot } from '../../src/server/config/index.js';
import { type Engine, openDatabase, runMigrations } from '../../src/server/db/index.js';
import { generateTotp } from '../../src/server/features/auth/index.js';
import { keyringFromKeys } from '../../src/server/platform/crypto/index.js';
import type { Tier } from '../arm.js';
import { type GeneratedData, generate } from '../synthetic/generator.js';
import { stop } from './proc.js';

export const BENCH_SEED = 'halas-bench';
const BENCH_PASSWORD = 'Bench-Garagum-passphrase-2026';
export const BENCH_USERS = 20;

export interface Session {
  userId: string;
  cookie: string;
  origin: string;
}

export interface Deployment {
  engine: Engine;
  tier: Tier;
  child: ChildProcess;
  appPort: number;
  barePort: number;
  sessions: Session[];
  /** Persons the bench users may read and write (their agency's), with their current versions. */
  personIds: string[];
  versions: Map<string, number>;
  /** Search inputs: the duplicates' written names (typos and other-script spellings) with year and sex. */
  searches: Array<{ name: string; birthYear: number; sex: string }>;
  data: GeneratedData;
  generateSeconds: number;
  /** Server only: the bench database's name and a superuser pool on it (for pg_stat_activity, growth). */
  dbName?: string;
  admin?: pg.Pool;
  /** Server only: the database URL (pgbench, growth). */
  url?: string;
}

const deployments = new Map<Engine, Promise<Deployment>>();
const cleanups: Array<() => Promise<void>> = [];

export function deployment(
  engine: Engine,
  tier: Tier,
  pgUrl: string,
  log: (line: string) => void,
): Promise<Deployment> {
  let d = deployments.get(engine);
  if (!d) {
    d = create(engine, tier, pgUrl, log);
    deployments.set(engine, d);
  }
  return d;
}

/** Stops every bench server (by pid) and drops every bench database; safe to call twice. */
export async function closeDeployments(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => {});
  deployments.clear();
}

async function create(
  engine: Engine,
  tier: Tier,
  pgUrl: string,
  log: (line: string) => void,
): Promise<Deployment> {
  const keys = { kek: randomBytes(32), blind: randomBytes(32), secret: randomBytes(32) };
  const keyring = keyringFromKeys({
    keks: [['bench-1', keys.kek]],
    activeKekId: 'bench-1',
    blindIndexKey: keys.blind,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `halas-bench-${engine}-`));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HALAS_DATA_DIR: dir,
    HALAS_DEMO: 'false',
    HALAS_MASTER_KEY: keys.kek.toString('base64'),
    HALAS_MASTER_KEY_ID: 'bench-1',
    HALAS_BLIND_INDEX_KEY: keys.blind.toString('base64'),
    HALAS_SECRET_KEY: keys.secret.toString('base64'),
    HALAS_SESSION_IDLE_SECONDS: '7200',
    // the bulk-access brake still runs its query on every identity reveal; a bench user reads far more
    // distinct persons an hour than the default allows a person to
    HALAS_BULK_REVEALS_PER_HOUR: '100000',
  };
  let dbName: string | undefined;
  let url: string | undefined;
  if (engine === 'postgres') {
    dbName = `halas_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    });
    const u = new URL(pgUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
    env.DATABASE_URL = url;
  }
  const config = loadConfig({ ...env });
  // generate in this process (PGlite: one process per data folder; the server starts after)
  const db = await openDatabase(config);
  let data: GeneratedData;
  let personIds: string[];
  const versions = new Map<string, number>();
  let benchUserIds: string[];
  try {
    await runMigrations(db, config.migrationsDir);
    log(`#   ${engine}: generating tier ${tier} synthetic data (seed ${BENCH_SEED})`);
    data = await generate(db.pool, keyring, { tier, seed: BENCH_SEED, fast: true, log });
    log(`#   ${engine}: generated in ${(data.ms / 1000).toFixed(1)} s: ${JSON.stringify(data.counts)}`);
    const owners = new Map<string, number>();
    for (const p of data.persons) owners.set(p.ownerAgencyId, (owners.get(p.ownerAgencyId) ?? 0) + 1);
    const benchAgency = [...owners.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const passwordHash = await hash(BENCH_PASSWORD, { algorithm: 2, ...config.argon2 });
    benchUserIds = [];
    for (let i = 0; i < BENCH_USERS; i++) {
      const id = randomUUID();
      benchUserIds.push(id);
      await db.pool.query(
        `INSERT INTO users (id, username, display_name, locale, password_hash, password_changed_at)
         VALUES ($1, $2, $3, 'en', $4, now())`,
        [id, `bench-${String(i + 1).padStart(2, '0')}`, `Bench user ${i + 1}`, passwordHash],
      );
      await db.pool.query(
        `INSERT INTO memberships (user_id, agency_id, roles) VALUES ($1, $2, '{case_manager}')`,
        [id, benchAgency],
      );
    }
    const rows = await db.pool.query<{ id: string; version: number }>(
      'SELECT id, version FROM persons WHERE owner_agency_id = $1 ORDER BY id',
      [benchAgency],
    );
    personIds = rows.rows.map((r) => r.id);
    for (const r of rows.rows) versions.set(r.id, r.version);
  } finally {
    await db.close();
  }

  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'bench', 'server', 'child.ts')],
    {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  cleanups.push(() => stop(child));
  const ports = await new Promise<{ app: number; bare: number }>((resolve, reject) => {
    let buffer = '';
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`${engine} bench server did not start`)), 180_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (ready) return; // keep draining the pipe
      buffer += chunk.toString('utf8');
      for (const line of buffer.split('\n')) {
        if (!line.includes('"ready":true')) continue;
        ready = true;
        clearTimeout(timer);
        resolve(JSON.parse(line));
        return;
      }
    });
    child.once('exit', (code) => reject(new Error(`${engine} bench server exited (${code})`)));
  });
  const sessions: Session[] = [];
  for (let i = 0; i < BENCH_USERS; i++)
    sessions.push({
      userId: benchUserIds[i]!,
      cookie: await signIn(ports.app, `bench-${String(i + 1).padStart(2, '0')}`, BENCH_PASSWORD),
      origin: `http://127.0.0.1:${ports.app}`,
    });
  let admin: pg.Pool | undefined;
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    admin = pool;
    cleanups.push(() => pool.end());
  }
  return {
    engine,
    tier,
    child,
    appPort: ports.app,
    barePort: ports.bare,
    sessions,
    personIds,
    versions,
    searches: data.duplicates.map((d) => ({ name: d.names[0]!, birthYear: d.birthYear, sex: d.sex })),
    data,
    generateSeconds: data.ms / 1000,
    ...(dbName ? { dbName } : {}),
    ...(admin ? { admin } : {}),
    ...(url ? { url } : {}),
  };
}

/** Signs in through the API with password and TOTP enrolment (a user's first sign-in); returns the cookie. */
export async function signIn(port: number, username: string, password: string): Promise<string> {
  const post = async (url: string, body: unknown, cookie?: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${url}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: `http://127.0.0.1:${port}`,
        'x-halas-request': '1',
        'idempotency-key': randomUUID(),
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    const json = (await res.json()) as Record<string, string>;
    if (!res.ok) throw new Error(`sign-in ${url}: ${res.status} ${json.code}`);
    return { json, cookie: set ? set.split(';')[0]! : cookie };
  };
  const login = await post('/api/auth/login', { username, password });
  if (login.json.next === 'done') return login.cookie!;
  const start = await post('/api/auth/mfa/enrol/start', {}, login.cookie);
  const code = generateTotp(start.json.secret!, new Date());
  const finish = await post('/api/auth/mfa/enrol/finish', { code }, login.cookie);
  return finish.cookie!;
}

/** Headers of a same-origin request from the Halas pages with this session. */
export function browserHeaders(s: Session, write = false): Record<string, string> {
  return write
    ? { cookie: s.cookie, origin: s.origin, 'x-halas-request': '1', 'idempotency-key': randomUUID() }
    : { cookie: s.cookie };
}
