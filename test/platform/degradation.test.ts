import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, type AppDeps, buildApp } from '../../src/server/app.js';
import { type Config, loadConfig } from '../../src/server/config/index.js';
import { type Database, openDatabase, runMigrations } from '../../src/server/db/index.js';
import { keyringForTests } from '../../src/server/platform/crypto/index.js';
import { secretsFromKey } from '../../src/server/platform/secrets.js';
import {
  isDatabaseUnavailable,
  RETRY_AFTER_SECONDS,
  unavailableReason,
} from '../../src/server/platform/unavailable.js';
import { serverMessage } from '../../src/shared/i18n/server/index.js';
import { type Operator, personBody, seedOperator } from '../support/halas-process.js';
import { SAME_ORIGIN } from '../support/http.js';
import { createPgCluster, type PgCluster } from '../support/pg-cluster.js';

/**
 * G37: with the database unreachable, API calls answer 503 + Retry-After with a localized body, within a
 * bounded time, never a non-503 5xx and never a hang; the same process serves again once the database is back.
 * Server arm: a throwaway PostgreSQL cluster stopped (immediate, then fast) and started mid-run. Embedded arm:
 * the engine runs inside the process and cannot go away on its own, so the outage is its socket server cut and
 * restored (every pooled connection dropped, new ones refused), which drives the same pool and error paths.
 */

/** A request that takes longer than this counts as hung (timeouts are 2 s; the bound leaves room for CI). */
const HUNG_MS = 10_000;
const LOCALES = ['tk', 'ru', 'en'] as const;

interface Outcome {
  at: number;
  phase: 'before' | 'down' | 'after';
  method: string;
  status: number;
  ms: number;
  retryAfter: string | undefined;
  body: { code?: string; message?: string } | string;
  locale: (typeof LOCALES)[number];
}

async function appOn(config: Config, db: Database): Promise<{ app: App; deps: AppDeps }> {
  const deps: AppDeps = {
    config,
    db,
    secrets: secretsFromKey(randomBytes(32)),
    keyring: keyringForTests(),
    clock: () => new Date(),
  };
  return { app: await buildApp(deps), deps };
}

/**
 * Authenticated reads and writes from `workers` clients until `stopWhen` says so (bounded by `maxMs`); every
 * request is raced against HUNG_MS so that a hang is counted, not waited for.
 */
async function loadLoop(
  app: App,
  operator: Operator,
  phase: () => Outcome['phase'],
  stopWhen: (outcomes: Outcome[]) => boolean,
  maxMs: number,
  workers = 4,
): Promise<{ outcomes: Outcome[]; hung: number }> {
  const outcomes: Outcome[] = [];
  let hung = 0;
  const t0 = performance.now();
  let n = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() - t0 < maxMs && !stopWhen(outcomes)) {
        const i = n++;
        const locale = LOCALES[i % 3]!;
        // one writer and readers: enough to prove both paths; concurrent person writes contend on the audit
        // chain head, which is a different matter (retries, 40001) from availability
        const write = w === 0;
        const started = performance.now();
        const at = started - t0;
        const current = phase();
        const inject = app.inject({
          method: write ? 'POST' : 'GET',
          url: write ? '/api/persons' : '/api/persons?limit=5',
          headers: {
            ...SAME_ORIGIN,
            cookie: operator.cookie,
            'accept-language': locale,
            ...(write ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() } : {}),
          },
          ...(write ? { payload: JSON.stringify(personBody(`w${w}i${i}`)) } : {}),
        });
        const res = await Promise.race([
          inject,
          new Promise<null>((r) => setTimeout(() => r(null), HUNG_MS).unref()),
        ]);
        if (res === null) {
          hung++;
          continue;
        }
        let body: Outcome['body'] = res.body;
        try {
          body = JSON.parse(res.body);
        } catch {
          // not JSON: kept as text, and the assertions below will say so
        }
        outcomes.push({
          at,
          phase: current,
          method: write ? 'POST' : 'GET',
          status: res.statusCode,
          ms: performance.now() - started,
          retryAfter: res.headers['retry-after'] as string | undefined,
          body,
          locale,
        });
        // a client that was told to retry later waits a little, as the web shell does
        if (res.statusCode === 503) await new Promise((r) => setTimeout(r, 50));
      }
    }),
  );
  return { outcomes, hung };
}

/** Enough answers after the restart: ten successes, among them a write. */
const resumed = (outcomes: Outcome[]) => {
  const after = outcomes.filter((o) => o.phase === 'after' && o.status < 300);
  return after.length >= 10 && after.some((o) => o.method === 'POST');
};

