import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Config } from '../config/index.js';
import { acquireDataDirLock, startEmbedded } from './embedded.js';

export type Engine = 'embedded' | 'postgres';

export interface Database {
  engine: Engine;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** int8 and numeric come back as strings from pg; our bigints (sequence numbers, counts) fit in a double. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number(value);
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads
    return (pg.types.getTypeParser as any)(oid, format);
  },
};

export interface OpenOptions {
  /** Embedded only: keep the database in memory (tests). */
  inMemory?: boolean;
  /** Embedded only: skip the data-folder lock (in-memory tests). */
  skipLock?: boolean;
}

export async function openDatabase(config: Config, options: OpenOptions = {}): Promise<Database> {
  if (config.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: 10,
      connectionTimeoutMillis: 2000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 30_000,
      types,
    });
    pool.on('error', () => {}); // a broken idle connection is dropped; the next checkout reconnects
    return { engine: 'postgres', pool, close: () => pool.end() };
  }
  const release = options.inMemory || options.skipLock ? () => {} : acquireDataDirLock(config.dataDir);
  try {
    const embedded = await startEmbedded(options.inMemory ? undefined : path.join(config.dataDir, 'pgdata'));
    const pool = new pg.Pool({
      host: embedded.socketDir,
      port: embedded.port,
      user: 'postgres',
      database: 'postgres',
      max: 8,
      connectionTimeoutMillis: 10_000,
      types,
    });
    pool.on('error', () => {});
    return {
      engine: 'embedded',
      pool,
      async close() {
        await pool.end();
        await embedded.stop();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * Runs the forward-only migrations. An advisory lock makes a second instance starting at the same time wait
 * instead of migrating twice; the migrations themselves run in one transaction (transactional DDL), so a
 * migration killed part-way leaves nothing behind and completes on the next start.
 */
export async function runMigrations(db: Database, migrationsFolder: string): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('halas.migrations'))");
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('halas.migrations'))");
    }
  } finally {
    client.release();
  }
}
