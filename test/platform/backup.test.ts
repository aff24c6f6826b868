/**
 * G36: backups proven by restoring them. On each engine: data written through the app, `npm run backup`,
 * more data, `npm run restore` into a fresh folder or cluster; the restored database must equal the state at
 * the backup exactly (per-table checksums), hold nothing written later, verify its audit chain and signed
 * checkpoints, and serve a signed-in read. A backup file with one byte flipped is refused and writes
 * nothing. On a PostgreSQL cluster with WAL archiving, point-in-time recovery to T keeps what was committed
 * before T and nothing after.
 *
 * Person files travel with the database: a file uploaded before the backup downloads with identical bytes
 * from the restored instance; one uploaded after it is gone from database and files folder. An upload in
 * flight when the backup starts (PostgreSQL: held mid-transaction; embedded: an upload and a deletion landing
 * between the snapshot and the copy of the files) never yields a restored row whose file is missing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { type Config, loadConfig, projectRoot } from '../../src/server/config/index.js';
import { type Database, openDatabase, runMigrations } from '../../src/server/db/index.js';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import {
  loadCheckpointKey,
  verifyCheckpoints,
  writeCheckpoint,
} from '../../src/server/platform/audit-checkpoint.js';
import { readBackupFile, readManifest, writeBackupFile } from '../../src/server/platform/backup/container.js';
import { startControlChannel } from '../../src/server/platform/backup/control.js';
import { type DatabaseState, databaseState } from '../../src/server/platform/backup/state.js';
import { keyringFromKeys } from '../../src/server/platform/crypto/index.js';
import { secretsFromKey } from '../../src/server/platform/secrets.js';
import { createAgency, signIn } from '../factories/index.js';
import { staff } from '../persons/support.js';
import { FakeClock, type TestApp } from '../support/app.js';
import { Browser, SAME_ORIGIN } from '../support/http.js';
import { createPgCluster, type PgCluster } from '../support/pg-cluster.js';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-backup-test-'));
const clusters: PgCluster[] = [];
const cleanup: string[] = [tmp];
afterAll(() => {
  for (const c of clusters) c.destroy();
  for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
});

// One set of keys for the original and the restored instance (they are kept apart from the backups).
const kekId = `kek-${randomBytes(3).toString('hex')}`;
const keyring = keyringFromKeys({
  keks: [[kekId, randomBytes(32)]],
  activeKekId: kekId,
  blindIndexKey: randomBytes(32),
});
const secrets = secretsFromKey(randomBytes(32));
const backupKeyFile = path.join(tmp, 'keys', 'backup.key');

/** Runs one of our CLIs as its own process, as an operator would. */
function cli(
  name: 'backup' | 'restore',
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `src/server/cli/${name}.ts`, ...args], {
      cwd: projectRoot,
      env: { ...process.env, NODE_ENV: 'test', HALAS_BACKUP_KEY_FILE: backupKeyFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function stateOf(pool: pg.Pool): Promise<DatabaseState> {
  const client = await pool.connect();
  try {
    return await databaseState(client);
  } finally {
    client.release();
  }
}

/** The app on an opened database, shaped like the test helper's TestApp so the factories work. */
async function appOn(db: Database, config: Config): Promise<TestApp> {
  await runMigrations(db, config.migrationsDir);
  const clock = new FakeClock(new Date());
  const deps = { config, db, secrets, keyring, clock: clock.now };
  const app = await buildApp(deps);
  return {
    engine: db.engine,
    app,
    deps,
    clock,
    admin: db.pool,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

const IDENTITY = { names: [{ value: 'Maral Nurmuhammedowa', kind: 'primary' }], birthDate: '2001-02-03' };

/** A slice of real use: agencies, staff, persons with encrypted identity, a consent; each audited. */
async function workload(t: TestApp) {
  const hotline = (await createAgency(t, { type: 'hotline_ngo' })).id;
  const shelter = (await createAgency(t, { type: 'rehabilitation_centre' })).id;
  const operator = await staff(t, hotline, ['hotline_operator']);
  const manager = await staff(t, hotline, ['case_manager']);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await operator.post('/api/persons', { sex: 'female', birthYear: 2001, identity: IDENTITY });
    expect(res.statusCode, res.body).toBe(201);
    ids.push(res.json().person.id);
  }
  const consent = await manager.post(`/api/persons/${ids[0]}/consents`, {
    purpose: 'referral',
    recipientAgencyId: shelter,
    dataClasses: ['identity'],
    givenBy: 'person',
    evidence: 'signed_form',
    givenAt: t.clock.now().toISOString(),
  });
  expect(consent.statusCode, consent.body).toBe(201);
  return { hotline, personIds: ids, managerId: manager.userId, manager };
}

/** A photo (a JPEG by its first bytes) of random content. */
const photo = () =>
  Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(3000), Buffer.from([0xff, 0xd9])]);

interface Uploaded {
  id: string;
  personId: string;
  bytes: Buffer;
  storageName: string;
}

/** A person file uploaded through the API, as the web client does; with its storage name on disk. */
async function upload(
  t: TestApp,
  who: { cookie: string | undefined },
  personId: string,
  idempotencyKey = true,
): Promise<Uploaded> {
  const bytes = photo();
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/persons/${personId}/files?kind=photo`,
    headers: {
      ...SAME_ORIGIN,
      cookie: who.cookie ?? '',
      'content-type': 'application/octet-stream',
      ...(idempotencyKey ? { 'idempotency-key': randomUUID() } : {}),
    },
    payload: bytes,
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const { rows } = await t.admin.query('SELECT storage_name FROM person_files WHERE id = $1', [id]);
  return { id, personId, bytes, storageName: rows[0].storage_name };
}

/** Downloads a file through the API of a (restored) instance as a signed-in user. */
async function download(t: TestApp, userId: string, f: Uploaded) {
  const b = new Browser(t);
  b.cookie = await signIn(t, userId);
  return b.get(`/api/persons/${f.personId}/files/${f.id}`);
}

/** The stored names in a files folder, sorted. */
const onDisk = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

/** Every file row of a restored instance has its file, and the folder holds nothing else. */
async function filesMatchRows(t: TestApp): Promise<string[]> {
  const { rows } = await t.admin.query<{ storage_name: string }>(
    'SELECT storage_name FROM person_files ORDER BY storage_name',
  );
  const names = rows.map((r) => r.storage_name);
  expect(onDisk(t.deps.config.filesDir)).toEqual(names);
  return names;
}

/** One byte in the middle of the file flipped. */
function tampered(file: string): string {
  const copy = `${file}.tampered`;
  const bytes = fs.readFileSync(file);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  fs.writeFileSync(copy, bytes, { mode: 0o600 });
  return copy;
}

/** Checkpoints up to the restored head must all verify; the ones after it must not match. */
async function checkpointsAgainst(pool: pg.Pool, checkpointFile: string, keyFile: string, head: number) {
  const lines = fs.readFileSync(checkpointFile, 'utf8').split('\n').filter(Boolean);
  const upTo = path.join(tmp, `cp-${randomBytes(3).toString('hex')}.jsonl`);
  const after = lines.filter((l) => JSON.parse(l).seq > head);
  fs.writeFileSync(upTo, `${lines.filter((l) => JSON.parse(l).seq <= head).join('\n')}\n`);
  const before = await verifyCheckpoints(pool, upTo, loadCheckpointKey(keyFile));
  fs.writeFileSync(`${upTo}.after`, `${after.join('\n')}\n`);
  const afterResult = await verifyCheckpoints(pool, `${upTo}.after`, loadCheckpointKey(keyFile));
  return { before, after: afterResult, laterCount: after.length };
}

/** Boots the app on the restored database and reads a person's encrypted identity as a signed-in user. */
async function signedInRead(t: TestApp, managerId: string, personId: string) {
  const b = new Browser(t);
  b.cookie = await signIn(t, managerId);
  const res = await b.get(`/api/persons/${personId}/fields?classes=identity`);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().identity.names[0].value).toBe(IDENTITY.names[0]!.value);
}

describe('backup and restore on the embedded engine', () => {
  it('backs up the running instance, and restores exactly that state into a fresh folder', async () => {
    const dataDir = path.join(tmp, 'embedded');
    const config = loadConfig({ NODE_ENV: 'test', HALAS_DEMO: 'false', HALAS_DATA_DIR: dataDir });
    const db = await openDatabase(config); // on disk, holding the folder's lock like a running Halas
    // like main.ts, plus a hook that runs right after the snapshot (before the CLI copies the files)
    let afterDump: (() => Promise<void>) | undefined;
    let dumps = 0;
    const control = await startControlChannel(dataDir, async () => {
      const blob = await db.embedded!.pglite.dumpDataDir('none');
      dumps++;
      const hook = afterDump;
      afterDump = undefined;
      if (hook) await hook();
      return blob;
    });
    const t = await appOn(db, config);
    const checkpointKey = path.join(dataDir, 'audit', 'checkpoint-signing.pem');
    const checkpointFile = path.join(dataDir, 'audit', 'checkpoints.jsonl');
    let restored: TestApp | undefined;
    let restored2: TestApp | undefined;
    try {
      const before = await workload(t);
      const first = await upload(t, before.manager, before.personIds[0]!);
      await writeCheckpoint(db.pool, checkpointFile, loadCheckpointKey(checkpointKey));
      const atBackup = await stateOf(db.pool);
      expect(atBackup.tables.persons!.rows).toBe(3);

      const out = path.join(tmp, 'embedded.halas-backup');
      const made = await cli('backup', ['--out', out], { HALAS_DATA_DIR: dataDir });
      expect(made.code, made.out).toBe(0);
      expect(made.out).toContain('copied from the running Halas');
      expect(made.out).not.toContain(IDENTITY.names[0]!.value);
      expect(fs.statSync(backupKeyFile).mode & 0o777).toBe(0o600);
      expect(fs.statSync(out).mode & 0o777).toBe(0o600);
      // encrypted at rest: no table name, no SQL text, no PostgreSQL file header in the clear
      const raw = fs.readFileSync(out);
      for (const needle of ['audit_events', 'PG_VERSION', 'persons', 'postgresql.conf'])
        expect(raw.includes(Buffer.from(needle))).toBe(false);
      const manifest = await readManifest(out, keyOf());
      expect(manifest.state).toEqual(atBackup);
      expect(manifest.engine).toBe('embedded');
      expect(manifest.files).toEqual({ count: 1, bytes: expect.any(Number), missing: 0 });
      expect(raw.includes(first.bytes.subarray(4, 64))).toBe(false);
      expect(
        raw.includes(fs.readFileSync(path.join(config.filesDir, first.storageName)).subarray(0, 64)),
      ).toBe(false);

      // written after the backup: must not come back
      const later = await workload(t);
      const second = await upload(t, before.manager, before.personIds[1]!);
      expect(onDisk(config.filesDir)).toEqual([first.storageName, second.storageName].sort());
      await writeCheckpoint(db.pool, checkpointFile, loadCheckpointKey(checkpointKey));

      // one flipped byte: refused, nothing written
      const target = path.join(tmp, 'embedded-restored');
      const bad = await cli('restore', ['--file', tampered(out), '--data-dir', target], {});
      expect(bad.code, bad.out).toBe(2);
      expect(bad.out).toMatch(/does not authenticate.*Nothing was written/);
      expect(fs.existsSync(target)).toBe(false);

      // restored over a files folder that holds both files (like the live one): only the first remains
      const filesTarget = path.join(tmp, 'embedded-restored-files');
      fs.cpSync(config.filesDir, filesTarget, { recursive: true });
      const ok = await cli(
        'restore',
        ['--file', out, '--data-dir', target, '--files-dir', filesTarget, '--force'],
        {},
      );
      expect(ok.code, ok.out).toBe(0);
      expect(ok.out).toContain('every table matches the manifest');
      expect(ok.out).toContain('person files: 1 from the backup');
      expect(onDisk(filesTarget)).toEqual([first.storageName]);
      expect(ok.out).toMatch(/audit chain verified: \d+ events/);
      // a second restore onto it is refused without --force
      const again = await cli('restore', ['--file', out, '--data-dir', target], {});
      expect(again.code, again.out).toBe(4);

      const restoredConfig = loadConfig({
        NODE_ENV: 'test',
        HALAS_DEMO: 'false',
        HALAS_DATA_DIR: target,
        HALAS_FILES_DIR: filesTarget,
      });
      restored = await appOn(await openDatabase(restoredConfig), restoredConfig);
      expect(await stateOf(restored.admin)).toEqual(atBackup);
      const gone = await restored.admin.query('SELECT count(*)::int AS n FROM persons WHERE id = ANY($1)', [
        later.personIds,
      ]);
      expect(gone.rows[0].n).toBe(0);
      expect(await verifyAuditChain(restored.admin)).toEqual({ ok: true, checked: atBackup.auditHead.seq });
      const cps = await checkpointsAgainst(
        restored.admin,
        checkpointFile,
        checkpointKey,
        atBackup.auditHead.seq,
      );
      expect(cps.before.ok).toBe(true);
      expect(cps.before.checked).toBeGreaterThanOrEqual(1);
      expect(cps.laterCount).toBeGreaterThanOrEqual(1);
      expect(cps.after.ok).toBe(false); // history after the backup is visibly missing, not silently rewritten
      await signedInRead(restored, before.managerId, before.personIds[0]!);

      // the file uploaded before the backup: identical bytes through the API; the later one: no row, no file
      const down = await download(restored, before.managerId, first);
      expect(down.statusCode, down.body).toBe(200);
      expect(down.rawPayload.equals(first.bytes)).toBe(true);
      expect(await filesMatchRows(restored)).toEqual([first.storageName]);
      const later404 = await download(restored, before.managerId, second);
      expect(later404.statusCode).toBe(404);
      expect(fs.existsSync(path.join(filesTarget, second.storageName))).toBe(false);

      // A second backup while files change: right after the snapshot, an upload commits (its row is not in
      // the snapshot, its file is on disk) and the first file is deleted (its row is in the snapshot, its file
      // is gone before the CLI copies the files). The copy is taken again; no restored row lacks its file.
      let racing: Uploaded | undefined;
      afterDump = async () => {
        racing = await upload(t, before.manager, before.personIds[2]!);
        const del = await before.manager.delete(`/api/persons/${first.personId}/files/${first.id}`);
        expect(del.statusCode, del.body).toBe(204);
      };
      dumps = 0;
      const out2 = path.join(tmp, 'embedded-2.halas-backup');
      const made2 = await cli('backup', ['--out', out2], { HALAS_DATA_DIR: dataDir });
      expect(made2.code, made2.out).toBe(0);
      expect(dumps).toBe(2);
      expect((await readManifest(out2, keyOf())).files).toEqual({
        count: 2,
        bytes: expect.any(Number),
        missing: 0,
      });
      const target2 = path.join(tmp, 'embedded-restored-2');
      const ok2 = await cli('restore', ['--file', out2, '--data-dir', target2], {});
      expect(ok2.code, ok2.out).toBe(0);
      const restoredConfig2 = loadConfig({ NODE_ENV: 'test', HALAS_DEMO: 'false', HALAS_DATA_DIR: target2 });
      restored2 = await appOn(await openDatabase(restoredConfig2), restoredConfig2);
      expect(await filesMatchRows(restored2)).toEqual([second.storageName, racing!.storageName].sort());
      for (const f of [second, racing!]) {
        const res = await download(restored2, before.managerId, f);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.rawPayload.equals(f.bytes)).toBe(true);
      }
    } finally {
      await restored2?.close();
      await restored?.close();
      await control.close();
      await t.close();
    }
  }, 300_000);
});

function keyOf(): Buffer {
  return Buffer.from(fs.readFileSync(backupKeyFile, 'utf8').trim(), 'base64');
}

/** A fresh cluster's data folder, emptied, ready to receive a restore (then started as postgres). */
async function emptyCluster(): Promise<PgCluster> {
  const c = await createPgCluster();
  clusters.push(c);
  c.stop();
  fs.rmSync(c.dataDir, { recursive: true, force: true });
  return c;
}

/** Starts a cluster on a restored folder: PostgreSQL runs as `postgres`, so the files must be its own. */
function startRestored(c: PgCluster) {
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', c.dataDir]);
  try {
    c.start();
  } catch (error) {
    const log = path.join(c.dir, 'server.log');
    throw new Error(`${(error as Error).message}\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`);
  }
}

async function waitPromoted(url: string) {
  const until = Date.now() + 60_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      const { rows } = await client.query('SELECT pg_is_in_recovery() AS r');
      if (!rows[0].r) return;
    } catch {
      // still starting
    } finally {
      await client.end().catch(() => {});
    }
    if (Date.now() > until) throw new Error('the restored server did not finish recovery');
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<[T, ...T[]]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows as [T, ...T[]];
  } finally {
    await client.end();
  }
}

describe('backup and restore on a PostgreSQL server', () => {
  it('takes a verified base backup, restores it exactly, and recovers to a point in time from archived WAL', async () => {
    // the archive must be reachable by the server's user (postgres when we run as root)
    const archive = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-wal-'));
    if (asRoot) execFileSync('chown', ['postgres:postgres', archive]);
    cleanup.push(archive);
    const source = await createPgCluster({
      wal_level: 'replica',
      archive_mode: 'on',
      archive_command: `'cp %p ${archive}/%f'`,
      archive_timeout: '300',
    });
    clusters.push(source);
    await query(source.url(), 'CREATE DATABASE halas');
    const dataDir = path.join(tmp, 'server-data');
    const env = { DATABASE_URL: source.url('halas'), HALAS_DATA_DIR: dataDir };
    const config = loadConfig({ NODE_ENV: 'test', ...env });
    const t = await appOn(await openDatabase(config), config);
    const checkpointKey = path.join(dataDir, 'audit', 'checkpoint-signing.pem');
    const checkpointFile = path.join(dataDir, 'audit', 'checkpoints.jsonl');
    const opened: TestApp[] = [];
    try {
      const before = await workload(t);
      const first = await upload(t, before.manager, before.personIds[0]!);
      await writeCheckpoint(t.admin, checkpointFile, loadCheckpointKey(checkpointKey));

      // An upload in flight when the backup starts: its file is written and its row inserted, but it cannot
      // commit yet (the audit head is held here). The backup waits for it before it reads anything.
      const holder = await t.admin.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE');
      // (no Idempotency-Key: storing the replay answer is a second write just after the commit, which could
      // land while the backup compares the database before and after, and void the manifest's state)
      const uploading = upload(t, before.manager, before.personIds[1]!, false);
      const lockOnFiles = async (mode: string, granted: boolean) => {
        for (const until = Date.now() + 60_000; ; ) {
          const { rows } = await holder.query(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
              WHERE c.relname = 'person_files' AND l.mode = $1 AND l.granted = $2 AND l.pid <> pg_backend_pid()`,
            [mode, granted],
          );
          if (rows[0].n > 0) return;
          if (Date.now() > until) throw new Error(`no ${mode} (granted: ${granted}) on person_files`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await lockOnFiles('RowExclusiveLock', true); // the upload's row is inserted, its file on disk
      const out = path.join(tmp, 'server.halas-backup');
      const making = cli('backup', ['--out', out], env);
      await lockOnFiles('ShareLock', false); // the backup waits for the upload
      await holder.query('COMMIT');
      holder.release();
      const inFlight = await uploading;
      const made = await making;
      expect(made.code, made.out).toBe(0);
      expect(made.out).toContain('checked by pg_verifybackup');
      expect(made.out).toContain('2 person files');
      const atBackup = await stateOf(t.admin);
      const manifest = await readManifest(out, keyOf());
      expect(manifest.engine).toBe('postgres');
      expect(manifest.state).toEqual(atBackup);
      expect(manifest.files).toEqual({ count: 2, bytes: expect.any(Number), missing: 0 });

      // B: committed before T; C: after T
      const b = await workload(t);
      const [{ t: pointInTime }] = await query<{ t: string }>(
        source.url('halas'),
        'SELECT to_char(clock_timestamp() AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') AS t',
      );
      await new Promise((r) => setTimeout(r, 1100));
      const c = await workload(t);
      const second = await upload(t, before.manager, before.personIds[2]!);
      await writeCheckpoint(t.admin, checkpointFile, loadCheckpointKey(checkpointKey));
      const [{ w }] = await query<{ w: string }>(
        source.url(),
        'SELECT pg_walfile_name(pg_switch_wal()) AS w',
      );
      for (const until = Date.now() + 30_000; ; ) {
        const [{ last }] = await query<{ last: string | null }>(
          source.url(),
          'SELECT last_archived_wal AS last FROM pg_stat_archiver',
        );
        if (last && last >= w) break;
        if (Date.now() > until) throw new Error('WAL was not archived');
        await new Promise((r) => setTimeout(r, 200));
      }

      // tampered: refused before anything is written
      const plainTarget = await emptyCluster();
      const bad = await cli('restore', ['--file', tampered(out), '--pg-data-dir', plainTarget.dataDir], {});
      expect(bad.code, bad.out).toBe(2);
      expect(bad.out).toMatch(/does not authenticate.*Nothing was written/);
      expect(fs.existsSync(plainTarget.dataDir)).toBe(false);

      // 1. the base backup alone: exactly the state at the backup
      const plain = await cli('restore', ['--file', out, '--pg-data-dir', plainTarget.dataDir], {});
      expect(plain.code, plain.out).toBe(0);
      expect(plain.out).toContain('pg_verifybackup passed');
      startRestored(plainTarget);
      const compareEnv = { DATABASE_URL: plainTarget.url('halas') };
      const same = await cli('restore', ['--file', out, '--compare'], compareEnv);
      expect(same.code, same.out).toBe(0);
      expect(same.out).toContain('equals the backup manifest');
      // the person files: the live files folder becomes exactly the set the restored database names
      expect(onDisk(config.filesDir)).toEqual(
        [first.storageName, inFlight.storageName, second.storageName].sort(),
      );
      const filesEnv = { DATABASE_URL: plainTarget.url('halas'), HALAS_DATA_DIR: dataDir };
      const refused = await cli('restore', ['--file', out, '--files'], filesEnv);
      expect(refused.code, refused.out).toBe(4);
      const filesOk = await cli('restore', ['--file', out, '--files', '--force'], filesEnv);
      expect(filesOk.code, filesOk.out).toBe(0);
      expect(filesOk.out).toContain('person files: 2 from the backup');
      expect(onDisk(config.filesDir)).toEqual([first.storageName, inFlight.storageName].sort());
      const restoredConfig = loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: plainTarget.url('halas'),
        HALAS_DATA_DIR: dataDir,
      });
      const restored = await appOn(await openDatabase(restoredConfig), restoredConfig);
      opened.push(restored);
      expect(await stateOf(restored.admin)).toEqual(atBackup);
      const absent = await restored.admin.query('SELECT count(*)::int AS n FROM persons WHERE id = ANY($1)', [
        [...b.personIds, ...c.personIds],
      ]);
      expect(absent.rows[0].n).toBe(0);
      expect(await verifyAuditChain(restored.admin)).toEqual({ ok: true, checked: atBackup.auditHead.seq });
      const cps = await checkpointsAgainst(
        restored.admin,
        checkpointFile,
        checkpointKey,
        atBackup.auditHead.seq,
      );
      expect(cps.before.ok && cps.before.checked >= 1).toBe(true);
      expect(cps.after.ok).toBe(false);
      await signedInRead(restored, before.managerId, before.personIds[0]!);
      expect(await filesMatchRows(restored)).toEqual([first.storageName, inFlight.storageName].sort());
      for (const f of [first, inFlight]) {
        const res = await download(restored, before.managerId, f);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.rawPayload.equals(f.bytes)).toBe(true);
      }
      expect((await download(restored, before.managerId, second)).statusCode).toBe(404);
      expect(fs.existsSync(path.join(config.filesDir, second.storageName))).toBe(false);
      // the sign-in above wrote a session (and its audit event): --compare now sees the difference
      const changed = await cli('restore', ['--file', out, '--compare'], compareEnv);
      expect(changed.code, changed.out).toBe(3);
      expect(changed.out).toMatch(/differs from the backup manifest in: .*sessions/);

      // 2. point in time: base backup + archived WAL up to T
      const pitrTarget = await emptyCluster();
      const pitr = await cli(
        'restore',
        [
          '--file',
          out,
          '--pg-data-dir',
          pitrTarget.dataDir,
          '--wal-archive',
          archive,
          '--target-time',
          pointInTime,
        ],
        {},
      );
      expect(pitr.code, pitr.out).toBe(0);
      startRestored(pitrTarget);
      await waitPromoted(pitrTarget.url('halas'));
      const pitrConfig = loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: pitrTarget.url('halas'),
        HALAS_DATA_DIR: dataDir,
      });
      const recovered = await appOn(await openDatabase(pitrConfig), pitrConfig);
      opened.push(recovered);
      const present = await recovered.admin.query<{ id: string }>('SELECT id FROM persons');
      const ids = present.rows.map((r) => r.id).sort();
      expect(ids).toEqual([...before.personIds, ...b.personIds].sort());
      const chain = await verifyAuditChain(recovered.admin);
      expect(chain.ok).toBe(true);
      expect(chain.checked).toBeGreaterThan(atBackup.auditHead.seq);
      await signedInRead(recovered, b.managerId, b.personIds[1]!);
      expect(await filesMatchRows(recovered)).toEqual([first.storageName, inFlight.storageName].sort());
    } finally {
      for (const o of opened) await o.close();
      await t.close();
    }
  }, 300_000);
});

