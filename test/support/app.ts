import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { type App, type AppDeps, buildApp } from '../../src/server/app.js';
import { type Config, loadConfig } from '../../src/server/config/index.js';
import { type Database, type Engine, openDatabase, runMigrations } from '../../src/server/db/index.js';
import { keyringForTests } from '../../src/server/platform/crypto/index.js';
import { secretsFromKey } from '../../src/server/platform/secrets.js';

export const ENGINES: Engine[] = ['embedded', 'postgres'];

export class FakeClock {
  constructor(public current = new Date('2026-03-01T09:00:00.000Z')) {}
  now = () => new Date(this.current.getTime());
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestApp {
  engine: Engine;
  app: App;
  deps: AppDeps;
  clock: FakeClock;
  /** A superuser connection for assertions (bypasses the runtime role; never used by the app). */
  admin: pg.Pool;
  close(): Promise<void>;
}

/** A fresh, migrated database on the given engine. */
export async function createTestDatabase(
  engine: Engine,
  options: { dataDir?: string } = {},
): Promise<{ db: Database; config: Config; drop(): Promise<void> }> {
  if (engine === 'embedded') {
    const config = loadConfig({
      NODE_ENV: 'test',
      HALAS_DEMO: 'false',
      ...(options.dataDir ? { HALAS_DATA_DIR: options.dataDir } : {}),
    });
    const db = await openDatabase(config, { inMemory: !options.dataDir });
    await runMigrations(db, config.migrationsDir);
    return { db, config, drop: async () => {} };
  }
  const adminUrl = inject('pgAdminUrl');
  const name = `halas_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url.toString() });
  const db = await openDatabase(config);
  return {
    db,
    config,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestAppOptions {
  /** Embedded only: a file-backed data folder instead of memory. */
  dataDir?: string;
  /** Where the application's log lines go (tests that scan logs). */
  logStream?: NodeJS.WritableStream;
}

export async function createTestApp(
  engine: Engine,
  overrides: Partial<Config> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const { db, config, drop } = await createTestDatabase(engine, { dataDir: options.dataDir });
  const clock = new FakeClock();
  // Person files go to a fresh folder per test app, never into the project's data folder.
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-files-'));
  const deps: AppDeps = {
    config: { ...config, filesDir, ...overrides },
    db,
    secrets: secretsFromKey(randomBytes(32)),
    keyring: keyringForTests(),
    clock: clock.now,
    ...(options.logStream ? { logStream: options.logStream } : {}),
  };
  const app = await buildApp(deps);
  return {
    engine,
    app,
    deps,
    clock,
    admin: db.pool,
    async close() {
      await app.close();
      await db.close();
      await drop();
      fs.rmSync(filesDir, { recursive: true, force: true });
    },
  };
}
