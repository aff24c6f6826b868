import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Config, loadConfig, projectRoot } from '../../src/server/config/index.js';
import { type Database, type Engine, openDatabase, runMigrations } from '../../src/server/db/index.js';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import { keyringFromKeys, keyUsage } from '../../src/server/platform/crypto/index.js';
import { createTestDatabase, ENGINES } from '../support/app.js';
import { insertAgency, readability, type SeededPerson, seedPersons } from './support.js';

/**
 * G21: `npm run keys:rotate` killed with SIGKILL at random points, then rerun, loses no record.
 *
 * Every run rotates to a new master key (k01, k02, …), so each one has every data key to rewrap and is killed
 * part-way through, at a random batch plus a random few milliseconds: rows end up spread over many master
 * keys, each run resuming from whatever the last one left. A final run completes; then every record must open
 * with only the last master key loaded. The default run stays near 30 s: 20 kill points on the PostgreSQL
 * server (production) and 10 on the embedded engine, whose every start costs about a second. DEEP=1: 50 points
 * on each, more persons, and every killed run is followed by a run to completion and a full check.
 */
const DEEP = Boolean(process.env.DEEP);
const POINTS_OF: Record<Engine, number> = { postgres: DEEP ? 50 : 20, embedded: DEEP ? 50 : 10 };
const PERSONS = DEEP ? 5_000 : 600;
const BATCH = DEEP ? 200 : 40;
const BATCHES = Math.ceil(PERSONS / BATCH);

