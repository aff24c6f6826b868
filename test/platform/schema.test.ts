import { describe, expect, it } from 'vitest';
import { runMigrations } from '../../src/server/db/index.js';
import { createTestDatabase } from '../support/app.js';

/** The catalogue facts that make up "the schema", in a stable order. */
async function describeSchema(query: (sql: string) => Promise<{ rows: Record<string, unknown>[] }>) {
  const columns = await query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`,
  );
  const indexes = await query(
    `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname`,
  );
  const constraints = await query(
    `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype <> 'n' ORDER BY 1, 2`,
  );
  const grants = await query(
    `SELECT table_name, privilege_type FROM information_schema.role_table_grants
      WHERE grantee = 'halas_app' ORDER BY table_name, privilege_type`,
  );
  return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows, grants: grants.rows };
}

describe('migrations (G38)', () => {
  it('produce the identical schema on the embedded engine and on the PostgreSQL server, and re-running them is a no-op', async () => {
    const embedded = await createTestDatabase('embedded');
    const server = await createTestDatabase('postgres');
    try {
      const a = await describeSchema((sql) => embedded.db.pool.query(sql));
      const b = await describeSchema((sql) => server.db.pool.query(sql));
      expect(a.columns.length).toBeGreaterThan(20);
      expect(a).toEqual(b);
      await runMigrations(embedded.db, embedded.config.migrationsDir);
      await runMigrations(server.db, server.config.migrationsDir);
      expect(await describeSchema((sql) => embedded.db.pool.query(sql))).toEqual(a);
      expect(await describeSchema((sql) => server.db.pool.query(sql))).toEqual(b);
    } finally {
      await embedded.db.close();
      await server.db.close();
      await server.drop();
    }
  });
});
