import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/server/config/index.js';
import { openDatabase, runMigrations } from '../../src/server/db/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string;
    pgAdminUrl: string;
  }
}

/**
 * Integration tests run on both engines. For the PostgreSQL server, the migrations are applied once to a
 * template database; every test file then gets its own database cloned from it.
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.HALAS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const template = `halas_tpl_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `The integration tests need the PostgreSQL server at ${adminUrl} (set HALAS_TEST_PG_URL): ${(error as Error).message}`,
    );
  }
  await admin.query(`CREATE DATABASE ${template}`);
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const db = await openDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url.toString() }));
  await runMigrations(db, loadConfig({ NODE_ENV: 'test' }).migrationsDir);
  await db.close();
  project.provide('pgTemplate', template);
  project.provide('pgAdminUrl', adminUrl);
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  };
}
