import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/index.js';
import { openDatabase } from '../db/index.js';
import { verifyAuditChain } from '../platform/audit.js';
import {
  BackupError,
  type FilesResult,
  loadBackupKey,
  type Manifest,
  postgresState,
  restoreEmbedded,
  restoreFiles,
  restorePostgres,
  stateDifferences,
  verifyBackupFile,
} from '../platform/backup/index.js';
import { cliFail } from './shared.js';

/**
 * `npm run restore`: checks a backup file (key, every authentication tag, manifest) before writing anything,
 * then restores it. Embedded: into the data folder (Halas stopped), compared with the manifest's checksums,
 * audit chain verified. PostgreSQL: unpacks the base backup into a data folder, runs pg_verifybackup and, for
 * point-in-time recovery, writes the recovery settings; you then start PostgreSQL on it.
 *
 * `--compare` checks a restored, started PostgreSQL server (DATABASE_URL) against the manifest; `--files` then
 * puts the person files that server's database names into the files folder (embedded: done with the restore).
 *
 * Exit status: 0 restored (or checked); 1 error; 2 backup file refused (wrong key, damaged, altered),
 * nothing written; 3 the restored data does not match the manifest (not put in place); 4 target not empty.
 */
const USAGE = `Usage:
  npm run restore -- --file FILE --check
      authenticate the whole file and print its manifest; writes nothing
  npm run restore -- --file FILE --compare
      compare the database of DATABASE_URL (a restored server, started) with the manifest, table by table
  npm run restore -- --file FILE --files [--files-dir DIR] [--force]
      PostgreSQL, after starting the restored server (DATABASE_URL): replace the files folder (default
      HALAS_FILES_DIR) by exactly the person files its database names
  npm run restore -- --file FILE [--data-dir DIR] [--files-dir DIR] [--force]
      embedded engine: restore into DIR (default HALAS_DATA_DIR), and the person files into the files folder
      (default HALAS_FILES_DIR, or DIR/files with --data-dir); Halas must be stopped
  npm run restore -- --file FILE --pg-data-dir DIR [--force]
                     [--wal-archive DIR | --restore-command CMD] [--target-time 2026-11-28T05:10:00Z]
      PostgreSQL server: unpack the base backup into DIR (then start PostgreSQL on it, as its owner);
      with archived WAL, recover to its end or to --target-time
Options:
  --key FILE   the backup key (default HALAS_BACKUP_KEY_FILE or <data>/backup/backup.key)
  --force      the target (database or files folder) is not empty: move it aside (kept as
               <target>.before-restore-<time>)`;

