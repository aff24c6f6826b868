import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Person files in backups (ADR 12). The stored files (photos and scans, each already sealed under its
 * person's data key) travel in the backup's payload as tar members `halas-files/<storage name>`, after the
 * database's own tar: the same encrypted container, the same chunks. Restores pick them out, keep only the
 * ones the restored database refers to (files of erased persons never come back) and swap the result into
 * the files folder in one rename.
 *
 * Consistency rule: every file row in the backed-up database has its file in the backup. Uploads write the
 * file before their row commits and deletions remove it after theirs, so a file is on disk for as long as a
 * committed row names it; the backup copies (hard-links) the files while no change to `person_files` can
 * commit between the database snapshot and the copy (PostgreSQL: a SHARE lock on the table across the base
 * backup; embedded: the snapshot's own list is checked against the copy, and the whole copy is taken again
 * when a file was deleted in between).
 */
export const FILES_PREFIX = 'halas-files/';

/** What the backup's manifest says about the files it holds. */
export interface FilesManifest {
  /** Files in the backup (those the database refers to, found on disk). */
  count: number;
  bytes: number;
  /** Files the database refers to that were not on disk when the backup was taken. */
  missing: number;
}

/** A storage name (features/persons/file-store.ts): 128 random bits in hex, nothing else. */
const NAME = /^[0-9a-f]{32}$/;

/**
 * The files the database refers to: rows of `person_files` whose person is not erased (an erased person's
 * files are sealed under a destroyed key; they are neither backed up nor restored). Empty when the table
 * does not exist yet (an older schema).
 */
export const REFERENCED_FILES_SQL = `SELECT f.storage_name AS name FROM person_files f
  JOIN persons p ON p.id = f.person_id WHERE p.erased_at IS NULL`;
const HAS_FILES_TABLE_SQL = "SELECT to_regclass('public.person_files') IS NOT NULL AS present";

interface Queryable {
  query(text: string): Promise<{ rows: unknown[] }>;
}

/** Runs inside the caller's transaction (which must be able to read every row: row_security off). */
export async function referencedFiles(db: Queryable): Promise<Set<string>> {
  const present = (await db.query(HAS_FILES_TABLE_SQL)).rows[0] as { present: boolean } | undefined;
  if (!present?.present) return new Set();
  const { rows } = (await db.query(REFERENCED_FILES_SQL)) as { rows: { name: string }[] };
  return new Set(rows.map((r) => r.name).filter((n) => NAME.test(n)));
}

export interface StagedFiles {
  dir: string;
  names: string[];
  bytes: number;
  missing: string[];
  remove(): void;
}

/**
 * Hard-links (or copies, across file systems) the given files into a private folder next to the files
 * folder: a cheap, stable copy that later deletions cannot take away. Names not on disk are reported.
 */
export function stageFiles(filesDir: string, names: Iterable<string>): StagedFiles {
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(path.dirname(path.resolve(filesDir)), '.halas-backup-files-'));
  } catch {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-backup-files-'));
  }
  fs.chmodSync(dir, 0o700);
  const staged: string[] = [];
  const missing: string[] = [];
  let bytes = 0;
  try {
    for (const name of [...names].sort()) {
      if (!NAME.test(name)) continue;
      const from = path.join(filesDir, name);
      const to = path.join(dir, name);
      try {
        try {
          fs.linkSync(from, to);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
          fs.copyFileSync(from, to);
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          missing.push(name);
          continue;
        }
        throw error;
      }
      staged.push(name);
      bytes += fs.statSync(to).size;
    }
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    names: staged,
    bytes,
    missing,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

const BLOCK = 512;

function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write('0000600\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
    'ascii',
  );
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** The staged files as tar members `halas-files/<name>`, closed by the end-of-archive blocks. */
export async function* filesTar(staged: StagedFiles): AsyncGenerator<Buffer> {
  for (const name of staged.names) {
    const data = await fs.promises.readFile(path.join(staged.dir, name));
    yield tarHeader(`${FILES_PREFIX}${name}`, data.length);
    yield data;
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(2 * BLOCK);
}

/** Reads exact byte counts from a stream of buffers. */
class Bytes {
  private buf = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }
  /** Up to n bytes in pieces (fewer only at the end of the stream). */
  async *read(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0) {
        const next = await this.it.next();
        if (next.done) return;
        this.buf = Buffer.from(next.value);
      }
      const piece = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.buf = this.buf.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }
  async take(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const p of this.read(n)) parts.push(p);
    return Buffer.concat(parts);
  }
  /** Reads the rest, so that the producer is never left blocked. */
  async drain(): Promise<void> {
    for (;;) if ((await this.it.next()).done) return;
  }
}

