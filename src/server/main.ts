import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { checkDurability } from './db/durability.js';
import { DataDirLockedError } from './db/embedded.js';
import { type Database, jobsDatabase, openDatabase, runMigrations } from './db/index.js';
import { DEMO_PASSWORD, DEMO_USERS } from './demo/data.js';
import { seedDemo, seedDemoPersons } from './demo/seed.js';
import { scheduleComingOfAge } from './features/persons/coming-of-age.js';
import { LedgerError, reapplyErasureLedger } from './features/persons/erasure-ledger.js';
import { runRetention } from './features/persons/retention.js';
import { loadCheckpointKey, writeCheckpoint } from './platform/audit-checkpoint.js';
import { type ControlChannel, startControlChannel } from './platform/backup/control.js';
import { type Keyring, keyProblems, keyUsage, loadKeyring } from './platform/crypto/index.js';
import { loadSecrets } from './platform/secrets.js';
import { systemContext } from './platform/system-context.js';

function fail(message: string): never {
  console.error(`\nHalas did not start: ${message}\n`);
  process.exit(1);
}

async function main() {
  const started = Date.now();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  let db: Database;
  try {
    db = await openDatabase(config);
  } catch (error) {
    if (error instanceof DataDirLockedError) fail(error.message);
    fail((error as Error).message);
  }
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let control: ControlChannel | undefined;
  const jobsDb = jobsDatabase(config, db);
  let demoPersons: Promise<void> | undefined;
  const shutdown = async () => {
    await demoPersons;
    await control?.close().catch(() => {});
    await app?.close().catch(() => {});
    await jobsDb.close().catch(() => {});
    await db.close().catch(() => {});
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  await runMigrations(db, config.migrationsDir);
  if (db.engine === 'postgres') {
    const problem = await checkDurability(jobsDb.pool);
    if (problem && process.env.HALAS_ALLOW_UNSAFE_DURABILITY !== '1') fail(problem);
  }
  const secrets = loadSecrets({
    base64: config.secretKeyBase64,
    file: config.secretKeyFile,
    dataDir: config.dataDir,
  });
  let keyring: Keyring;
  try {
    keyring = loadKeyring(config);
  } catch (error) {
    fail((error as Error).message);
  }
  // Data keys this keyring cannot open would read as lost: refuse to start and say which master key is missing.
  const problems = keyProblems(await keyUsage(jobsDb.pool, keyring));
  if (problems.length > 0)
    fail(`${problems.join('; ')}. Load that master key (see "Keys" in docs/operations.md).`);
  const deps = { config, db, secrets, keyring, clock: () => new Date() };
  const jobs = { ...deps, db: jobsDb };
  // Erasures outlive restores (G24, ADR 13): every person in the erasure ledger is shredded again before the
  // server serves a request, so a restored pre-erasure backup cannot bring anyone back.
  try {
    const reapplied = await reapplyErasureLedger(jobs, systemContext(jobs, randomUUID()));
    if (reapplied.reshredded + reapplied.recleared > 0)
      console.warn(
        `Erasure ledger re-applied: ${reapplied.reshredded} erased persons and ${reapplied.recleared} expired records found again in the database (a restored backup?) were erased again.`,
      );
  } catch (error) {
    if (error instanceof LedgerError) fail(error.message);
    throw error;
  }
  let seeded = false;
  if (config.demo) seeded = await seedDemo(jobs, systemContext(jobs, randomUUID()));
  app = await buildApp(deps);
  // Signed audit checkpoints outside the database (G28): now and every 5 minutes.
  const checkpointKey = loadCheckpointKey(path.join(config.dataDir, 'audit', 'checkpoint-signing.pem'));
  const checkpointFile = path.join(config.dataDir, 'audit', 'checkpoints.jsonl');
  const checkpoint = () =>
    writeCheckpoint(jobsDb.pool, checkpointFile, checkpointKey).catch((error: Error) =>
      console.error('Could not write an audit checkpoint:', error.message),
    );
  await checkpoint();
  // Embedded engine: `npm run backup` asks this process for a consistent copy of the data folder (G36).
  const embedded = db.embedded;
  if (embedded)
    control = await startControlChannel(config.dataDir, () => embedded.pglite.dumpDataDir('none'));
  setInterval(checkpoint, 5 * 60_000).unref();
  // Consent at 18: now and daily, a task for every person registered as a child who is now an adult.
  scheduleComingOfAge(jobs);
  // The retention schedule (G24): now and every intervalMinutes (0: only `npm run retention:run`).
  const retention = () =>
    runRetention(jobs, systemContext(jobs, randomUUID()))
      .then((r) => {
        if (r.shredded > 0 || Object.values(r.cleared).some((n) => n > 0))
          console.info(
            `Retention: ${r.shredded} persons erased, ${Object.values(r.cleared).reduce((a, b) => a + b, 0)} expired parts cleared.`,
          );
      })
      .catch((error: Error) => console.error('The retention job failed:', error.message));
  if (config.retention.intervalMinutes > 0) {
    void retention();
    setInterval(retention, config.retention.intervalMinutes * 60_000).unref();
  }
  const address = await app.listen({ host: config.host, port: config.port });

  const lines = [
    '',
    `Halas ${config.version} is running at ${address.replace('127.0.0.1', 'localhost')}`,
    db.engine === 'embedded'
      ? `Database: embedded database in ${config.dataDir}: for trying Halas and small offices; use PostgreSQL for real data.`
      : 'Database: PostgreSQL server (DATABASE_URL).',
  ];
  if (config.demo) {
    lines.push(
      `DEMO DATA${seeded ? ' created' : ''}: sign in as any of ${DEMO_USERS.map((u) => u.username).join(', ')}`,
      `with the password ${DEMO_PASSWORD} (demo accounts skip the second factor, in demo mode only).`,
    );
    if (seeded) lines.push('The invented survivors of the demo are being registered in the background.');
  }
  lines.push(`Started in ${((Date.now() - started) / 1000).toFixed(1)} s. Stop with Ctrl+C.`, '');
  console.info(lines.join('\n'));
  // The demo survivors go through the persons services one step at a time (a few seconds): after listening,
  // so the first start stays quick; a stop waits for them.
  if (seeded) {
    const t0 = Date.now();
    demoPersons = seedDemoPersons(jobs, systemContext(jobs, randomUUID())).then(
      (n) =>
        console.info(
          `Demo data complete: ${n} invented survivors registered (${((Date.now() - t0) / 1000).toFixed(1)} s).`,
        ),
      (error: Error) => console.error('The demo survivors could not all be registered:', error.message),
    );
  }
}

main().catch((error) => {
  console.error('Halas stopped because of an unexpected error:', (error as Error).message);
  process.exit(1);
});
