import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/index.js';
import { openDatabase, runMigrations } from '../db/index.js';
import {
  createMasterKeyFile,
  type Keyring,
  keyFolder,
  keyProblems,
  keyUsage,
  loadKeyring,
  masterKeyFiles,
  rotateKeys,
} from '../platform/crypto/index.js';
import { cliFail } from './shared.js';

/**
 * `npm run keys:rotate`: rewraps every person's data key under the active master key, in batches, each its own
 * transaction. Safe to interrupt at any point and to rerun: it continues where it stopped. On the embedded
 * engine it opens the data folder itself, so run it while Halas is stopped; on a PostgreSQL server, run it
 * while Halas serves (after every instance was restarted with the new active key).
 *
 *   --status          print which master keys wrap how many data keys, change nothing
 *   --new-key         first create a new master key in the key folder (it becomes the active one)
 *   --batch-size N    data keys per transaction (default 500)
 */
const USAGE = 'Usage: npm run keys:rotate [-- --status | --new-key] [--batch-size N]';

let args: { status?: boolean; 'new-key'?: boolean; 'batch-size'?: string };
try {
  args = parseArgs({
    options: {
      status: { type: 'boolean' },
      'new-key': { type: 'boolean' },
      'batch-size': { type: 'string' },
    },
  }).values;
} catch (error) {
  cliFail(`${(error as Error).message}\n${USAGE}`);
}
const batchSize = args['batch-size'] === undefined ? 500 : Number(args['batch-size']);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
  cliFail('--batch-size must be an integer between 1 and 10000');
if (args.status && args['new-key']) cliFail(USAGE);

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) cliFail(error.message);
  throw error;
}

const newKeyDir = args['new-key'] ? keyFolder(config) : undefined;
if (args['new-key'] && !newKeyDir)
  cliFail(
    'Master keys come from HALAS_MASTER_KEY or HALAS_MASTER_KEY_FILE: provision the new key there yourself (see "Keys" in docs/operations.md), or use a key folder.',
  );
if (args['new-key'] && config.keys.activeMasterKeyId)
  cliFail(
    'HALAS_MASTER_KEY_ACTIVE is set: add the new key yourself and point HALAS_MASTER_KEY_ACTIVE at it.',
  );

// The database first: on the embedded engine this takes the data folder's lock (Halas must be stopped).
const db = await openDatabase(config).catch((error: Error) =>
  cliFail(`Cannot open the database: ${error.message}`),
);

class Stop extends Error {}

/** Creates the new master key (--new-key) and loads the keyring; problems end the run before any change. */
function prepareKeys(): Keyring {
  if (newKeyDir) {
    const id = createMasterKeyFile(newKeyDir);
    const last = masterKeyFiles(newKeyDir).at(-1)?.id;
    if (last !== id)
      throw new Stop(
        `Created master key '${id}' in ${newKeyDir}, but it does not sort last there ('${last}' does), so it is not the active key. Set HALAS_MASTER_KEY_ACTIVE=${id} and rerun without --new-key.`,
      );
    console.info(
      `Created master key '${id}' in ${newKeyDir} (mode 0600). Back it up now, separately from the database.`,
    );
  }
  try {
    return loadKeyring(config);
  } catch (error) {
    throw new Stop(`Cannot load the master keys: ${(error as Error).message}`);
  }
}

try {
  const keyring = prepareKeys();
  await runMigrations(db, config.migrationsDir);
  const before = await keyUsage(db.pool, keyring);
  const problems = keyProblems(before);
  const total = before.reduce((n, u) => n + u.count, 0);
  if (args.status) {
    console.info(`Active master key: '${keyring.activeKekId}'. Loaded: ${keyring.kekIds.join(', ')}.`);
    for (const u of before)
      console.info(
        `  ${u.kekId}: ${u.count} data keys${u.kekId === keyring.activeKekId ? ' (active)' : ''}${u.opens ? '' : ' — CANNOT BE OPENED'}`,
      );
    if (before.length === 0) console.info('  no data keys yet');
    if (problems.length > 0) process.exitCode = 2;
  } else if (problems.length > 0) {
    console.error(
      `Nothing was changed: ${problems.join('; ')}. Load every master key that still wraps data keys (see "Keys" in docs/operations.md) and rerun.`,
    );
    process.exitCode = 2;
  } else {
    const pending = total - (before.find((u) => u.kekId === keyring.activeKekId)?.count ?? 0);
    console.info(
      `Rewrapping ${pending} of ${total} data keys under master key '${keyring.activeKekId}' (batches of ${batchSize}).`,
    );
    const result = await rotateKeys(db.pool, keyring, {
      batchSize,
      runId: randomUUID(),
      onBatch: (done) => console.info(`  ${done} rewrapped`),
    });
    if (result.remaining > 0) {
      console.error(
        `${result.rewrapped} rewrapped, but ${result.remaining} data keys are still under another master key: new ones keep being created under it. Restart every Halas instance with '${keyring.activeKekId}' as the active key, then rerun.`,
      );
      process.exitCode = 3;
    } else {
      const unused = keyring.kekIds.filter((id) => id !== keyring.activeKekId);
      const after = await keyUsage(db.pool, keyring);
      console.info(
        `Done: all ${after.reduce((n, u) => n + u.count, 0)} data keys are wrapped under master key '${keyring.activeKekId}' (${result.rewrapped} rewrapped by this run).`,
      );
      console.info(
        unused.length > 0
          ? `The old master key(s) ${unused.map((id) => `'${id}'`).join(', ')} can now be retired: remove them from the configuration of every instance and restart. Keep an offline copy until every backup taken before now has expired; those backups need them.`
          : 'No other master key is loaded.',
      );
    }
  }
} catch (error) {
  console.error(
    error instanceof Stop
      ? error.message
      : `Key rotation stopped: ${(error as Error).message}. Nothing is lost; rerun to continue.`,
  );
  process.exitCode = 1;
} finally {
  await db.close();
}
