/**
 * Fills an empty Halas database with synthetic national data (bench/synthetic/generator.ts).
 *
 *   npx tsx bench/synthetic/cli.ts --tier S --database-url postgres://…/halas_demo --data-dir ./keys-of-that-instance
 *   npm run synthetic -- --tier S --data-dir ./data-synthetic --demo     (then HALAS_DATA_DIR=./data-synthetic npm start)
 *
 * The database is migrated first and must hold no agencies. Keys come from the usual configuration (the data
 * folder's keys/ unless HALAS_MASTER_KEY… and HALAS_BLIND_INDEX_KEY… are set), so the instance started on the
 * same folder or URL with the same keys reads what was written. With --demo every generated user gets the demo
 * password and is a demo account (the second factor is skipped while the instance runs in demo mode).
 * Add --audit-growth N to append N more read events to the chain afterwards.
 */
import { hash } from '@node-rs/argon2';
import { loadConfig } from '../../src/server/config/index.js';
import { openDatabase, runMigrations } from '../../src/server/db/index.js';
import { DEMO_PASSWORD } from '../../src/server/demo/data.js';
import { loadKeyring } from '../../src/server/platform/crypto/index.js';
import { appendAuditEvents, type DataTier, generate, TIERS } from './generator.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const tier = (arg('--tier') ?? 'S').toUpperCase() as DataTier;
if (!(tier in TIERS)) throw new Error('--tier XS, S, M or L');
const databaseUrl = arg('--database-url');
const dataDir = arg('--data-dir');
// the keys: the data folder's keys/ (created if missing) unless they are given in the environment
if (
  !dataDir &&
  !(process.env.HALAS_MASTER_KEY || process.env.HALAS_MASTER_KEY_FILE || process.env.HALAS_MASTER_KEY_DIR)
)
  throw new Error(
    '--data-dir DIR (embedded database and keys), or --database-url URL with --data-dir or HALAS_MASTER_KEY…',
  );
const config = loadConfig({
  ...process.env,
  NODE_ENV: 'development',
  ...(dataDir ? { HALAS_DATA_DIR: dataDir } : {}),
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
});
const demo = process.argv.includes('--demo');
const db = await openDatabase(config);
try {
  await runMigrations(db, config.migrationsDir);
  const keyring = loadKeyring(config);
  const passwordHash = demo ? await hash(DEMO_PASSWORD, { algorithm: 2, ...config.argon2 }) : undefined;
  const data = await generate(db.pool, keyring, {
    tier,
    seed: arg('--seed') ?? 'halas',
    ...(arg('--persons') ? { persons: Number(arg('--persons')) } : {}),
    ...(passwordHash ? { passwordHash, demoAccounts: true } : {}),
    log: (line) => console.info(line),
  });
  console.info(
    `Generated tier ${tier} (seed ${data.seed}) in ${(data.ms / 1000).toFixed(1)} s: ${JSON.stringify(data.counts)}`,
  );
  const growth = Number(arg('--audit-growth') ?? 0);
  if (growth > 0) {
    const g = await appendAuditEvents(db.pool, { count: growth, seed: data.seed, log: console.info });
    console.info(`Appended ${g.written} audit events in ${(g.ms / 1000).toFixed(1)} s`);
  }
  if (demo) console.info(`Users sign in with the demo password; e.g. ${data.users[0]?.username}`);
} finally {
  await db.close();
}
