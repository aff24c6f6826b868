/**
 * The first arms of the bench (they need the build): G09 the argon2id hash at the production parameters; G9
 * the embedded default's first start, restart and idle RSS; G1-proxy an authenticated read (`/api/me`)
 * against the bare health route in the same server, on both engines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import { loadConfig } from '../../src/server/config/index.js';
import type { BenchArm } from '../arm.js';
import { signIn } from '../support/fixture.js';
import { load } from '../support/http.js';
import { demoComplete, rssMb, startMain, stop } from '../support/proc.js';

export const argon2: BenchArm = async ({ record }) => {
  const cfg = loadConfig({ NODE_ENV: 'production', HALAS_DATA_DIR: os.tmpdir() });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await hash('a benchmark passphrase of some length', { algorithm: 2, ...cfg.argon2 });
    times.push(performance.now() - t);
  }
  record('G09', 'argon2id hash (t=2, m=19 MiB)', 'ms', 'node', times);
};

export const footprint: BenchArm = async ({ record }) => {
  const first: number[] = [];
  const restart: number[] = [];
  const rss: number[] = [];
  const demo: number[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-bench-'));
    try {
      const a = await startMain({ HALAS_DATA_DIR: dir });
      first.push(a.ms);
      // the demo survivors are registered after the server listens
      if (await demoComplete(a)) demo.push(performance.now() - a.t0);
      await stop(a.child);
      const b = await startMain({ HALAS_DATA_DIR: dir });
      restart.push(b.ms);
      await new Promise((r) => setTimeout(r, 2000));
      rss.push(rssMb(b.child.pid!));
      await stop(b.child);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  record(
    'G9',
    'embedded first start to HTTP 200 (incl. migrations, demo agencies and users)',
    'ms',
    'embedded',
    first,
  );
  record(
    'G9',
    'embedded first start to demo data complete (80 survivors, after listening)',
    'ms',
    'embedded',
    demo,
  );
  record('G9', 'embedded restart to HTTP 200', 'ms', 'embedded', restart);
  record('G9', 'embedded idle RSS', 'MB', 'embedded', rss);
};

/**
 * Stack tax proxy: an authenticated read (session, access rule, zod, i18n) against the public health route,
 * interleaved A/B/A/B in the same server, 10 connections, 3 s per arm, 3 repetitions, on both engines.
 */
export const proxy: BenchArm = async ({ pgUrl, record }) => {
  for (const engine of ['embedded', 'postgres'] as const) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-bench-'));
    let dbName: string | undefined;
    const env: Record<string, string> = { HALAS_DATA_DIR: dir, HALAS_SESSION_IDLE_SECONDS: '3600' };
    if (engine === 'postgres') {
      dbName = `halas_bench_proxy_${process.pid}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${dbName}`);
      await admin.end();
      const url = new URL(pgUrl);
      url.pathname = `/${dbName}`;
      env.DATABASE_URL = url.toString();
      env.HALAS_DEMO = 'false';
    }
    let server: Awaited<ReturnType<typeof startMain>> | undefined;
    try {
      server = await startMain(env);
      // embedded: the demo survivors are registered in the background; measure once they are
      if (engine === 'embedded' && !(await demoComplete(server))) throw new Error('demo data not complete');
      if (engine === 'postgres') {
        // no demo data on a server: one auditor account, created directly
        const url = new URL(pgUrl);
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
      const cookie = await signIn(server.port, 'dpo', 'Garagum-desert-2026');
      const bare: number[] = [];
      const me: number[] = [];
      const meP99: number[] = [];
      for (let rep = 0; rep < 3; rep++) {
        bare.push(
          (await load(server.port, () => ({ path: '/api/health' }), { seconds: 3, connections: 10 })).rps,
        );
        const r = await load(server.port, () => ({ path: '/api/me', headers: { cookie } }), {
          seconds: 3,
          connections: 10,
        });
        me.push(r.rps);
        meP99.push(r.p99);
      }
      record('G1-proxy', 'GET /api/health (no session, no database)', 'req/s', engine, bare);
      record('G1-proxy', 'GET /api/me (session lookup + touch, memberships, zod, i18n)', 'req/s', engine, me);
      record('G1-proxy', 'GET /api/me p99 at 10 connections', 'ms', engine, meP99);
      record(
        'G1-proxy',
        'ratio /api/me ÷ /api/health',
        'ratio',
        engine,
        me.map((v, i) => v / bare[i]!),
      );
    } finally {
      if (server) await stop(server.child);
      fs.rmSync(dir, { recursive: true, force: true });
      if (dbName) {
        const admin = new pg.Client({ connectionString: pgUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
      }
    }
  }
};