function checkOutcomes(outcomes: Outcome[], hung: number) {
  expect(hung, 'requests that did not complete within the bound').toBe(0);
  const bad = outcomes.filter((o) => o.status >= 500 && o.status !== 503);
  expect(bad, 'non-503 server errors').toEqual([]);
  // every answer is a success or a 503; nothing else is expected of a valid, authorised request
  const other = outcomes.filter((o) => !(o.status < 300 || o.status === 503));
  expect(other.slice(0, 3).map((o) => ({ method: o.method, status: o.status, body: o.body }))).toEqual([]);
  for (const o of outcomes.filter((x) => x.status === 503)) {
    expect(o.retryAfter).toBe(String(RETRY_AFTER_SECONDS));
    // in the caller's language: Accept-Language, or the account's language (en) when the session was read
    // before the database went
    expect(o.body).toMatchObject({ code: 'service_unavailable' });
    expect(([o.locale, 'en'] as const).map((l) => serverMessage(l, 'error.service_unavailable'))).toContain(
      (o.body as { message?: string }).message,
    );
    expect(JSON.stringify(o.body)).not.toMatch(/ECONN|terminat|timeout|at .*\.ts|postgres/i);
  }
  expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(HUNG_MS);
}

function summary(name: string, outcomes: Outcome[]) {
  const by = (phase: Outcome['phase']) => {
    const counts: Record<string, number> = {};
    for (const o of outcomes.filter((x) => x.phase === phase)) counts[o.status] = (counts[o.status] ?? 0) + 1;
    return JSON.stringify(counts);
  };
  const max = Math.max(...outcomes.map((o) => o.ms));
  console.info(
    `[G37 ${name}] before ${by('before')}, down ${by('down')}, after ${by('after')}; slowest ${max.toFixed(0)} ms`,
  );
}

