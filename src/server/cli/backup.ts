import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/index.js';
import { BackupError, backup, loadBackupKey } from '../platform/backup/index.js';
import { cliFail } from './shared.js';

/**
 * `npm run backup -- --out FILE|FOLDER`: an encrypted, verified backup of the configured database (G36).
 *
 *   PostgreSQL (DATABASE_URL): pg_basebackup with its WAL, checked by pg_verifybackup, as one encrypted file.
 *   Embedded: a consistent copy of the data folder, taken by the running Halas through its private backup
 *   channel (or by opening the folder when Halas is stopped).
 *
 * The file is AES-256-GCM under the backup key (HALAS_BACKUP_KEY_FILE, default <data>/backup/backup.key,
 * created on first use) and holds a manifest: time, engine, versions, per-table row counts and checksums,
 * audit head. The person files (HALAS_FILES_DIR) the database names are in it too, copied consistently with
 * the database (docs/adr/0012). The master keys are NOT in it: back them up separately (docs/operations.md, "Keys").
 *
 * Exit status: 0 written; 1 error (no file written).
 */
const USAGE = `Usage: npm run backup -- --out FILE|FOLDER [--key FILE]
  --out   the backup file to write, or an existing folder (the name is then halas-<engine>-<time>.halas-backup)
  --key   the backup key file (default: HALAS_BACKUP_KEY_FILE or <data>/backup/backup.key; created if missing)`;

let args: { out?: string; key?: string; help?: boolean };
try {
  args = parseArgs({
    options: { out: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }).values;
} catch (error) {
  cliFail(`${(error as Error).message}\n${USAGE}`);
}
if (args.help) {
  console.info(USAGE);
  process.exit(0);
}
if (!args.out) cliFail(`--out is required.\n${USAGE}`);

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) cliFail(error.message);
  throw error;
}
const engine = config.databaseUrl ? 'postgres' : 'embedded';
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z');
const out = path.resolve(args.out);
const file =
  fs.existsSync(out) && fs.statSync(out).isDirectory()
    ? path.join(out, `halas-${engine}-${stamp}.halas-backup`)
    : out;
const keyFile = args.key ? path.resolve(args.key) : config.backup.keyFile;

try {
  const { key, created } = loadBackupKey(keyFile, { create: true });
  if (created)
    console.info(
      `Created the backup key ${keyFile} (mode 0600). Copy it now to a safe place AWAY from the backups: without it no backup can be restored.`,
    );
  const started = Date.now();
  const result = await backup(config, file, key);
  const m = result.manifest;
  const rows = m.state ? Object.values(m.state.tables).reduce((n, t) => n + t.rows, 0) : undefined;
  console.info(
    [
      `Backup written: ${result.file}`,
      `  ${(result.bytes / 1024 / 1024).toFixed(1)} MiB, encrypted (AES-256-GCM), in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      `  engine ${m.engine} (PostgreSQL ${m.serverVersion}), Halas ${m.halasVersion}, ${m.state?.migrations.applied ?? '?'} migrations`,
      m.state
        ? `  ${Object.keys(m.state.tables).length} tables, ${rows} rows, audit head ${m.state.auditHead.seq} (${m.state.auditHead.hash.slice(0, 16)}…)`
        : `  no checksums: ${m.stateNote}`,
      m.postgres
        ? `  base backup from WAL ${m.postgres.startLsn} (timeline ${m.postgres.timeline}), checked by pg_verifybackup; archive_mode=${m.postgres.archiveMode}${m.postgres.archiveMode === 'off' ? ' (no point-in-time recovery beyond this backup: see docs/operations.md)' : ''}`
        : `  copied ${m.embedded?.online ? 'from the running Halas' : 'from the stopped data folder'}`,
      m.files
        ? `  ${m.files.count} person files (${(m.files.bytes / 1024 / 1024).toFixed(1)} MiB, still sealed under their persons' keys)`
        : '  no person files',
      ...(m.files?.missing
        ? [
            `WARNING: ${m.files.missing} person files named by the database were not in ${config.filesDir}: they are not in this backup either.`,
          ]
        : []),
      'The master keys are not in the backup: back them up separately (docs/operations.md, "Keys").',
    ].join('\n'),
  );
} catch (error) {
  if (error instanceof BackupError) {
    console.error(`Backup failed: ${error.message}`);
    process.exit(error.exitCode);
  }
  console.error(`Backup failed: ${(error as Error).message}`);
  process.exit(1);
}
