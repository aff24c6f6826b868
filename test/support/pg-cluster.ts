/**
 * A throwaway PostgreSQL cluster on its own port and folder, for tests that must stop, crash or restore a real
 * server (G31 crash consistency, G36 backup/restore, G37 degradation) without touching the shared server on
 * 5432. PostgreSQL refuses to run as root, so when the tests run as root the binaries run as `postgres`.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

function binDir(): string {
  const fromEnv = process.env.HALAS_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error('PostgreSQL server binaries not found (set HALAS_PG_BIN)');
  return path.join(root, versions[0]!, 'bin');
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary (as `postgres` when we are root) and returns its stdout. */
export function pgBin(name: string, args: string[], options: { timeoutMs?: number } = {}): string {
  const file = path.join(binDir(), name);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  return execFileSync(cmd, argv, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 60_000,
  });
}

/** pgBin without blocking the event loop (for tests that keep serving while the server stops or starts). */
export function pgBinAsync(
  name: string,
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<string> {
  const file = path.join(binDir(), name);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  return new Promise((resolve, reject) =>
    execFile(
      cmd,
      argv,
      { encoding: 'utf8', timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => (error ? reject(Object.assign(error, { stderr })) : resolve(stdout)),
    ),
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface PgCluster {
  /** The folder holding data/, the socket and the log; owned by `postgres` when running as root. */
  dir: string;
  dataDir: string;
  port: number;
  /** A superuser URL for the database `postgres` (or the one named). */
  url(database?: string): string;
  start(): void;
  /** `fast` is a clean shutdown; `immediate` is a crash (no checkpoint, WAL replay on the next start). */
  stop(mode?: 'fast' | 'immediate'): void;
  isRunning(): boolean;
  /** start() and stop() without blocking the event loop. */
  startAsync(): Promise<void>;
  stopAsync(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops the server (immediately) and deletes the folder. */
  destroy(): void;
}

/**
 * Creates and starts a fresh cluster. `settings` become `-c name=value` options (e.g. archive_mode);
 * fsync stays on unless the caller turns it off, since crash tests need real durability.
 */
export async function createPgCluster(settings: Record<string, string> = {}): Promise<PgCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-pg-'));
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  fs.chmodSync(dir, 0o700);
  const dataDir = path.join(dir, 'data');
  pgBin('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`),
  ].join(' ');
  const log = path.join(dir, 'server.log');
  const cluster: PgCluster = {
    dir,
    dataDir,
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start() {
      pgBin('pg_ctl', ['-D', dataDir, '-o', options, '-l', log, '-w', '-t', '60', 'start']);
    },
    stop(mode = 'fast') {
      pgBin('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    },
    async startAsync() {
      await pgBinAsync('pg_ctl', ['-D', dataDir, '-o', options, '-l', log, '-w', '-t', '60', 'start']);
    },
    async stopAsync(mode = 'fast') {
      await pgBinAsync('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    },
    isRunning() {
      try {
        pgBin('pg_ctl', ['-D', dataDir, 'status']);
        return true;
      } catch {
        return false;
      }
    },
    destroy() {
      try {
        if (cluster.isRunning()) cluster.stop('immediate');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  cluster.start();
  return cluster;
}
