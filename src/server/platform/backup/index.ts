import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Config } from '../../config/index.js';
import { acquireDataDirLock, DataDirLockedError } from '../../db/embedded.js';
import { readKeyFile, writeKeyFile } from '../crypto/keyring.js';
import { BackupFileError, readBackupFile, writeBackupFile } from './container.js';
import { requestDataDirCopy } from './control.js';
import {
  FILES_PREFIX,
  type FilesManifest,
  type FilesRestore,
  filesTar,
  referencedFiles,
  type StagedFiles,
  stageFiles,
  stageRestoredFiles,
  swapIn,
} from './files.js';
import { type DatabaseState, databaseState, stateDifferences } from './state.js';

export { BackupFileError, readManifest } from './container.js';
export { startControlChannel } from './control.js';
export { type FilesManifest, REFERENCED_FILES_SQL } from './files.js';
export { type DatabaseState, databaseState, stateDifferences } from './state.js';

const run = promisify(execFile);

/** What a backup holds; kept inside the encrypted file. Counts and hashes only, no personal data. */
export interface Manifest {
  kind: 'halas-backup';
  version: 1;
  createdAt: string;
  engine: 'embedded' | 'postgres';
  halasVersion: string;
  serverVersion: string;
  /**
   * The payload: a tar of the PGlite data folder, or of a pg_basebackup (plain format, with its WAL); then,
   * when `files` is present, a second tar of the person files (members `halas-files/<storage name>`).
   */
  payload: 'pglite-data-dir' | 'pg-basebackup';
  /** Per-table row counts and checksums, audit head, migrations, as of the backup's consistent point. */
  state: DatabaseState | null;
  /** Why `state` is null (PostgreSQL: the database changed during the backup, or could not be read). */
  stateNote?: string;
  embedded?: { online: boolean };
  /** The person files the database refers to, copied consistently with it (absent in older backups). */
  files?: FilesManifest;
  postgres?: {
    startLsn: string;
    timeline: number;
    label: string;
    archiveMode: string;
    walLevel: string;
    verified: 'pg_verifybackup';
  };
}

/** Operator-facing failures with an exit status (the CLIs print the message). */
export class BackupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

/** Exit statuses shared by the CLIs. */
export const EXIT = { error: 1, refused: 2, mismatch: 3, notEmpty: 4 } as const;

/** The backup key: read it, or (backup only) create it with mode 0600 on first use. */
export function loadBackupKey(file: string, options: { create: boolean }): { key: Buffer; created: boolean } {
  let created = false;
  if (options.create && !fs.existsSync(file)) created = writeKeyFile(file);
  try {
    return { key: readKeyFile(file), created };
  } catch (error) {
    throw new BackupError(
      `Cannot read the backup key: ${(error as Error).message}. ${options.create ? '' : 'Give the key the backup was made with (--key FILE or HALAS_BACKUP_KEY_FILE).'}`,
      EXIT.error,
    );
  }
}

/** The path of a PostgreSQL tool: HALAS_PG_BIN, else the newest /usr/lib/postgresql/<v>/bin, else PATH. */
export function pgTool(config: Config, name: string): string {
  if (config.backup.pgBinDir) return path.join(config.backup.pgBinDir, name);
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions[0] ? path.join(root, versions[0], 'bin', name) : name;
}

async function tool(config: Config, name: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(pgTool(config, name), args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new BackupError(
        `${name} was not found: install the PostgreSQL client tools or set HALAS_PG_BIN`,
        1,
      );
    throw new BackupError(`${name} failed: ${(e.stderr || e.message).trim()}`, EXIT.error);
  }
}

function collect(): { sink: Writable; data: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    sink: new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    }),
    data: () => Buffer.concat(chunks),
  };
}

const pgliteQueryable = (db: PGlite) => ({ query: (text: string) => db.query(text) });

