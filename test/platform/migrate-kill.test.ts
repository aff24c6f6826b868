import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig, projectRoot } from '../../src/server/config/index.js';
import { openDatabase, runMigrations } from '../../src/server/db/index.js';

const POINTS = process.env.DEEP ? 30 : 10;

async function tableSignature(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'public' ORDER BY 1, 2`,
  );
  const migrations = await c.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
  await c.end();
  return JSON.stringify({ rows, migrations: migrations.rows[0].n });
}

describe('migrations killed part-way (G38)', () => {
  it(`complete on rerun after kill -9 at ${POINTS} random points`, async () => {
    const adminUrl = inject('pgAdminUrl');
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const reference = `halas_mk_ref_${randomBytes(3).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${reference}`);
    const urlOf = (name: string) => {
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      return u.toString();
    };
    const migrate = async (url: string) => {
      const db = await openDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url }));
      await runMigrations(db, loadConfig({ NODE_ENV: 'test' }).migrationsDir);
      await db.close();
    };
    try {
      await migrate(urlOf(reference));
      const expected = await tableSignature(urlOf(reference));
      for (let i = 0; i < POINTS; i++) {
        const name = `halas_mk_${randomBytes(3).toString('hex')}`;
        await admin.query(`CREATE DATABASE ${name}`);
        try {
          const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/migrate-child.ts'], {
            cwd: projectRoot,
            env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: urlOf(name) },
            stdio: 'ignore',
          });
          const exited = new Promise((r) => child.once('exit', r));
          setTimeout(() => child.kill('SIGKILL'), 200 + Math.floor(Math.random() * 1500));
          await exited;
          await migrate(urlOf(name));
          expect(await tableSignature(urlOf(name))).toBe(expected);
        } finally {
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        }
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${reference} WITH (FORCE)`);
      await admin.end();
    }
  }, 180_000);
});
