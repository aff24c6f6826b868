import { type Config, loadConfig } from '../config/index.js';
import { type Database, openDatabase, runMigrations } from '../db/index.js';

/** Opens the configured database (embedded folder or DATABASE_URL) for a command-line tool. */
export async function openForCli(): Promise<{ config: Config; db: Database }> {
  const config = loadConfig();
  const db = await openDatabase(config);
  await runMigrations(db, config.migrationsDir);
  return { config, db };
}

export function cliFail(message: string): never {
  console.error(message);
  process.exit(1);
}
