import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { checkDurability } from './db/durability.js';
import { DataDirLockedError } from './db/embedded.js';
import { type Database, openDatabase, runMigrations } from './db/index.js';
import { DEMO_PASSWORD, DEMO_USERS } from './demo/data.js';
import { seedDemo } from './demo/seed.js';
import { loadCheckpointKey, writeCheckpoint } from './platform/audit-checkpoint.js';
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
  const shutdown = async () => {
    await app?.close().catch(() => {});
    await db.close().catch(() => {});
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  await runMigrations(db, config.migrationsDir);
  if (db.engine === 'postgres') {
    const problem = await checkDurability(db.pool);
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
  const problems = keyProblems(await keyUsage(db.pool, keyring));
  if (problems.length > 0)
    fail(`${problems.join('; ')}. Load that master key (see "Keys" in docs/operations.md).`);
  const deps = { config, db, secrets, keyring, clock: () => new Date() };
  let seeded = false;
  if (config.demo) seeded = await seedDemo(deps, systemContext(deps, randomUUID()));
  app = await buildApp(deps);
  // Signed audit checkpoints outside the database (G28): now and every 5 minutes.
  const checkpointKey = loadCheckpointKey(path.join(config.dataDir, 'audit', 'checkpoint-signing.pem'));
  const checkpointFile = path.join(config.dataDir, 'audit', 'checkpoints.jsonl');
  const checkpoint = () =>
    writeCheckpoint(db.pool, checkpointFile, checkpointKey).catch((error: Error) =>
      console.error('Could not write an audit checkpoint:', error.message),
    );
  await checkpoint();
  setInterval(checkpoint, 5 * 60_000).unref();
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
  }
  lines.push(`Started in ${((Date.now() - started) / 1000).toFixed(1)} s. Stop with Ctrl+C.`, '');
  console.info(lines.join('\n'));
}

main().catch((error) => {
  console.error('Halas stopped because of an unexpected error:', (error as Error).message);
  process.exit(1);
});
