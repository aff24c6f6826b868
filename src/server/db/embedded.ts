import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The data folder ${dataDir} is in use by another Halas process (pid ${pid}). ` +
        'Stop that process first, or choose another folder with HALAS_DATA_DIR.',
    );
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite has no lock of its own against a second process opening the same folder, which would corrupt it.
 * We take an exclusive lock file (O_EXCL) holding our pid; a lock left by a dead process is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockPath = path.join(dataDir, 'halas.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder))
        throw new DataDirLockedError(dataDir, holder);
      fs.rmSync(lockPath, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}

export interface EmbeddedServer {
  /** Folder holding the unix socket, for pg's `host`. */
  socketDir: string;
  port: number;
  pglite: PGlite;
  /** The socket server: stopping it cuts every connection while the database stays open. */
  socket: PGLiteSocketServer;
  stop(): Promise<void>;
}

/**
 * Opens PGlite on `pgdataDir` (or in memory when undefined) and serves it on a private unix socket, so the
 * application talks to it with the same `pg` driver it uses for a PostgreSQL server. The socket folder is
 * 0700: no other local user can connect.
 */
export async function startEmbedded(pgdataDir: string | undefined): Promise<EmbeddedServer> {
  if (pgdataDir) {
    // A postmaster.pid left by a killed process would make PGlite refuse to open; the folder lock
    // above guarantees no live process owns it.
    fs.rmSync(path.join(pgdataDir, 'postmaster.pid'), { force: true });
  }
  let pglite: PGlite;
  try {
    pglite = pgdataDir ? await PGlite.create(pgdataDir) : await PGlite.create();
  } catch (error) {
    throw new Error(
      `The embedded database in ${pgdataDir} could not be opened (${(error as Error).message}). ` +
        'Halas will not reset it. Restore it from a backup, or move the folder away to start empty.',
    );
  }
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-pg-'));
  fs.chmodSync(socketDir, 0o700);
  const port = 5432;
  const server = new PGLiteSocketServer({
    db: pglite,
    path: path.join(socketDir, `.s.PGSQL.${port}`),
    maxConnections: 16,
  });
  await server.start();
  return {
    socketDir,
    port,
    pglite,
    socket: server,
    async stop() {
      await server.stop();
      await pglite.close();
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
