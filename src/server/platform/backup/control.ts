import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';

/**
 * The embedded engine's backup channel. PGlite lives inside the Halas process and the data folder is locked,
 * so `npm run backup` cannot open it while Halas runs; instead the server answers one request on a unix
 * socket: "send me a copy of the data folder". The socket sits in a fresh folder of mode 0700 under the
 * system temporary folder (short path, private to the user running Halas) and its path is written to
 * `<data>/halas.control` (mode 0600, inside the 0700 data folder): only that user (and root) can reach it.
 * The copy travels over the socket and is encrypted by the client; nothing unencrypted touches the disk.
 */
export const CONTROL_FILE = 'halas.control';

export interface ControlChannel {
  close(): Promise<void>;
}

export async function startControlChannel(
  dataDir: string,
  dumpDataDir: () => Promise<Blob>,
): Promise<ControlChannel> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-ctl-'));
  fs.chmodSync(dir, 0o700);
  const socketPath = path.join(dir, 'control.sock');
  let busy: Promise<unknown> = Promise.resolve();
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let line = '';
    const onData = (data: Buffer) => {
      line += data.toString('utf8');
      if (line.length > 1024) socket.destroy();
      const end = line.indexOf('\n');
      if (end < 0) return;
      socket.off('data', onData);
      let op: unknown;
      try {
        op = (JSON.parse(line.slice(0, end)) as { op?: unknown }).op;
      } catch {
        op = undefined;
      }
      if (op !== 'dump-data-dir') {
        socket.end(`${JSON.stringify({ ok: false, error: 'unknown request' })}\n`);
        return;
      }
      // One copy at a time; PGlite takes it between two statements.
      busy = busy.then(async () => {
        try {
          const blob = await dumpDataDir();
          socket.write(`${JSON.stringify({ ok: true, bytes: blob.size })}\n`);
          await new Promise<void>((resolve, reject) => {
            const body = Readable.fromWeb(blob.stream() as import('node:stream/web').ReadableStream);
            body.on('error', reject);
            socket.on('close', resolve);
            body.pipe(socket);
          });
        } catch (error) {
          socket.end(`${JSON.stringify({ ok: false, error: (error as Error).message })}\n`);
        }
      });
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  const controlFile = path.join(dataDir, CONTROL_FILE);
  const tmp = `${controlFile}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ pid: process.pid, socket: socketPath })}\n`, { mode: 0o600 });
  fs.renameSync(tmp, controlFile);
  return {
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      try {
        const current = JSON.parse(fs.readFileSync(controlFile, 'utf8')) as { pid: number };
        if (current.pid === process.pid) fs.rmSync(controlFile, { force: true });
      } catch {
        // already gone
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asks the running Halas for a copy of its data folder (a tar, in memory). */
export async function requestDataDirCopy(dataDir: string, timeoutMs = 10 * 60_000): Promise<Buffer> {
  let socketPath: string;
  try {
    socketPath = (JSON.parse(fs.readFileSync(path.join(dataDir, CONTROL_FILE), 'utf8')) as { socket: string })
      .socket;
  } catch {
    throw new Error(
      `Halas holds ${dataDir} but offers no backup channel (${CONTROL_FILE} is missing): it is an older version or still starting; retry, or stop it and back up the folder offline`,
    );
  }
  return new Promise<Buffer>((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    const chunks: Buffer[] = [];
    let header: { ok: boolean; bytes?: number; error?: string } | undefined;
    let pending = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the running Halas did not send the copy in time'));
    }, timeoutMs);
    socket.on('connect', () => socket.write(`${JSON.stringify({ op: 'dump-data-dir' })}\n`));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot reach the running Halas through its backup channel: ${error.message}`));
    });
    socket.on('data', (data: Buffer) => {
      if (header) {
        chunks.push(data);
        return;
      }
      pending = Buffer.concat([pending, data]);
      const end = pending.indexOf(10);
      if (end < 0) return;
      header = JSON.parse(pending.subarray(0, end).toString('utf8'));
      chunks.push(pending.subarray(end + 1));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (!header) return reject(new Error('the running Halas closed the backup channel without an answer'));
      if (!header.ok) return reject(new Error(`the running Halas could not copy its data: ${header.error}`));
      const tar = Buffer.concat(chunks);
      if (tar.length !== header.bytes)
        return reject(new Error(`the copy arrived incomplete (${tar.length} of ${header.bytes} bytes)`));
      resolve(tar);
    });
  });
}
