import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../src/server/config/index.js';

function start(
  dataDir: string,
  port: number,
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  // node itself (not the tsx wrapper), so that the pid we kill is the server's
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HALAS_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(url: string, ms: number): Promise<Response> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('embedded start-up', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-start-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates and serves a demo instance, refuses a second process on the same folder, and survives kill -9', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const first = start(dataDir, port);
    children.push(first.child);
    const health = await waitFor(`http://127.0.0.1:${port}/api/health`, 60_000);
    expect(health.status).toBe(200);
    expect(first.output()).toContain('embedded database');
    expect(first.output()).toContain('DEMO DATA');
    const meta = await (await fetch(`http://127.0.0.1:${port}/api/meta`)).json();
    expect(meta.demo).toBe(true);

    const second = start(dataDir, port + 1);
    children.push(second.child);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by another Halas process/);

    // the first keeps serving; then it is killed hard and the folder opens again without a manual step
    expect((await fetch(`http://127.0.0.1:${port}/api/ready`)).status).toBe(200);
    first.child.kill('SIGKILL');
    await first.exited;
    const third = start(dataDir, port + 2);
    children.push(third.child);
    const again = await waitFor(`http://127.0.0.1:${port + 2}/api/ready`, 60_000);
    expect(again.status).toBe(200);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'halas.lock'))).toBe(false);
  }, 180_000);
});

describe('start-up on a PostgreSQL server', () => {
  it('runs on DATABASE_URL, migrates it and creates no demo data', async () => {
    const adminUrl = inject('pgAdminUrl');
    const name = `halas_start_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-pgstart-'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const server = start(dataDir, port, { DATABASE_URL: url.toString() });
    try {
      const ready = await waitFor(`http://127.0.0.1:${port}/api/ready`, 60_000);
      expect(await ready.json()).toEqual({ status: 'ready', engine: 'postgres' });
      expect((await (await fetch(`http://127.0.0.1:${port}/api/meta`)).json()).demo).toBe(false);
      const direct = new pg.Client({ connectionString: url.toString() });
      await direct.connect();
      expect((await direct.query('SELECT count(*)::int AS n FROM agencies')).rows[0].n).toBe(0);
      expect((await direct.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(0);
      await direct.end();
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