function octal(field: Buffer): number {
  if (field[0]! & 0x80) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = field.toString('ascii').replace(/\0.*$/s, '').trim();
  return text ? Number.parseInt(text, 8) : 0;
}

/**
 * Reads the whole payload (a concatenation of tar archives, as `tar --ignore-zeros` does) and writes the
 * members `halas-files/<name>` whose name is wanted into `dir` (fsynced, mode 0600). Everything else is
 * skipped. Returns the names written.
 */
export async function extractFiles(
  source: AsyncIterable<Buffer>,
  dir: string,
  wanted: Set<string>,
): Promise<Set<string>> {
  const bytes = new Bytes(source);
  const written = new Set<string>();
  let longName: string | undefined;
  for (;;) {
    const header = await bytes.take(BLOCK);
    if (header.length < BLOCK) break;
    if (header.every((b) => b === 0)) continue;
    const size = octal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156]!);
    let name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (header.subarray(257, 262).toString('ascii') === 'ustar') {
      const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
      if (prefix) name = `${prefix}/${name}`;
    }
    if (longName !== undefined) {
      name = longName;
      longName = undefined;
    }
    const padded = size + ((BLOCK - (size % BLOCK)) % BLOCK);
    if (type === 'L') {
      longName = (await bytes.take(padded)).subarray(0, size).toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    const member = name.replace(/^(\.\/|\/)+/, '');
    const file = member.startsWith(FILES_PREFIX) ? member.slice(FILES_PREFIX.length) : '';
    if ((type === '0' || type === '\0') && NAME.test(file) && wanted.has(file)) {
      const parts: Buffer[] = [];
      for await (const p of bytes.read(size)) parts.push(p);
      const data = Buffer.concat(parts);
      if (data.length < size) throw new Error('the files in the backup payload are cut short');
      const fd = fs.openSync(path.join(dir, file), 'w', 0o600);
      try {
        fs.writeSync(fd, data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      written.add(file);
      await bytes.take(padded - size);
    } else {
      for await (const _ of bytes.read(padded)) {
        // skipped
      }
    }
  }
  await bytes.drain();
  return written;
}

export interface FilesRestore {
  /** Where the restored files wait (next to the files folder) until `swapIn`. */
  staging: string;
  /** Files taken from the backup. */
  fromBackup: number;
  /** Referenced files not in the backup but already in the files folder (e.g. after point-in-time recovery). */
  fromCurrent: number;
  /** Referenced files found nowhere: their rows will answer "not found". */
  missing: number;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z');

/**
 * Builds the restored files folder next to the current one: exactly the referenced files, from the backup's
 * payload, else from the current folder. Nothing in the current folder changes until `swapIn`.
 */
export async function stageRestoredFiles(
  payload: AsyncIterable<Buffer>,
  filesDir: string,
  referenced: Set<string>,
): Promise<FilesRestore> {
  const target = path.resolve(filesDir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = `${target}.restoring-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(staging, { mode: 0o700 });
  try {
    const fromBackup = await extractFiles(payload, staging, referenced);
    let fromCurrent = 0;
    let missing = 0;
    for (const name of referenced) {
      if (fromBackup.has(name)) continue;
      try {
        fs.copyFileSync(path.join(target, name), path.join(staging, name));
        fs.chmodSync(path.join(staging, name), 0o600);
        fromCurrent++;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        missing++;
      }
    }
    const fd = fs.openSync(staging, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return { staging, fromBackup: fromBackup.size, fromCurrent, missing };
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Puts the staged folder in place of the files folder; a non-empty one is moved aside (kept). */
export function swapIn(restore: FilesRestore, filesDir: string): { movedAside?: string } {
  const target = path.resolve(filesDir);
  let movedAside: string | undefined;
  if (fs.existsSync(target)) {
    if (fs.readdirSync(target).length > 0) {
      movedAside = `${target}.before-restore-${stamp()}`;
      fs.renameSync(target, movedAside);
    } else fs.rmdirSync(target);
  }
  fs.renameSync(restore.staging, target);
  return movedAside ? { movedAside } : {};
}
