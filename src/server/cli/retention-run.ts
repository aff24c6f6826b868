import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/index.js';
import { openDatabase, runMigrations } from '../db/index.js';
import { LedgerError } from '../features/persons/erasure-ledger.js';
import { runRetention } from '../features/persons/retention.js';
import { systemContext } from '../platform/system-context.js';
import { cliFail } from './shared.js';

/**
 * `npm run retention:run`: applies the retention schedule once (the server also runs it every
 * HALAS_RETENTION_INTERVAL_MINUTES). On the embedded engine it opens the data folder itself, so run it while
 * Halas is stopped; on a PostgreSQL server, any time.
 *
 *   --dry-run   print how many persons would be erased and how many parts cleared; change nothing
 */
const persons = (n: number) => `${n} ${n === 1 ? 'person' : 'persons'}`;
const USAGE = 'Usage: npm run retention:run [-- --dry-run]';

let args: { 'dry-run'?: boolean };
try {
  args = parseArgs({ options: { 'dry-run': { type: 'boolean' } } }).values;
} catch (error) {
  cliFail(`${(error as Error).message}\n${USAGE}`);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) cliFail(error.message);
  throw error;
}
const db = await openDatabase(config).catch((error: Error) =>
  cliFail(`Cannot open the database: ${error.message}`),
);
try {
  await runMigrations(db, config.migrationsDir);
  const deps = { config, db, clock: () => new Date() };
  const dryRun = args['dry-run'] ?? false;
  const r = await runRetention(deps, systemContext(deps, randomUUID()), { dryRun });
  const cleared = Object.entries(r.cleared)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  console.info(
    `${dryRun ? 'Dry run, nothing changed. Would erase' : 'Erased'} ${persons(r.shredded)}; ${dryRun ? 'would clear' : 'cleared'} expired classes of others (${cleared}); ${persons(r.examined)} examined (schedule: ${config.retention.source}).`,
  );
  if (r.ledger)
    console.info(
      `Erasure ledger: ${r.ledger.reshredded} re-applied, ${r.ledger.recleared} re-cleared, ${r.ledger.appended} reconciled into ${config.retention.ledgerFile}.`,
    );
} catch (error) {
  console.error(
    error instanceof LedgerError ? error.message : `The retention run stopped: ${(error as Error).message}`,
  );
  process.exitCode = 1;
} finally {
  await db.close();
}
