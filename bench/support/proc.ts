/**
 * Processes the bench starts (always stopped by their pid), their memory, and the machine's load: the bench
 * runs on a shared 2-core machine, so every arm records the load average and the other busy processes
 * before and after it (performance.md §7).
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/server/config/index.js';

export const mainJs = path.join(projectRoot, 'dist', 'server', 'main.js');

export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

export const load1 = () => os.loadavg()[0]!;

/** The 1-minute load and the processes using most CPU right now (other than this bench's own). */
export function machineLoad(own: number[] = []): string {
  let busy = '';
  try {
    const out = execFileSync('ps', ['-eo', 'pid,pcpu,comm', '--sort=-pcpu', '--no-headers'], {
      encoding: 'utf8',
      timeout: 2000,
    });
    busy = out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(
        (f) =>
          f.length >= 3 && Number(f[1]) >= 20 && !own.includes(Number(f[0])) && Number(f[0]) !== process.pid,
      )
      .slice(0, 5)
      .map((f) => `${f[2]}(${f[1]}%)`)
      .join(' ');
  } catch {
    busy = '?';
  }
  const [a, b, c] = os.loadavg();
  return `load ${a!.toFixed(2)} ${b!.toFixed(2)} ${c!.toFixed(2)}; busy: ${busy || 'none'}`;
}

/** Spawns `dist/server/main.js` and waits for /api/health (the G9 footprint arm). */
export async function startMain(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; ms: number; t0: number; stdout: () => string }> {
  const port = 30000 + Math.floor(Math.random() * 20000);
  const t0 = performance.now();
  let out = '';
  const child = spawn(process.execPath, [mainJs], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  // bounded: 180 s (a loaded shared machine can take ten times the usual start)
  while (performance.now() - t0 < 180_000) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, port, ms: performance.now() - t0, t0, stdout: () => out };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop(child);
  throw new Error('server did not start');
}

/** Waits (at most 120 s from the start) until the demo survivors are registered; false when they were not. */
export async function demoComplete(server: { t0: number; stdout: () => string }): Promise<boolean> {
  while (!server.stdout().includes('Demo data complete') && performance.now() - server.t0 < 120_000)
    await new Promise((r) => setTimeout(r, 50));
  return server.stdout().includes('Demo data complete');
}

/** SIGTERM to the child's pid, SIGKILL after 10 s; resolves when it has exited. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * pgbench with a custom script, no vacuum, 2 threads, for `seconds`, against a database on the loopback
 * server (`url` names server and user; `dbName` the database); bounded by a timeout. Returns its output.
 */
export async function runPgbench(
  url: string,
  dbName: string,
  script: string,
  clients: number,
  seconds: number,
): Promise<string> {
  const u = new URL(url);
  const { stdout } = await promisify(execFile)(
    'pgbench',
    ['-n', '-f', script, '-c', String(clients), '-j', '2', '-T', String(seconds), '-h', '127.0.0.1'].concat([
      '-p',
      u.port || '5432',
      '-U',
      decodeURIComponent(u.username) || 'postgres',
      dbName,
    ]),
    { timeout: (seconds + 30) * 1000, env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) } },
  );
  return stdout;
}