/** Unpacks a tar held in memory with the system's tar (leading slashes of PGlite's member names dropped). */
async function untar(tar: Buffer, dir: string): Promise<void> {
  const child = spawn(
    'tar',
    ['-C', dir, '--ignore-zeros', `--exclude=${FILES_PREFIX.slice(0, -1)}`, '-xf', '-'],
    {
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.on('error', () => {});
  child.stdin.end(tar);
  const code = await done;
  const problems = stderr
    .split('\n')
    .filter((l) => l.trim() && !/Removing leading/.test(l))
    .join('; ');
  if (code !== 0) throw new BackupError(`tar could not unpack the copy: ${problems}`, EXIT.error);
}

// ---------------------------------------------------------------------------------------------------------
// Embedded engine

/** A tar of the data folder: from the running Halas (backup channel), or by opening the folder if stopped. */
async function copyEmbedded(dataDir: string): Promise<{ tar: Buffer; online: boolean }> {
  const pgdata = path.join(dataDir, 'pgdata');
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION')))
    throw new BackupError(`There is no embedded database in ${dataDir} (HALAS_DATA_DIR).`, EXIT.error);
  let release: () => void;
  try {
    release = acquireDataDirLock(dataDir);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    try {
      return { tar: await requestDataDirCopy(dataDir), online: true };
    } catch (inner) {
      throw new BackupError(`Halas is running on ${dataDir}, but ${(inner as Error).message}.`, EXIT.error);
    }
  }
  try {
    fs.rmSync(path.join(pgdata, 'postmaster.pid'), { force: true }); // the lock proves no one owns it
    const db = await PGlite.create(pgdata);
    try {
      return { tar: Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer()), online: false };
    } finally {
      await db.close();
    }
  } finally {
    release();
  }
}

/** Opens a copy in memory, and reads its state there: the manifest describes what the file really holds. */
async function inspectCopy(
  tar: Buffer,
): Promise<{ state: DatabaseState; serverVersion: string; referenced: Set<string> }> {
  const db = await PGlite.create({ loadDataDir: new Blob([new Uint8Array(tar)]) });
  try {
    const state = await databaseState(pgliteQueryable(db));
    const v = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    const referenced = await referencedFiles(pgliteQueryable(db));
    return { state, serverVersion: v.rows[0]!.v, referenced };
  } finally {
    await db.close();
  }
}

export interface BackupResult {
  file: string;
  bytes: number;
  manifest: Manifest;
}

/** How often the embedded copy is taken again when a file its database names was deleted meanwhile. */
const EMBEDDED_ATTEMPTS = 3;

function filesManifest(staged: StagedFiles): FilesManifest {
  return { count: staged.names.length, bytes: staged.bytes, missing: staged.missing.length };
}

/** The database's tar, then the files' tar: one payload (restores read it with `tar --ignore-zeros`). */
function withFiles(database: AsyncIterable<Buffer> | Buffer, staged: StagedFiles): Readable {
  return Readable.from(
    (async function* () {
      if (Buffer.isBuffer(database)) yield database;
      else yield* database;
      yield* filesTar(staged);
    })(),
  );
}

/**
 * The data folder's copy, then the files its database names, hard-linked aside. The copy is a snapshot;
 * uploads write their file before their row commits, so every file it names was on disk when it was taken;
 * one missing from the files copy was deleted after the snapshot (its deletion committed, then the file was
 * removed): the running Halas is asked for a new copy, which no longer names it. A file still missing after
 * the last attempt is missing from the files folder itself and is counted in the manifest.
 */
async function backupEmbedded(config: Config, file: string, key: Buffer): Promise<BackupResult> {
  let tar: Buffer;
  let online: boolean;
  let inspected: Awaited<ReturnType<typeof inspectCopy>>;
  let staged: StagedFiles | undefined;
  for (let attempt = 1; ; attempt++) {
    staged?.remove();
    ({ tar, online } = await copyEmbedded(config.dataDir));
    inspected = await inspectCopy(tar);
    staged = stageFiles(config.filesDir, inspected.referenced);
    if (staged.missing.length === 0 || !online || attempt >= EMBEDDED_ATTEMPTS) break;
  }
  try {
    return await writeEmbedded(config, file, key, tar, online, inspected, staged);
  } finally {
    staged.remove();
  }
}

async function writeEmbedded(
  config: Config,
  file: string,
  key: Buffer,
  tar: Buffer,
  online: boolean,
  { state, serverVersion }: { state: DatabaseState; serverVersion: string },
  staged: StagedFiles,
): Promise<BackupResult> {
  const manifest: Manifest = {
    kind: 'halas-backup',
    version: 1,
    createdAt: new Date().toISOString(),
    engine: 'embedded',
    halasVersion: config.version,
    serverVersion,
    payload: 'pglite-data-dir',
    state,
    embedded: { online },
    files: filesManifest(staged),
  };
  const bytes = await writeBackupFile({ file, key, manifest, payload: withFiles(tar, staged) });
  return { file, bytes, manifest };
}

// ---------------------------------------------------------------------------------------------------------
// PostgreSQL server

async function serverFacts(url: string): Promise<{
  state: DatabaseState | null;
  error?: string;
  serverVersion: string;
  archiveMode: string;
  walLevel: string;
}> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const s = await client.query<{ v: string; a: string; w: string }>(
      "SELECT current_setting('server_version') AS v, current_setting('archive_mode') AS a, current_setting('wal_level') AS w",
    );
    const facts = { serverVersion: s.rows[0]!.v, archiveMode: s.rows[0]!.a, walLevel: s.rows[0]!.w };
    try {
      return { ...facts, state: await databaseState(client) };
    } catch (error) {
      return { ...facts, state: null, error: (error as Error).message };
    }
  } finally {
    await client.end();
  }
}