describe('the encrypted backup file', () => {
  it('round-trips, and refuses a wrong key, a truncated file, a swapped or an appended chunk', async () => {
    const key = randomBytes(32);
    const payload = randomBytes(2.5 * 1024 * 1024); // incompressible: three chunks after gzip
    const file = path.join(tmp, 'unit.halas-backup');
    await writeBackupFile({ file, key, manifest: { kind: 'test' }, payload: Readable.from([payload]) });
    const read = async (f: string, k = key) => {
      const parts: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          parts.push(chunk);
          cb();
        },
      });
      const { manifest } = await readBackupFile(f, k, sink);
      return { manifest, data: Buffer.concat(parts) };
    };
    const back = await read(file);
    expect(back.manifest).toEqual({ kind: 'test' });
    expect(back.data.equals(payload)).toBe(true);

    await expect(read(file, randomBytes(32))).rejects.toThrow(/another backup key/);
    const bytes = fs.readFileSync(file);
    const headerEnd = 12 + bytes.readUInt32BE(8);
    const recordLength = (at: number) => 4 + bytes.readUInt32BE(at) + 16;
    const first = recordLength(headerEnd);
    const second = recordLength(headerEnd + first);
    const variant = (name: string, content: Buffer) => {
      const f = path.join(tmp, `unit-${name}`);
      fs.writeFileSync(f, content);
      return f;
    };
    // cut after the first two records: every remaining record authenticates, but the last is not final
    await expect(read(variant('cut', bytes.subarray(0, headerEnd + first + second)))).rejects.toThrow(
      /cut short/,
    );
    const r1 = bytes.subarray(headerEnd, headerEnd + first);
    const r2 = bytes.subarray(headerEnd + first, headerEnd + first + second);
    const rest = bytes.subarray(headerEnd + first + second);
    await expect(
      read(variant('swapped', Buffer.concat([bytes.subarray(0, headerEnd), r2, r1, rest]))),
    ).rejects.toThrow(/does not authenticate/);
    await expect(read(variant('appended', Buffer.concat([bytes, r1])))).rejects.toThrow(
      /does not authenticate/,
    );
    await expect(read(variant('garbage', randomBytes(4096)))).rejects.toThrow(/not a Halas backup/);
  });
});