let args: {
  file?: string;
  check?: boolean;
  compare?: boolean;
  files?: boolean;
  'files-dir'?: string;
  'data-dir'?: string;
  'pg-data-dir'?: string;
  'wal-archive'?: string;
  'restore-command'?: string;
  'target-time'?: string;
  key?: string;
  force?: boolean;
  help?: boolean;
};
try {
  args = parseArgs({
    options: {
      file: { type: 'string' },
      check: { type: 'boolean' },
      compare: { type: 'boolean' },
      files: { type: 'boolean' },
      'files-dir': { type: 'string' },
      'data-dir': { type: 'string' },
      'pg-data-dir': { type: 'string' },
      'wal-archive': { type: 'string' },
      'restore-command': { type: 'string' },
      'target-time': { type: 'string' },
      key: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  cliFail(`${(error as Error).message}\n${USAGE}`);
}
if (args.help) {
  console.info(USAGE);
  process.exit(0);
}
if (!args.file) cliFail(`--file is required.\n${USAGE}`);
if (args['data-dir'] && args['pg-data-dir']) cliFail(`Give --data-dir or --pg-data-dir, not both.\n${USAGE}`);
if (args['wal-archive'] && args['restore-command'])
  cliFail('Give --wal-archive or --restore-command, not both.');
if (
  [args.check, args.compare, args.files, args['data-dir'] || args['pg-data-dir']].filter(Boolean).length > 1
)
  cliFail(`--check, --compare, --files and a restore target go one at a time.\n${USAGE}`);
if (args['files-dir'] && (args.check || args.compare || args['pg-data-dir']))
  cliFail('--files-dir applies to --files and to an embedded restore.');
if ((args['wal-archive'] || args['restore-command'] || args['target-time']) && !args['pg-data-dir'])
  cliFail(
    '--wal-archive, --restore-command and --target-time apply to a PostgreSQL restore (--pg-data-dir).',
  );

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) cliFail(error.message);
  throw error;
}
const file = path.resolve(args.file);
const keyFile = args.key ? path.resolve(args.key) : config.backup.keyFile;

function describeFiles(f: FilesResult): string[] {
  return [
    `  person files: ${f.fromBackup} from the backup${f.fromCurrent ? `, ${f.fromCurrent} kept from the files folder (named by the database, newer than the backup)` : ''} into ${f.dir}; nothing else is in it`,
    ...(f.missing
      ? [
          `  WARNING: ${f.missing} files the database names are neither in the backup nor on disk: they answer "not found"`,
        ]
      : []),
    ...(f.movedAside
      ? [`  The previous files folder was moved to ${f.movedAside} (delete it once not needed).`]
      : []),
  ];
}

function describe(m: Manifest): string {
  const rows = m.state ? Object.values(m.state.tables).reduce((n, t) => n + t.rows, 0) : undefined;
  return [
    `  taken ${m.createdAt}, engine ${m.engine} (PostgreSQL ${m.serverVersion}), Halas ${m.halasVersion}`,
    m.state
      ? `  ${m.state.migrations.applied} migrations, ${Object.keys(m.state.tables).length} tables, ${rows} rows, audit head ${m.state.auditHead.seq} (${m.state.auditHead.hash.slice(0, 16)}…)`
      : `  no checksums: ${m.stateNote}`,
    ...(m.postgres ? [`  base backup from WAL ${m.postgres.startLsn}, timeline ${m.postgres.timeline}`] : []),
    m.files ? `  ${m.files.count} person files` : '  no person files (made before they were included)',
  ].join('\n');
}

try {
  const { key } = loadBackupKey(keyFile, { create: false });
  if (args.check) {
    const manifest = await verifyBackupFile(file, key);
    console.info(`The backup file authenticates and is complete:\n${describe(manifest)}`);
  } else if (args.compare) {
    if (!config.databaseUrl) cliFail('--compare reads the database of DATABASE_URL: set it.');
    const manifest = await verifyBackupFile(file, key);
    if (!manifest.state) cliFail(`The manifest has no checksums to compare: ${manifest.stateNote}`);
    const diff = stateDifferences(manifest.state, await postgresState(config.databaseUrl));
    if (diff.length > 0) {
      console.error(`The database differs from the backup manifest in: ${diff.join(', ')}.`);
      process.exitCode = 3;
    } else
      console.info(
        `The database equals the backup manifest: ${Object.keys(manifest.state.tables).length} tables (row counts and checksums) and the audit head.`,
      );
  } else if (args.files) {
    if (!config.databaseUrl)
      cliFail('--files reads which files the restored database (DATABASE_URL, started) names: set it.');
    const filesDir = args['files-dir'] ? path.resolve(args['files-dir']) : config.filesDir;
    const result = await restoreFiles(file, key, config.databaseUrl, filesDir, {
      force: Boolean(args.force),
    });
    console.info(['Restored the person files:', ...describeFiles(result.files)].join('\n'));
  } else if (args['pg-data-dir']) {
    const target = path.resolve(args['pg-data-dir']);
    const result = await restorePostgres(config, file, key, target, {
      force: Boolean(args.force),
      ...(args['wal-archive'] ? { walArchive: args['wal-archive'] } : {}),
      ...(args['restore-command'] ? { restoreCommand: args['restore-command'] } : {}),
      ...(args['target-time'] ? { targetTime: args['target-time'] } : {}),
    });
    console.info(
      [
        `Restored the base backup into ${target} (pg_verifybackup passed):`,
        describe(result.manifest),
        ...(result.movedAside ? [`The previous contents were moved to ${result.movedAside}.`] : []),
        args['target-time']
          ? `On start, PostgreSQL replays the archived WAL up to ${new Date(args['target-time']).toISOString()} and then opens for writes.`
          : args['wal-archive'] || args['restore-command']
            ? 'On start, PostgreSQL replays all archived WAL and then opens for writes.'
            : 'On start, PostgreSQL opens the database as it was at the end of the backup.',
        'Next: make the folder owned by the PostgreSQL user (chown -R postgres:postgres), start PostgreSQL on it,',
        'point DATABASE_URL at it, run npm run audit:verify, then npm run restore -- --file FILE --files --force',
        '(the person files), and start Halas with the same master keys.',
      ].join('\n'),
    );
  } else {
    const dataDir = args['data-dir'] ? path.resolve(args['data-dir']) : config.dataDir;
    const filesDir = args['files-dir']
      ? path.resolve(args['files-dir'])
      : args['data-dir']
        ? loadConfig({ ...process.env, HALAS_DATA_DIR: dataDir }).filesDir
        : config.filesDir;
    const result = await restoreEmbedded(file, key, dataDir, { force: Boolean(args.force), filesDir });
    const db = await openDatabase({ ...config, databaseUrl: undefined, dataDir });
    let chain: Awaited<ReturnType<typeof verifyAuditChain>>;
    try {
      chain = await verifyAuditChain(db.pool);
    } finally {
      await db.close();
    }
    console.info(
      [
        `Restored into ${path.join(dataDir, 'pgdata')}:`,
        describe(result.manifest),
        result.manifest.state
          ? '  every table matches the manifest (row counts and checksums)'
          : '  (the manifest has no checksums to compare)',
        chain.ok
          ? `  audit chain verified: ${chain.checked} events`
          : `  AUDIT CHAIN BROKEN at event ${chain.firstBroken!.seq}: ${chain.firstBroken!.reason}`,
        ...(result.files
          ? describeFiles(result.files)
          : ['  the backup holds no person files: the files folder was left as it is']),
        ...(result.movedAside ? [`The previous database was moved to ${result.movedAside}.`] : []),
        'Start Halas with the same master keys (the keys/ folder is not part of the backup).',
      ].join('\n'),
    );
    if (!chain.ok) process.exitCode = 3;
  }
} catch (error) {
  if (error instanceof BackupError) {
    console.error(`Restore failed: ${error.message}`);
    process.exit(error.exitCode);
  }
  console.error(`Restore failed: ${(error as Error).message}`);
  process.exit(1);
}
