/**
 * G36 bench arm (`npm run bench -- --only backup`): on a small generated dataset, for each engine, the backup
 * duration and size (`npm run backup`) and the recovery time objective: from the start of `npm run restore`
 * into an empty folder or cluster to the first HTTP 200 of the restarted Halas (`/api/ready`). At least three
 * repetitions, bounded; every process it starts is stopped by its pid, every folder and cluster removed.
 *
 * The embedded backups are taken online (from the running server, through its backup channel). The
 * PostgreSQL arm runs on a throwaway cluster (test/support/pg-cluster.ts), not on ctx.pgUrl, because a base
 * backup needs a replication connection and the restore needs a data folder of its own.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/server/app.js';
import { loadConfig, projectRoot } from '../src/server/config/index.js';
import { openDatabase, runMigrations } from '../src/server/db/index.js';
import { DEMO_PASSWORD } from '../src/server/demo/data.js';
import { seedDemo } from '../src/server/demo/seed.js';
import { loadKeyring } from '../src/server/platform/crypto/index.js';
import { loadSecrets } from '../src/server/platform/secrets.js';
import { systemContext } from '../src/server/platform/system-context.js';
import { createPgCluster, type PgCluster } from '../test/support/pg-cluster.js';
import type { BenchArm, BenchContext } from './arm.js';

const REPETITIONS = 3;
const PERSONS = { S: 200, M: 1000, L: 2000 } as const;
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The built files when all are present (as operators run them), else the sources through tsx: never a mix. */
const BUILT = ['main', 'cli/backup', 'cli/restore'].every((rel) =>
  fs.existsSync(path.join(projectRoot, 'dist', 'server', `${rel}.js`)),
);
function entry(rel: string): string[] {
  return BUILT
    ? [path.join(projectRoot, 'dist', 'server', `${rel}.js`)]
    : ['--import', 'tsx', path.join(projectRoot, 'src', 'server', `${rel}.ts`)];
}