const HAS_FILES_TABLE_SQL = "SELECT to_regclass('public.person_files') IS NOT NULL AS present";

/**
 * Holds a SHARE lock on `person_files` (uploads and deletions of person files wait; reads go on) and reads
 * the files the database names under it. While it is held no change to that table can commit, so the rows
 * read now are the rows at every point until the release, and none of their files can be deleted meanwhile
 * (a person erased meanwhile only makes the set larger than needed; restore drops such files).
 */
async function lockFiles(url: string): Promise<{ referenced: Set<string>; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('BEGIN');
    await client.query('SET LOCAL row_security = off');
    await client.query("SET LOCAL lock_timeout = '60s'");
    const { rows } = await client.query<{ present: boolean }>(HAS_FILES_TABLE_SQL);
    if (rows[0]?.present) await client.query('LOCK TABLE person_files IN SHARE MODE');
    const referenced = await referencedFiles(client);
    return {
      referenced,
      async release() {
        await client.query('ROLLBACK').catch(() => {});
        await client.end().catch(() => {});
      },
    };
  } catch (error) {
    await client.end().catch(() => {});
    throw new BackupError(
      `Cannot hold the person files still for the backup: ${(error as Error).message} (uploads in progress did not finish within a minute, or the role may not lock person_files or read every row)`,
      EXIT.error,
    );
  }
}

/**
 * pg_basebackup (plain format, WAL streamed alongside, fast checkpoint) into a private temporary folder,
 * checked with pg_verifybackup, then streamed through tar into the encrypted file; the folder is deleted.
 * The manifest's checksums are read just before and just after; when they differ (writes during the
 * backup), they are left out, since the backup's consistent point lies somewhere between.
 *
 * Person files: a SHARE lock on `person_files` is held from before the first checksums until the base backup
 * ends (uploads and deletions of person files wait meanwhile; a wait beyond the statement timeout fails), and
 * the files named under that lock are hard-linked aside at its start. The backup's consistent point (its end)
 * lies inside the lock, so the rows it holds are exactly the ones named at the start, and their files were all
 * on disk then (written before their rows committed, deleted only after a deletion commits).
 */