const kekId = (i: number) => `k${String(i).padStart(2, '0')}`;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs the command-line tool as a child; with `killAtBatch`, SIGKILLs it after that many committed batches. */
function runRotation(env: Record<string, string>, killAtBatch?: number, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    // node itself (not a wrapper), so that the pid killed is the rotation's
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/server/cli/keys-rotate.ts', '--batch-size', String(BATCH), ...args],
      { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let batches = -1; // the "Rewrapping …" line counts as batch 0
    let armed = killAtBatch !== undefined;
    const onLine = (text: string) => {
      for (const line of text.split('\n')) {
        if (/^Rewrapping /.test(line) || / rewrapped$/.test(line)) batches++;
        if (armed && batches >= killAtBatch!) {
          armed = false;
          setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 6));
        }
      }
    };
    child.stdout!.on('data', (d) => {
      output += d;
      onLine(String(d));
    });
    child.stderr!.on('data', (d) => {
      output += d;
    });
    child.once('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

describe.concurrent.each(ENGINES)('key rotation killed with SIGKILL on %s (G21)', (engine: Engine) => {
  it(
    `loses no record after kill -9 at ${POINTS_OF[engine]} random points and a rerun`,
    async () => {
      const POINTS = POINTS_OF[engine];
      const MAX_RUNS = 2 * POINTS;
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-rotkill-'));
      const keysDir = path.join(tmp, 'keys');
      const sockets = path.join(tmp, 'sockets');
      fs.mkdirSync(keysDir, { mode: 0o700 });
      fs.mkdirSync(sockets, { mode: 0o700 });
      const keks = new Map<string, Buffer>();
      for (let i = 0; i <= MAX_RUNS; i++) keks.set(kekId(i), randomBytes(32));
      const blindIndexKey = randomBytes(32);
      for (const [id, key] of [...keks, ['blind-index', blindIndexKey] as const])
        fs.writeFileSync(path.join(keysDir, `${id}.key`), key.toString('base64'), { mode: 0o600 });
      const ring = (...ids: string[]) =>
        keyringFromKeys({
          keks: ids.map((id) => [id, keks.get(id)!] as const),
          activeKekId: ids[0]!,
          blindIndexKey,
        });
      const everyKey = (active: string) => ring(active, ...[...keks.keys()].filter((id) => id !== active));

      const env: Record<string, string> = {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HALAS_MASTER_KEY_DIR: keysDir,
        HALAS_MASTER_KEY: '',
        HALAS_MASTER_KEY_FILE: '',
        HALAS_BLIND_INDEX_KEY: '',
        HALAS_BLIND_INDEX_KEY_FILE: '',
        TMPDIR: sockets,
      };
      let config: Config;
      let db: Database | undefined;
      let drop = async () => {};
      // the embedded folder is opened by one process at a time: the test only while no child runs
      const open = async () => {
        if (!db) db = await openDatabase(config);
        return db;
      };
      const close = async () => {
        await db?.close();
        db = undefined;
      };
      try {
        if (engine === 'postgres') {
          const created = await createTestDatabase('postgres');
          db = created.db;
          config = created.config;
          drop = created.drop;
          env.DATABASE_URL = config.databaseUrl!;
          env.HALAS_DATA_DIR = path.join(tmp, 'unused');
        } else {
          env.DATABASE_URL = '';
          env.HALAS_DATA_DIR = path.join(tmp, 'data');
          config = loadConfig(env);
          await runMigrations(await open(), config.migrationsDir);
        }
        const pool = () => db!.pool;
        const agency = await insertAgency(pool());
        const people: SeededPerson[] = await seedPersons(pool(), ring(kekId(0)), agency, PERSONS);
        await close();

        const killed: number[] = [];
        let active = kekId(0);
        for (let i = 1; killed.length < POINTS; i++) {
          expect(i, 'runs that finished before their kill').toBeLessThanOrEqual(MAX_RUNS);
          active = kekId(i);
          const at = Math.floor(Math.random() * (BATCHES - 2));
          const run = await runRotation({ ...env, HALAS_MASTER_KEY_ACTIVE: active }, at);
          // a run that finished before the kill arrived (a busy test process reads its output late) is no kill
          // point, but it must have succeeded
          if (run.signal === 'SIGKILL') killed.push(at);
          else expect(run, `run ${i} neither killed nor successful`).toMatchObject({ code: 0 });
          if (engine === 'postgres' || DEEP) {
            // mid-rotation: every record still opens with the old and new keys loaded
            const usage = await keyUsage((await open()).pool, everyKey(active));
            expect(usage.every((u) => u.opens)).toBe(true);
            expect(usage.reduce((n, u) => n + u.count, 0)).toBe(PERSONS);
            expect((await readability(pool(), everyKey(active), people)).unreadable).toHaveLength(0);
            if (engine === 'embedded') await close();
          }
          if (DEEP) {
            const rerun = await runRotation({ ...env, HALAS_MASTER_KEY_ACTIVE: active });
            expect(rerun.code, rerun.output).toBe(0);
            expect((await readability((await open()).pool, ring(active), people)).unreadable).toHaveLength(0);
            if (engine === 'embedded') await close();
          }
        }
        // rerun to completion under the last active key
        const last = active;
        const final = await runRotation({ ...env, HALAS_MASTER_KEY_ACTIVE: last });
        expect(final.code, final.output).toBe(0);
        expect(final.output).toContain(
          `Done: all ${PERSONS} data keys are wrapped under master key '${last}'`,
        );
        expect(final.output).toMatch(/can now be retired/);

        // only the new master key loaded: unreadable records = 0
        const { pool: p } = await open();
        const check = await readability(p, ring(last), people);
        expect(check.unreadable).toHaveLength(0);
        expect(check.readable).toBe(PERSONS);
        expect(await keyUsage(p, ring(last))).toEqual([
          { kekId: last, count: PERSONS, loaded: true, opens: true },
        ]);
        expect(await verifyAuditChain(p)).toMatchObject({ ok: true });

        if (engine === 'postgres') {
          // the operator's other commands: --status changes nothing; --new-key creates a key and rotates to it
          const status = await runRotation(env, undefined, ['--status']);
          expect(status.code, status.output).toBe(0);
          expect(status.output).toContain(`${last}: ${PERSONS} data keys`);
          const fresh = await runRotation(env, undefined, ['--new-key']);
          expect(fresh.code, fresh.output).toBe(0);
          const created = /Created master key '([^']+)'/.exec(fresh.output)![1]!;
          const file = path.join(keysDir, `${created}.key`);
          expect(fs.statSync(file).mode & 0o777).toBe(0o600);
          expect(fresh.output).toContain(
            `Done: all ${PERSONS} data keys are wrapped under master key '${created}'`,
          );
          keks.set(created, Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'));
          expect((await readability(p, ring(created), people)).unreadable).toHaveLength(0);
        }
      } finally {
        await close();
        await drop();
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
    DEEP ? 3_600_000 : 600_000,
  );
});