function runCli(name: 'backup' | 'restore', args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry(`cli/${name}`), ...args], {
      cwd: projectRoot,
      env: { ...process.env, NODE_ENV: 'development', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${name} exited with ${code}: ${out}`));
    });
  });
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const port = 30000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, entry('main'), {
    cwd: projectRoot,
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
  for (const until = Date.now() + 120_000; Date.now() < until; ) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { child, port };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('Halas did not become ready');
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Demo agencies and users, then `persons` registrations through the API (each encrypted and audited). */
async function generate(env: Record<string, string>, persons: number): Promise<void> {
  const config = { ...loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent', ...env }), demo: true };
  const db = await openDatabase(config);
  try {
    await runMigrations(db, config.migrationsDir);
    const deps = {
      config,
      db,
      secrets: loadSecrets({ base64: undefined, file: undefined, dataDir: config.dataDir }),
      keyring: loadKeyring(config),
      clock: () => new Date(),
    };
    await seedDemo(deps, systemContext(deps, randomUUID()));
    const app = await buildApp(deps);
    try {
      const headers = { host: 'localhost', origin: 'http://localhost', 'x-halas-request': '1' };
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers,
        payload: { username: 'hotline', password: DEMO_PASSWORD },
      });
      const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      for (let i = 0; i < persons; i++) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/persons',
          headers: { ...headers, cookie, 'idempotency-key': randomUUID() },
          payload: {
            sex: i % 2 ? 'female' : 'male',
            birthYear: 1980 + (i % 30),
            identity: { names: [{ value: `Bench Person ${i}`, kind: 'primary' }] },
          },
        });
        if (res.statusCode !== 201) throw new Error(`registration answered ${res.statusCode}`);
      }
    } finally {
      await app.close();
    }
  } finally {
    await db.close();
  }
}

async function embeddedArm(ctx: BenchContext, root: string): Promise<void> {
  const dataDir = path.join(root, 'embedded');
  const keyFile = path.join(root, 'backup.key');
  const keys = {
    HALAS_MASTER_KEY_DIR: path.join(dataDir, 'keys'),
    HALAS_SECRET_KEY_FILE: path.join(dataDir, 'keys', 'instance.key'),
  };
  await generate({ HALAS_DATA_DIR: dataDir }, PERSONS[ctx.tier]);
  const durations: number[] = [];
  const sizes: number[] = [];
  const files: string[] = [];
  const server = await startServer({ HALAS_DATA_DIR: dataDir });
  try {
    for (let i = 0; i < REPETITIONS; i++) {
      const file = path.join(root, `embedded-${i}.halas-backup`);
      const t = performance.now();
      await runCli('backup', ['--out', file], { HALAS_DATA_DIR: dataDir, HALAS_BACKUP_KEY_FILE: keyFile });
      durations.push(performance.now() - t);
      sizes.push(fs.statSync(file).size / 1024 / 1024);
      files.push(file);
    }
  } finally {
    await stop(server.child);
  }
  ctx.record('G36', 'backup duration (online)', 'ms', 'embedded', durations);
  ctx.record('G36', 'backup size (encrypted)', 'MiB', 'embedded', sizes);
  const rto: number[] = [];
  for (const [i, file] of files.entries()) {
    const target = path.join(root, `embedded-restored-${i}`);
    const t = performance.now();
    await runCli('restore', ['--file', file, '--data-dir', target], { HALAS_BACKUP_KEY_FILE: keyFile });
    const restored = await startServer({ HALAS_DATA_DIR: target, ...keys });
    rto.push(performance.now() - t);
    await stop(restored.child);
    fs.rmSync(target, { recursive: true, force: true });
  }
  ctx.record('G36', 'RTO: restore to first HTTP 200', 'ms', 'embedded', rto);
}

async function postgresArm(ctx: BenchContext, root: string, clusters: PgCluster[]): Promise<void> {
  const source = await createPgCluster();
  clusters.push(source);
  execFileSync(
    process.execPath,
    [
      '-e',
      `const pg=require('pg');const c=new pg.Client(${JSON.stringify(source.url())});c.connect().then(()=>c.query('CREATE DATABASE halas')).then(()=>c.end())`,
    ],
    { cwd: projectRoot },
  );
  const dataDir = path.join(root, 'server-data');
  const keyFile = path.join(root, 'backup.key');
  const env = { DATABASE_URL: source.url('halas'), HALAS_DATA_DIR: dataDir };
  await generate(env, PERSONS[ctx.tier]);
  const durations: number[] = [];
  const sizes: number[] = [];
  const files: string[] = [];
  for (let i = 0; i < REPETITIONS; i++) {
    const file = path.join(root, `server-${i}.halas-backup`);
    const t = performance.now();
    await runCli('backup', ['--out', file], { ...env, HALAS_BACKUP_KEY_FILE: keyFile });
    durations.push(performance.now() - t);
    sizes.push(fs.statSync(file).size / 1024 / 1024);
    files.push(file);
  }
  ctx.record('G36', 'backup duration (pg_basebackup + verify)', 'ms', 'postgres', durations);
  ctx.record('G36', 'backup size (encrypted)', 'MiB', 'postgres', sizes);
  source.stop();
  const rto: number[] = [];
  for (const file of files) {
    const target = await createPgCluster();
    clusters.push(target);
    target.stop();
    fs.rmSync(target.dataDir, { recursive: true, force: true });
    const t = performance.now();
    await runCli('restore', ['--file', file, '--pg-data-dir', target.dataDir], {
      HALAS_BACKUP_KEY_FILE: keyFile,
    });
    if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', target.dataDir]);
    target.start();
    const restored = await startServer({ DATABASE_URL: target.url('halas'), HALAS_DATA_DIR: dataDir });
    rto.push(performance.now() - t);
    await stop(restored.child);
    target.destroy();
  }
  ctx.record('G36', 'RTO: restore to first HTTP 200', 'ms', 'postgres', rto);
}

export const run: BenchArm = async (ctx) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-bench-backup-'));
  const clusters: PgCluster[] = [];
  try {
    await embeddedArm(ctx, root);
    await postgresArm(ctx, root, clusters);
  } finally {
    for (const c of clusters) {
      try {
        c.destroy();
      } catch {
        // already gone
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
};