describe('database unavailable on a PostgreSQL server (G37)', () => {
  let cluster: PgCluster | undefined;
  let db: Database | undefined;
  let app: App | undefined;
  let operator: Operator;
  let dataDir = '';

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-degrade-'));
    cluster = await createPgCluster();
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE halas');
    await admin.end();
    const config = loadConfig({
      NODE_ENV: 'test',
      HALAS_DB_CONNECT_TIMEOUT_MS: '2000',
      HALAS_DB_STATEMENT_TIMEOUT_MS: '2000',
      DATABASE_URL: cluster.url('halas'),
      HALAS_DATA_DIR: dataDir,
      LOG_LEVEL: process.env.DEBUG_G37 ? 'warn' : 'silent',
    });
    db = await openDatabase(config);
    await runMigrations(db, config.migrationsDir);
    operator = await seedOperator(db.pool);
    app = (await appOn(config, db)).app;
  }, 120_000);

  afterAll(async () => {
    await app?.close().catch(() => {});
    await db?.close().catch(() => {});
    cluster?.destroy();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('configures the 2 s connect and statement timeouts on the pool', async () => {
    const { rows } = await db!.pool.query('SHOW statement_timeout');
    expect(rows[0].statement_timeout).toBe('2s');
    // a statement over the limit is cancelled by the server and classed as "unavailable" (503), not a bug
    const slow = await db!.pool.query('SELECT pg_sleep(3)').then(
      () => null,
      (error: unknown) => error,
    );
    expect((slow as { code?: string }).code).toBe('57014');
    expect(isDatabaseUnavailable(slow)).toBe(true);
  });

  for (const mode of ['immediate', 'fast'] as const) {
    it(`answers 2xx or 503 + Retry-After while the server is stopped (${mode}) and resumes in the same process`, async () => {
      let phase: Outcome['phase'] = 'before';
      let upAt = Number.POSITIVE_INFINITY;
      let stoppedAt = Number.POSITIVE_INFINITY;
      let startingAt = Number.POSITIVE_INFINITY;
      const t0 = performance.now();
      const run = loadLoop(
        app!,
        operator,
        () => phase,
        // stop after 2xx answers following the restart (or the time bound)
        resumed,
        40_000,
      );
      const outage = (async () => {
        await new Promise((r) => setTimeout(r, 1500));
        phase = 'down';
        await cluster!.stopAsync(mode);
        stoppedAt = performance.now() - t0;
        // readiness tells a load balancer the same
        const ready = await app!.inject({ method: 'GET', url: '/api/ready' });
        expect(ready.statusCode).toBe(503);
        expect(ready.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
        expect((await app!.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
        await new Promise((r) => setTimeout(r, 3000));
        startingAt = performance.now() - t0; // the server may answer before pg_ctl says it is up
        await cluster!.startAsync();
        upAt = performance.now() - t0;
        phase = 'after';
      })();
      const [{ outcomes, hung }] = await Promise.all([run, outage]);
      summary(`server, stop ${mode}`, outcomes);
      checkOutcomes(outcomes, hung);
      expect(outcomes.some((o) => o.phase === 'before' && o.status < 300)).toBe(true);
      // requests sent once the server was down were refused with 503, not queued until it came back (a
      // loaded machine can take a while to stop it, so the window starts when the stop has completed)
      const down = outcomes.filter((o) => o.at > stoppedAt && o.at + o.ms < startingAt);
      expect(down.length).toBeGreaterThan(0);
      expect(down.filter((o) => o.status !== 503)).toEqual([]);
      expect(down.some((o) => o.method === 'POST') && down.some((o) => o.method === 'GET')).toBe(true);
      // the same process (no restart, same app) serves reads and writes again
      const after = outcomes.filter((o) => o.phase === 'after' && o.status < 300);
      expect(after.some((o) => o.method === 'POST' && o.status === 201)).toBe(true);
      expect(after.some((o) => o.method === 'GET' && o.status === 200)).toBe(true);
      // and soon: the first success sent after the server was up again came within the pool's retry bound
      const firstBack = Math.min(...after.filter((o) => o.at >= upAt).map((o) => o.at + o.ms));
      expect(firstBack - upAt).toBeLessThan(15_000);
      expect((await app!.inject({ method: 'GET', url: '/api/ready' })).statusCode).toBe(200);
    }, 90_000);
  }

  it('answers 503 when every pooled connection is taken (pool exhaustion), after the connect timeout', async () => {
    const held: pg.PoolClient[] = [];
    try {
      for (let i = 0; i < 10; i++) held.push(await db!.pool.connect());
      const t = performance.now();
      const res = await app!.inject({
        method: 'GET',
        url: '/api/persons?limit=5',
        headers: { ...SAME_ORIGIN, cookie: operator.cookie, 'accept-language': 'ru' },
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
      expect(res.json()).toMatchObject({ message: serverMessage('ru', 'error.service_unavailable') });
      expect(performance.now() - t).toBeGreaterThanOrEqual(1900); // it waited for the 2 s timeout, then gave up
    } finally {
      for (const c of held) c.release();
    }
    const again = await app!.inject({
      method: 'GET',
      url: '/api/persons?limit=5',
      headers: { ...SAME_ORIGIN, cookie: operator.cookie },
    });
    expect(again.statusCode).toBe(200);
  }, 30_000);

  it('classes real driver errors: connection refused, admin shutdown, terminated connection as unavailable; others not', async () => {
    const refused = await new pg.Client({ host: '127.0.0.1', port: await closedPort() }).connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect((refused as { code?: string }).code).toBe('ECONNREFUSED');
    expect(isDatabaseUnavailable(refused)).toBe(true);

    // 57P01: our backend terminated by an administrator
    const victim = new pg.Client({ connectionString: cluster!.url('halas') });
    victim.on('error', () => {});
    await victim.connect();
    const pid = (await victim.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const sleeping = victim.query('SELECT pg_sleep(5)').then(
      () => null,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 200));
    await db!.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    const terminated = await sleeping;
    expect((terminated as { code?: string }).code).toBe('57P01');
    expect(isDatabaseUnavailable(terminated)).toBe(true);
    const afterwards = await victim.query('SELECT 1').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(afterwards)).toBe(true); // "not queryable" on the dead connection
    await victim.end().catch(() => {});

    // wrapped by an ORM (cause chain), and a timeout waiting for a connection
    expect(isDatabaseUnavailable(new Error('Failed query: SELECT 1', { cause: refused }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    // what the log line says: the code or the driver's fixed words, never the query or its parameters
    const wrapped = new Error("Failed query: SELECT … params: 'Aýna'", {
      cause: new Error('Connection terminated unexpectedly'),
    });
    expect(unavailableReason(wrapped)).toBe('Connection terminated');
    expect(unavailableReason(new Error('Failed query: … Aýna', { cause: refused }))).toBe('ECONNREFUSED');
    expect(unavailableReason(terminated)).toBe('57P01');

    // bugs and bad input stay 500/4xx: syntax error, unique violation, a missing file
    const syntax = await db!.pool.query('SELEC 1').then(
      () => null,
      (e: unknown) => e,
    );
    expect((syntax as { code?: string }).code).toBe('42601');
    expect(isDatabaseUnavailable(syntax)).toBe(false);
    const unique = await db!.pool
      .query(`INSERT INTO agencies (id, code, type, name) SELECT id, code, type, name FROM agencies LIMIT 1`)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect((unique as { code?: string }).code).toBe('23505');
    expect(isDatabaseUnavailable(unique)).toBe(false);
    const missing = await fs.promises.readFile(path.join(dataDir, 'no-such-file')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(missing)).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  }, 30_000);
});

async function closedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as import('node:net').AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('database unavailable on the embedded engine (G37)', () => {
  let db: Database | undefined;
  let app: App | undefined;
  let operator: Operator;

  beforeAll(async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      HALAS_DEMO: 'false',
      HALAS_DB_CONNECT_TIMEOUT_MS: '2000',
      HALAS_DB_STATEMENT_TIMEOUT_MS: '2000',
      LOG_LEVEL: process.env.DEBUG_G37 ? 'warn' : 'silent',
    });
    db = await openDatabase(config, { inMemory: true });
    await runMigrations(db, config.migrationsDir);
    operator = await seedOperator(db.pool);
    app = (await appOn(config, db)).app;
  }, 120_000);

  afterAll(async () => {
    await app?.close().catch(() => {});
    await db?.close().catch(() => {});
  });

  it('answers 2xx or 503 + Retry-After while its socket is cut, and resumes in the same process', async () => {
    const socket = db!.embedded!.socket;
    let phase: Outcome['phase'] = 'before';
    let downAt = 0;
    let upAt = Number.POSITIVE_INFINITY;
    const t0 = performance.now();
    const run = loadLoop(app!, operator, () => phase, resumed, 40_000);
    const outage = (async () => {
      await new Promise((r) => setTimeout(r, 1500));
      downAt = performance.now() - t0;
      phase = 'down';
      await socket.stop();
      await new Promise((r) => setTimeout(r, 2000));
      await socket.start();
      upAt = performance.now() - t0;
      phase = 'after';
    })();
    const [{ outcomes, hung }] = await Promise.all([run, outage]);
    summary('embedded, socket cut', outcomes);
    checkOutcomes(outcomes, hung);
    const down = outcomes.filter((o) => o.at > downAt + 300 && o.at + o.ms < upAt);
    expect(down.length).toBeGreaterThan(0);
    expect(down.every((o) => o.status === 503)).toBe(true);
    const after = outcomes.filter((o) => o.phase === 'after' && o.status < 300);
    expect(after.some((o) => o.method === 'POST' && o.status === 201)).toBe(true);
  }, 90_000);
});

describe('event-loop overload (G37)', () => {
  let db: Database | undefined;
  let app: App | undefined;

  beforeAll(async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      HALAS_DEMO: 'false',
      HALAS_MAX_EVENT_LOOP_DELAY_MS: '100',
    });
    db = await openDatabase(config, { inMemory: true });
    await runMigrations(db, config.migrationsDir);
    app = (await appOn(config, db)).app;
  }, 120_000);

  afterAll(async () => {
    await app?.close().catch(() => {});
    await db?.close().catch(() => {});
  });

  it('answers 503 + Retry-After (localized) while the event loop lags, keeps /api/health alive, then recovers', async () => {
    const meta = () => app!.inject({ method: 'GET', url: '/api/meta', headers: { 'accept-language': 'tk' } });
    // settle: one full sample without load
    await new Promise((r) => setTimeout(r, 1200));
    expect((await meta()).statusCode).toBe(200);
    // overload: for 3 s the loop runs 250 ms of synchronous work between two turns
    let hogging = true;
    const hog = (async () => {
      const end = Date.now() + 3000;
      while (hogging && Date.now() < end) {
        const slice = Date.now() + 250;
        while (Date.now() < slice) {
          // busy
        }
        await new Promise((r) => setTimeout(r, 0));
      }
    })();
    await new Promise((r) => setTimeout(r, 2200)); // two samples into the overload
    const busy = await meta();
    const ready = await app!.inject({ method: 'GET', url: '/api/ready' });
    const health = await app!.inject({ method: 'GET', url: '/api/health' });
    hogging = false;
    await hog;
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
    expect(busy.json()).toMatchObject({
      code: 'service_unavailable',
      message: serverMessage('tk', 'error.service_unavailable'),
    });
    expect(ready.statusCode).toBe(503);
    expect(health.statusCode).toBe(200);
    // two quiet samples later it serves again
    await new Promise((r) => setTimeout(r, 2200));
    expect((await meta()).statusCode).toBe(200);
  }, 30_000);
});
