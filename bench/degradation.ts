/**
 * G37 bench arm (`npm run bench -- --only degradation`): on a throwaway PostgreSQL cluster (its own port,
 * loopback only), one Halas server process; the cluster is crashed (`pg_ctl stop -m immediate`), left down for
 * 2 s and started again, at least three times. Measured, never asserted: the time from the database being
 * back (`pg_ctl start -w` returned) to the first 2xx of an authenticated read from the same server process, the
 * same from the start command (includes crash recovery), and the slowest answer and the answers by status
 * while it was down. Every loop is bounded in time and requests; the server is stopped by its pid and the
 * cluster removed.
 *
 * The embedded engine has no arm here: its database runs inside the server process and cannot be down while
 * the process is up (test/platform/degradation.test.ts cuts its socket to cover the same code path).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/server/config/index.js';
import { openDatabase, runMigrations } from '../src/server/db/index.js';
import {
  freePort,
  type HalasProcess,
  killHard,
  request,
  seedOperator,
  spawnHalas,
  waitReady,
} from '../test/support/halas-process.js';
import { createPgCluster, type PgCluster } from '../test/support/pg-cluster.js';
import type { BenchArm } from './arm.js';

const REPETITIONS = 3;
const DOWN_MS = 2000;
/** Per repetition: the probe gives up after this long without a 2xx (recorded as such, never waited out). */
const MAX_WAIT_MS = 60_000;
const PROBE_GAP_MS = 20;

export const run: BenchArm = async (ctx) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-bench-degrade-'));
  let cluster: PgCluster | undefined;
  let server: HalasProcess | undefined;
  try {
    cluster = await createPgCluster();
    const c = new pg.Client({ connectionString: cluster.url() });
    await c.connect();
    await c.query('CREATE DATABASE halas');
    await c.end();
    const url = cluster.url('halas');
    const config = loadConfig({ NODE_ENV: 'development', DATABASE_URL: url, HALAS_DATA_DIR: dataDir });
    const db = await openDatabase(config);
    await runMigrations(db, config.migrationsDir);
    const operator = await seedOperator(db.pool);
    await db.close();
    server = spawnHalas(
      {
        DATABASE_URL: url,
        HALAS_DATA_DIR: dataDir,
        HALAS_MASTER_KEY: '',
        HALAS_MASTER_KEY_FILE: '',
        HALAS_MASTER_KEY_DIR: '',
        HALAS_BLIND_INDEX_KEY: '',
        HALAS_BLIND_INDEX_KEY_FILE: '',
      },
      await freePort(),
    );
    await waitReady(server);
    const port = server.port;
    const probe = () => request(port, 'GET', '/api/persons?limit=1', operator.cookie, undefined, 10_000);
    if ((await probe()).status !== 200) throw new Error('the authenticated probe does not answer 200');

    const fromBack: number[] = [];
    const fromStart: number[] = [];
    const slowestDown: number[] = [];
    const non503Down: number[] = [];
    const answersDown: number[] = [];
    for (let rep = 0; rep < REPETITIONS; rep++) {
      await cluster.stopAsync('immediate');
      // down: probe for DOWN_MS, every answer timed
      let slowest = 0;
      let bad = 0;
      let answers = 0;
      const downUntil = performance.now() + DOWN_MS;
      while (performance.now() < downUntil) {
        const r = await probe();
        answers++;
        slowest = Math.max(slowest, r.ms);
        if (r.status !== 503) bad++;
        await new Promise((res) => setTimeout(res, PROBE_GAP_MS));
      }
      slowestDown.push(slowest);
      non503Down.push(bad);
      answersDown.push(answers);
      // back: the start command, then probe until the first 2xx
      const startIssued = performance.now();
      const starting = cluster.startAsync();
      let back = Number.NaN;
      void starting.then(() => {
        back = performance.now();
      });
      let first = Number.NaN;
      while (performance.now() - startIssued < MAX_WAIT_MS) {
        const r = await probe();
        if (r.status >= 200 && r.status < 300) {
          first = performance.now(); // answered: the user sees the service back when the answer arrives
          break;
        }
        await new Promise((res) => setTimeout(res, PROBE_GAP_MS));
      }
      await starting;
      if (Number.isNaN(first)) {
        console.info(
          `# G37: no 2xx within ${MAX_WAIT_MS} ms after the database came back (recorded as that)`,
        );
        first = startIssued + MAX_WAIT_MS;
      }
      fromStart.push(first - startIssued);
      // pg_ctl -w polls readiness itself, so the first 2xx may even come before it returns: clamp at 0
      fromBack.push(Math.max(0, first - back));
    }
    ctx.record(
      'G37',
      'database back (pg_ctl start returned) → first 2xx, same server process',
      'ms',
      'postgres',
      fromBack,
    );
    ctx.record(
      'G37',
      'database start command → first 2xx (incl. crash recovery)',
      'ms',
      'postgres',
      fromStart,
    );
    ctx.record('G37', 'slowest answer while the database was down', 'ms', 'postgres', slowestDown);
    ctx.record('G37', 'answers other than 503 while the database was down', 'count', 'postgres', non503Down);
    ctx.record(
      'G37',
      'answers while the database was down (2 s, sequential probe)',
      'count',
      'postgres',
      answersDown,
    );
  } finally {
    if (server) await killHard(server);
    cluster?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
};