async function backupPostgres(config: Config, file: string, key: Buffer): Promise<BackupResult> {
  const url = config.databaseUrl!;
  // First the files lock: an upload in flight finishes before anything is read (or later ones wait).
  const lock = await lockFiles(url);
  let locked = true;
  const unlock = async () => {
    if (!locked) return;
    locked = false;
    await lock.release();
  };
  let before: Awaited<ReturnType<typeof serverFacts>>;
  try {
    before = await serverFacts(url);
  } catch (error) {
    await unlock();
    throw new BackupError(`Cannot connect to the database: ${(error as Error).message}`, EXIT.error);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-backup-'));
  fs.chmodSync(tmp, 0o700);
  let staged: StagedFiles | undefined;
  try {
    const base = path.join(tmp, 'base');
    const label = `halas ${new Date().toISOString()}`;
    try {
      staged = stageFiles(config.filesDir, lock.referenced);
      await tool(config, 'pg_basebackup', [
        '-d',
        url,
        '-D',
        base,
        '-Fp',
        '-X',
        'stream',
        '-c',
        'fast',
        '--manifest-checksums=SHA256',
        '-l',
        label,
        '--no-password',
      ]);
    } finally {
      await unlock();
    }
    await tool(config, 'pg_verifybackup', ['-q', base]);
    const after = await serverFacts(url);
    const backupLabel = fs.readFileSync(path.join(base, 'backup_label'), 'utf8');
    const startLsn = /START WAL LOCATION: (\S+)/.exec(backupLabel)?.[1] ?? '';
    const timeline = Number(/START TIMELINE: (\d+)/.exec(backupLabel)?.[1] ?? 0);
    const stable = before.state && after.state && stateDifferences(before.state, after.state).length === 0;
    const manifest: Manifest = {
      kind: 'halas-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      engine: 'postgres',
      halasVersion: config.version,
      serverVersion: before.serverVersion,
      payload: 'pg-basebackup',
      state: stable ? before.state : null,
      ...(stable
        ? {}
        : {
            stateNote: before.error
              ? `checksums could not be read (${before.error}); back up with a superuser or a role with BYPASSRLS`
              : 'the database changed during the backup, so no exact checksums; verify with a restore drill',
          }),
      postgres: {
        startLsn,
        timeline,
        label,
        archiveMode: before.archiveMode,
        walLevel: before.walLevel,
        verified: 'pg_verifybackup',
      },
      files: filesManifest(staged),
    };
    const tar = spawn('tar', ['-C', base, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tarError = '';
    tar.stderr.on('data', (d) => {
      tarError += d;
    });
    const tarDone = new Promise<number | null>((resolve) => tar.on('close', resolve));
    const bytes = await writeBackupFile({ file, key, manifest, payload: withFiles(tar.stdout, staged) });
    const code = await tarDone;
    if (code !== 0) {
      fs.rmSync(file, { force: true });
      throw new BackupError(`tar failed: ${tarError.trim()}`, EXIT.error);
    }
    return { file, bytes, manifest };
  } finally {
    await unlock();
    staged?.remove();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export async function backup(config: Config, file: string, key: Buffer): Promise<BackupResult> {
  if (fs.existsSync(file)) throw new BackupError(`${file} already exists; choose another name.`, EXIT.error);
  return config.databaseUrl ? backupPostgres(config, file, key) : backupEmbedded(config, file, key);
}

// ---------------------------------------------------------------------------------------------------------
// Restore

function assertManifest(manifest: Record<string, unknown>): Manifest {
  if (manifest.kind !== 'halas-backup' || manifest.version !== 1)
    throw new BackupError('The backup manifest is of an unknown kind or version.', EXIT.refused);
  return manifest as unknown as Manifest;
}

/** Authenticates the whole file (every chunk and the payload) and returns its manifest; writes nothing. */
export async function verifyBackupFile(file: string, key: Buffer): Promise<Manifest> {
  try {
    return assertManifest((await readBackupFile(file, key)).manifest);
  } catch (error) {
    if (error instanceof BackupFileError)
      throw new BackupError(
        `The backup file was refused: ${error.message}. Nothing was written.`,
        EXIT.refused,
      );
    throw error;
  }
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z');

function nonEmpty(dir: string): boolean {
  return fs.existsSync(dir) && fs.readdirSync(dir).length > 0;
}

export interface RestoreResult {
  manifest: Manifest;
  /** Where the previous contents went (with --force). */
  movedAside?: string;
  /** The restored state (embedded: read back and compared with the manifest). */
  state?: DatabaseState;
  /** The person files put in place (absent when the backup holds none: the files folder was not touched). */
  files?: FilesResult;
}

export interface FilesResult {
  dir: string;
  /** Files the restored database names, taken from the backup. */
  fromBackup: number;
  /** Named files not in the backup, kept from the files folder (e.g. after point-in-time recovery). */
  fromCurrent: number;
  /** Named files found nowhere. */
  missing: number;
  /** Where the previous contents of the files folder went. */
  movedAside?: string;
}

function filesResult(dir: string, staged: FilesRestore, swapped: { movedAside?: string }): FilesResult {
  return {
    dir,
    fromBackup: staged.fromBackup,
    fromCurrent: staged.fromCurrent,
    missing: staged.missing,
    ...swapped,
  };
}

/**
 * Embedded: decrypts into memory (nothing is written until every chunk authenticated), loads the copy into
 * `<dataDir>/pgdata.restoring`, compares its state with the manifest, and only then puts it in place of
 * `pgdata` (an existing one is moved aside with `force`, never deleted). Halas must be stopped.
 *
 * The person files in the backup that the restored database names (and only those) are written to a folder
 * next to `filesDir` (default `<dataDir>/files`) and renamed into its place right after the database; a
 * non-empty files folder is moved aside with `force`, like the database.
 */
export async function restoreEmbedded(
  file: string,
  key: Buffer,
  dataDir: string,
  options: { force: boolean; filesDir?: string },
): Promise<RestoreResult> {
  const pgdata = path.join(dataDir, 'pgdata');
  const filesDir = path.resolve(options.filesDir ?? path.join(dataDir, 'files'));
  if (nonEmpty(pgdata) && !options.force)
    throw new BackupError(
      `${pgdata} already holds a database. Restore into an empty data folder, or add --force to move the current one aside (it is kept, not deleted).`,
      EXIT.notEmpty,
    );
  if (nonEmpty(filesDir) && !options.force)
    throw new BackupError(
      `${filesDir} already holds person files. Restore into an empty files folder, or add --force to move it aside (it is kept, not deleted).`,
      EXIT.notEmpty,
    );
  // Decrypt into memory first: nothing (not even the folder) is created unless the whole file authenticates.
  const { sink, data } = collect();
  let manifest: Manifest;
  try {
    manifest = assertManifest((await readBackupFile(file, key, sink)).manifest);
  } catch (error) {
    if (error instanceof BackupFileError)
      throw new BackupError(
        `The backup file was refused: ${error.message}. Nothing was written.`,
        EXIT.refused,
      );
    throw error;
  }
  if (manifest.engine !== 'embedded')
    throw new BackupError(
      'This is a backup of a PostgreSQL server: restore it with --pg-data-dir (see docs/operations.md).',
      EXIT.error,
    );
  let release: () => void;
  try {
    release = acquireDataDirLock(dataDir);
  } catch (error) {
    if (error instanceof DataDirLockedError)
      throw new BackupError(`${error.message} Stop Halas before restoring.`, EXIT.error);
    throw error;
  }
  const staging = path.join(dataDir, 'pgdata.restoring');
  let files: FilesRestore | undefined;
  try {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { mode: 0o700 });
    const payload = data();
    await untar(payload, staging);
    const db = await PGlite.create(staging);
    let state: DatabaseState;
    let referenced: Set<string>;
    try {
      state = await databaseState(pgliteQueryable(db));
      referenced = await referencedFiles(pgliteQueryable(db));
    } finally {
      await db.close();
    }
    const diff = manifest.state ? stateDifferences(manifest.state, state) : [];
    if (diff.length > 0) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw new BackupError(
        `The restored copy does not match the backup manifest (${diff.join(', ')}); nothing was put in place.`,
        EXIT.mismatch,
      );
    }
    if (manifest.files) files = await stageRestoredFiles(Readable.from([payload]), filesDir, referenced);
    let movedAside: string | undefined;
    if (fs.existsSync(pgdata)) {
      movedAside = `${pgdata}.before-restore-${stamp()}`;
      fs.renameSync(pgdata, movedAside);
    }
    fs.renameSync(staging, pgdata);
    const restoredFiles = files ? filesResult(filesDir, files, swapIn(files, filesDir)) : undefined;
    return {
      manifest,
      state,
      ...(movedAside ? { movedAside } : {}),
      ...(restoredFiles ? { files: restoredFiles } : {}),
    };
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (files) fs.rmSync(files.staging, { recursive: true, force: true });
    throw error;
  } finally {
    release();
  }
}

export interface PitrOptions {
  /** Folder of archived WAL segments (archive_command copied them there); makes the restore_command. */
  walArchive?: string;
  /** Or a restore_command of your own (e.g. fetching from object storage). */
  restoreCommand?: string;
  /** Recover to this time (ISO 8601 with zone), then promote. Needs archived WAL. */
  targetTime?: string;
}

const quoteConf = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * PostgreSQL: authenticates the whole file first (a pass that writes nothing), then unpacks the base backup
 * into `targetDir` (empty or absent; with `force`, an existing folder is moved aside), checks it with
 * pg_verifybackup, and, for point-in-time recovery, writes recovery.signal and the recovery settings.
 * Starting PostgreSQL on the folder (as its owner) is the operator's step.
 */
export async function restorePostgres(
  config: Config,
  file: string,
  key: Buffer,
  targetDir: string,
  options: { force: boolean } & PitrOptions,
): Promise<RestoreResult> {
  const manifest = await verifyBackupFile(file, key);
  if (manifest.engine !== 'postgres')
    throw new BackupError(
      'This is a backup of the embedded engine: restore it with --data-dir (or HALAS_DATA_DIR).',
      EXIT.error,
    );
  if (options.targetTime && !(options.walArchive || options.restoreCommand))
    throw new BackupError('--target-time needs --wal-archive DIR or --restore-command CMD.', EXIT.error);
  if (options.targetTime && Number.isNaN(Date.parse(options.targetTime)))
    throw new BackupError('--target-time must be a date and time, e.g. 2026-11-28T05:10:00Z', EXIT.error);
  let movedAside: string | undefined;
  if (nonEmpty(targetDir)) {
    if (!options.force)
      throw new BackupError(
        `${targetDir} is not empty. Restore into an empty folder, or add --force to move it aside (it is kept, not deleted).`,
        EXIT.notEmpty,
      );
    if (fs.existsSync(path.join(targetDir, 'postmaster.pid')))
      throw new BackupError(
        `A PostgreSQL server seems to run on ${targetDir} (postmaster.pid): stop it first.`,
        1,
      );
    movedAside = `${targetDir.replace(/\/+$/, '')}.before-restore-${stamp()}`;
    fs.renameSync(targetDir, movedAside);
  }
  fs.mkdirSync(targetDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(targetDir, 0o700);
  // --ignore-zeros: read to the very end instead of stopping at the end-of-archive blocks, so that the stream
  // we write is consumed whole (tar closing its input early would break the pipe)
  // the person files travel after the base backup; they are restored with --files once the server runs
  const tar = spawn(
    'tar',
    ['-C', targetDir, '--ignore-zeros', `--exclude=${FILES_PREFIX.slice(0, -1)}`, '-xf', '-'],
    {
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
  let tarError = '';
  tar.stderr.on('data', (d) => {
    tarError += d;
  });
  const tarDone = new Promise<number | null>((resolve) => tar.on('close', resolve));
  const emptyTarget = () => {
    for (const name of fs.readdirSync(targetDir))
      fs.rmSync(path.join(targetDir, name), { recursive: true, force: true });
  };
  try {
    await readBackupFile(file, key, tar.stdin);
  } catch (error) {
    tar.kill();
    await tarDone;
    emptyTarget();
    if (error instanceof BackupFileError)
      throw new BackupError(
        `The backup file was refused while unpacking: ${error.message}. The target was emptied.`,
        2,
      );
    throw error;
  }
  if ((await tarDone) !== 0) {
    emptyTarget();
    throw new BackupError(`tar failed: ${tarError.trim()}`, EXIT.error);
  }
  try {
    await tool(config, 'pg_verifybackup', ['-q', targetDir]);
  } catch (error) {
    emptyTarget();
    throw new BackupError(
      `The unpacked base backup does not verify: ${(error as Error).message}`,
      EXIT.mismatch,
    );
  }
  // Recovery settings go to postgresql.auto.conf (read last, so they win over postgresql.conf).
  const restoreCommand =
    options.restoreCommand ??
    (options.walArchive ? `cp ${quoteShell(path.resolve(options.walArchive))}/%f %p` : undefined);
  const lines = ['', `# Added by npm run restore (${new Date().toISOString()})`];
  if (restoreCommand) {
    lines.push(`restore_command = ${quoteConf(restoreCommand)}`);
    if (options.targetTime) {
      // PostgreSQL's own format: its check of this setting refuses ISO 8601's 'T' and 'Z'
      const target = new Date(options.targetTime).toISOString().replace('T', ' ').replace('Z', '+00');
      lines.push(`recovery_target_time = ${quoteConf(target)}`);
      lines.push("recovery_target_action = 'promote'");
    }
    fs.writeFileSync(path.join(targetDir, 'recovery.signal'), '', { mode: 0o600 });
    fs.appendFileSync(path.join(targetDir, 'postgresql.auto.conf'), `${lines.join('\n')}\n`);
  }
  return { manifest, ...(movedAside ? { movedAside } : {}) };
}

/**
 * PostgreSQL, after the restored server was started: puts in place of `filesDir` exactly the person files
 * that its database (DATABASE_URL) names: from the backup, else (point-in-time recovery past the backup) from
 * the current files folder. The file is authenticated whole first; the new folder is built next to the files
 * folder and renamed into place; a non-empty files folder needs `force` and is moved aside (kept).
 */
export async function restoreFiles(
  file: string,
  key: Buffer,
  url: string,
  filesDir: string,
  options: { force: boolean },
): Promise<{ manifest: Manifest; files: FilesResult }> {
  const manifest = await verifyBackupFile(file, key);
  if (manifest.engine !== 'postgres')
    throw new BackupError(
      'This is a backup of the embedded engine: its files are restored with the database (--data-dir).',
      EXIT.error,
    );
  if (!manifest.files)
    throw new BackupError('This backup holds no person files (it was made before they were included).', 1);
  const dir = path.resolve(filesDir);
  if (nonEmpty(dir) && !options.force)
    throw new BackupError(
      `${dir} already holds person files. Add --force to replace them by the restored set (the current folder is moved aside, not deleted).`,
      EXIT.notEmpty,
    );
  let referenced: Set<string>;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // every row, or an error: a role that saw fewer rows would make us drop files that are still named
    await client.query('SET LOCAL row_security = off');
    referenced = await referencedFiles(client);
    await client.query('ROLLBACK');
  } catch (error) {
    throw new BackupError(
      `Cannot read which files the restored database names: ${(error as Error).message}`,
      EXIT.error,
    );
  } finally {
    await client.end().catch(() => {});
  }
  const pass = new PassThrough();
  const staging = stageRestoredFiles(pass, dir, referenced);
  staging.catch((error: unknown) => pass.destroy(error as Error));
  try {
    await readBackupFile(file, key, pass);
  } catch (error) {
    await staging.catch(() => {});
    if (error instanceof BackupFileError)
      throw new BackupError(
        `The backup file was refused while unpacking: ${error.message}. The files folder was not touched.`,
        EXIT.refused,
      );
    throw error;
  }
  const staged = await staging;
  try {
    return { manifest, files: filesResult(dir, staged, swapIn(staged, dir)) };
  } catch (error) {
    fs.rmSync(staged.staging, { recursive: true, force: true });
    throw error;
  }
}

function quoteShell(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/** Reads the state of a PostgreSQL database (to compare a restored server with its manifest). */
export async function postgresState(url: string): Promise<DatabaseState> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await databaseState(client);
  } finally {
    await client.end();
  }
}
