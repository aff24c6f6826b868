import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../src/server/app.js';
import type { Config } from '../../src/server/config/index.js';
import { DEFAULT_SCHEDULE, type RetentionConfig } from '../../src/server/config/retention.js';
import { openDatabase, runMigrations } from '../../src/server/db/index.js';
import {
  type ReapplyResult,
  reapplyErasureLedger,
} from '../../src/server/features/persons/erasure-ledger.js';
import { systemContext } from '../../src/server/platform/system-context.js';
import type { TestApp } from '../support/app.js';

/** Removes the folder of a test's ledger (testRetention). */
export function removeLedger(retention: RetentionConfig): void {
  fs.rmSync(path.dirname(path.dirname(retention.ledgerFile)), { recursive: true, force: true });
}

/** A retention configuration for a test: its own ledger file in a fresh folder, the timer off. */
export function testRetention(schedule = DEFAULT_SCHEDULE): RetentionConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-ledger-'));
  return {
    schedule,
    intervalMinutes: 0,
    ledgerFile: path.join(dir, 'erasure', 'ledger.jsonl'),
    source: 'test',
  };
}

/**
 * Starts the application again, as main.ts does, on the given database configuration with the keys, clock
 * and ledger of an earlier test app: migrations, then the erasure ledger re-applied, then the app built.
 * Returns the re-application's result (what had to be shredded again before any request was served).
 */
export async function restartLikeMain(
  before: TestApp,
  config: Config,
  drop: () => Promise<void> = async () => {},
): Promise<{ t: TestApp; reapplied: ReapplyResult }> {
  const db = await openDatabase(config);
  await runMigrations(db, config.migrationsDir);
  const deps = { ...before.deps, config, db };
  const reapplied = await reapplyErasureLedger(deps, systemContext(deps, 'restart'));
  const app = await buildApp(deps);
  const t: TestApp = {
    engine: before.engine,
    app,
    deps,
    clock: before.clock,
    admin: db.pool,
    async close() {
      await app.close();
      await db.close();
      await drop();
    },
  };
  return { t, reapplied };
}
