import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Config } from '../config/index.js';
import { acquireDataDirLock, type EmbeddedServer, startEmbedded } from './embedded.js';

export type Engine = 'embedded' | 'postgres';

export interface Database {
  engine: Engine;
  pool: pg.Pool;
  /** Embedded only: the in-process server behind the socket (tests cut the socket to simulate an outage). */
  embedded?: EmbeddedServer;
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

/**
 * A connection lost while checked out (server stopped or crashed between two queries of a request) makes its
 * client emit 'error'; with no listener that is an uncaught exception and the whole process would exit (G37:
 * crashes = 0). The pending or next query of that client fails anyway (→ 503) and the pool discards it.
 */
function survivePeerErrors(pool: pg.Pool): void {
  pool.on('connect', (client) => client.on('error', () => {}));
}

export async function openDatabase(config: Config, options: OpenOptions = {}): Promise<Database> {
  if (config.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: 10,
      // G37: an unreachable server or an exhausted pool fails the request (503 + Retry-After) after this long;
      // a statement running longer is cancelled by the server (57014, also 503).
      connectionTimeoutMillis: config.db.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: config.db.statementTimeoutMs,
      keepAlive: true,
      types,
    });
    pool.on('error', () => {}); // a broken idle connection is dropped; the next checkout reconnects
    survivePeerErrors(pool);
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
      // Not HALAS_DB_CONNECT_TIMEOUT_MS: the socket is local and refuses at once when it is gone, and this
      // wait is mostly the queue behind the embedded engine's single session (one heavy query blocks others).
      connectionTimeoutMillis: 10_000,
      types,
    });
    pool.on('error', () => {});
    survivePeerErrors(pool);
    return {
      engine: 'embedded',
      pool,
      embedded,
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
 * The pool of the process's own jobs (start-up checks, the erasure ledger, audit checkpoints, retention, the
 * consent-at-18 sweep): the same database without the request statement timeout, which is there to answer a
 * request within a bounded time (G37), not to stop a job whose work grows with the register. Two connections,
 * so jobs never take the requests' pool. Embedded: the same pool (it has no statement timeout).
 */
export function jobsDatabase(config: Config, db: Database): Database {
  if (db.engine !== 'postgres' || !config.databaseUrl) return { ...db, close: async () => {} };
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: 2,
    connectionTimeoutMillis: Math.max(config.db.connectTimeoutMs, 30_000),
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types,
  });
  pool.on('error', () => {});
  survivePeerErrors(pool);
  return { engine: 'postgres', pool, close: () => pool.end() };
}

/**
 * Runs the forward-only migrations. An advisory lock makes a second instance starting at the same time wait
 * instead of migrating twice; the migrations themselves run in one transaction (transactional DDL), so a
 * migration killed part-way leaves nothing behind and completes on the next start.
 */
export async function runMigrations(db: Database, migrationsFolder: string): Promise<void> {
  const client = await db.pool.connect();
  try {
    // Waiting for another instance's migrations and building indexes may take longer than a request may.
    await client.query('SET statement_timeout = 0');
    await client.query("SELECT pg_advisory_lock(hashtext('halas.migrations'))");
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('halas.migrations'))");
    }
  } finally {
    // back to the pool's statement timeout; a connection that cannot take the reset is dropped
    const reset = await client.query('RESET statement_timeout').then(
      () => true,
      () => false,
    );
    client.release(!reset);
  }
}
