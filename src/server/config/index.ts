import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RetentionConfig, retentionConfig } from './retention.js';

/** The only module that reads process.env. Everything else receives a Config. */
export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** postgres://… selects a PostgreSQL server; undefined selects the embedded engine. */
  databaseUrl: string | undefined;
  dataDir: string;
  /**
   * HALAS_FILES_DIR (default `<dataDir>/files`): encrypted photos and scans of persons, under random names.
   * Never inside the served web folder.
   */
  filesDir: string;
  demo: boolean;
  /** Serve /api/openapi.json (off in production). */
  apiDocs: boolean;
  /** Behind TLS (directly or via a proxy): Secure cookies and HSTS. */
  tls: boolean;
  trustProxy: boolean;
  logLevel: string;
  bodyLimitBytes: number;
  /**
   * Database unavailability (G37): how long a request waits for a connection, and how long one statement may
   * run (PostgreSQL server only), before it gets 503 + Retry-After instead of hanging.
   */
  db: { connectTimeoutMs: number; statementTimeoutMs: number };
  /** Event-loop overload (G37): mean event-loop delay above which requests get 503 (0 turns the check off). */
  maxEventLoopDelayMs: number;
  /** Distinct persons whose identifying fields one user may reveal per hour before a step-up (G07). */
  bulkRevealsPerHour: number;
  /** How long a break-the-glass grant opens one person to one user (minutes). */
  breakGlassMinutes: number;
  /** Statistics: counts of 1 to k − 1 persons are suppressed (G23; CTDC uses 11). */
  statisticsK: number;
  session: { idleSeconds: number; absoluteSeconds: number };
  /** Password hashing parameters (tests use cheap ones, production the ASVS ones). */
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  loginThrottle: {
    perAccountDelayAfter: number;
    perAccountLockAfter: number;
    lockSeconds: number;
    perSourcePer15Min: number;
  };
  secretKeyBase64: string | undefined;
  secretKeyFile: string | undefined;
  /**
   * Master keys (KEKs) that wrap the per-person data keys, and the blind-index key (platform/crypto; see
   * docs/operations.md "Keys"). When no source is set, both live in `<dataDir>/keys/`, created on first start
   * (refused in production on a PostgreSQL server, where keys must be provisioned).
   */
  keys: {
    /** HALAS_MASTER_KEY: base64 of 32 bytes; its id is HALAS_MASTER_KEY_ID. */
    masterKeyBase64: string | undefined;
    /** HALAS_MASTER_KEY_ID: the id of HALAS_MASTER_KEY (or of HALAS_MASTER_KEY_FILE; default: its file name). */
    masterKeyId: string | undefined;
    /** HALAS_MASTER_KEY_FILE: a file holding one master key. */
    masterKeyFile: string | undefined;
    /** HALAS_MASTER_KEY_DIR: a folder of `<id>.key` files (several master keys, e.g. during a rotation). */
    masterKeyDir: string | undefined;
    /** HALAS_MASTER_KEY_ACTIVE: the id that wraps new data keys (default: see loadKeyring). */
    activeMasterKeyId: string | undefined;
    /** HALAS_BLIND_INDEX_KEY (base64 of 32 bytes) or HALAS_BLIND_INDEX_KEY_FILE. */
    blindIndexKeyBase64: string | undefined;
    blindIndexKeyFile: string | undefined;
  };
  /** Retention schedule, job interval and erasure ledger (config/retention.ts, ADR 13). */
  retention: RetentionConfig;
  /**
   * Backups (G36, docs/operations.md "Backups"): HALAS_BACKUP_KEY_FILE, the key that encrypts backup files
   * (default `<dataDir>/backup/backup.key`, created by the first backup; keep a copy away from the backups),
   * and HALAS_PG_BIN, the folder of the PostgreSQL tools (pg_basebackup, pg_verifybackup; default: found).
   */
  backup: { keyFile: string; pgBinDir: string | undefined };
  webDir: string;
  migrationsDir: string;
  version: string;
}

export const projectRoot = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found');
    dir = parent;
  }
  return dir;
})();

export class ConfigError extends Error {}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}`);
  return value;
}

/** Key ids name files (`<id>.key`) and are stored with every wrapped data key. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** File names in a key folder that are not master keys. */
export const RESERVED_KEY_IDS = ['blind-index', 'instance'] as const;

function keyIdEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!KEY_ID_PATTERN.test(raw) || (RESERVED_KEY_IDS as readonly string[]).includes(raw))
    throw new ConfigError(
      `${name} must be 1 to 64 letters, digits, '.', '_' or '-' (and not ${RESERVED_KEY_IDS.join(' or ')})`,
    );
  return raw;
}

function keysConfig(env: NodeJS.ProcessEnv, production: boolean, server: boolean): Config['keys'] {
  const keys: Config['keys'] = {
    masterKeyBase64: env.HALAS_MASTER_KEY || undefined,
    masterKeyId: keyIdEnv(env, 'HALAS_MASTER_KEY_ID'),
    masterKeyFile: env.HALAS_MASTER_KEY_FILE ? path.resolve(env.HALAS_MASTER_KEY_FILE) : undefined,
    masterKeyDir: env.HALAS_MASTER_KEY_DIR ? path.resolve(env.HALAS_MASTER_KEY_DIR) : undefined,
    activeMasterKeyId: keyIdEnv(env, 'HALAS_MASTER_KEY_ACTIVE'),
    blindIndexKeyBase64: env.HALAS_BLIND_INDEX_KEY || undefined,
    blindIndexKeyFile: env.HALAS_BLIND_INDEX_KEY_FILE
      ? path.resolve(env.HALAS_BLIND_INDEX_KEY_FILE)
      : undefined,
  };
  if (keys.masterKeyBase64 && keys.masterKeyFile)
    throw new ConfigError('Set HALAS_MASTER_KEY or HALAS_MASTER_KEY_FILE, not both');
  if (keys.masterKeyBase64 && !keys.masterKeyId)
    throw new ConfigError('HALAS_MASTER_KEY_ID must name the key given in HALAS_MASTER_KEY (e.g. 2026-03)');
  if (keys.blindIndexKeyBase64 && keys.blindIndexKeyFile)
    throw new ConfigError('Set HALAS_BLIND_INDEX_KEY or HALAS_BLIND_INDEX_KEY_FILE, not both');
  if (production && server) {
    // A key created next to the application on a server is one lost disk away from losing every record.
    if (!keys.masterKeyBase64 && !keys.masterKeyFile && !keys.masterKeyDir)
      throw new ConfigError(
        'In production on a PostgreSQL server, set HALAS_MASTER_KEY (with HALAS_MASTER_KEY_ID), HALAS_MASTER_KEY_FILE or HALAS_MASTER_KEY_DIR',
      );
    if (!keys.blindIndexKeyBase64 && !keys.blindIndexKeyFile && !keys.masterKeyDir)
      throw new ConfigError(
        'In production on a PostgreSQL server, set HALAS_BLIND_INDEX_KEY or HALAS_BLIND_INDEX_KEY_FILE (or put blind-index.key in HALAS_MASTER_KEY_DIR)',
      );
  }
  return keys;
}

function boolEnv(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const nodeEnv =
    env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  const cheap = nodeEnv === 'test';
  const dataDir = path.resolve(env.HALAS_DATA_DIR || path.join(projectRoot, 'data'));
  const config: Config = {
    env: nodeEnv,
    host: env.HOST || '127.0.0.1',
    port: intEnv(env, 'PORT', 3000, 0, 65535),
    databaseUrl,
    dataDir,
    filesDir: path.resolve(
      env.HALAS_FILES_DIR ||
        path.join(path.resolve(env.HALAS_DATA_DIR || path.join(projectRoot, 'data')), 'files'),
    ),
    // Demo data only ever on the embedded engine, and there by default.
    demo: !databaseUrl && boolEnv(env, 'HALAS_DEMO', true),
    apiDocs: boolEnv(env, 'HALAS_API_DOCS', nodeEnv !== 'production'),
    tls: boolEnv(env, 'HALAS_TLS', nodeEnv === 'production'),
    trustProxy: boolEnv(env, 'HALAS_TRUST_PROXY', false),
    logLevel: env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info'),
    bodyLimitBytes: 256 * 1024,
    bulkRevealsPerHour: intEnv(env, 'HALAS_BULK_REVEALS_PER_HOUR', 60, 1, 100_000),
    breakGlassMinutes: intEnv(env, 'HALAS_BREAK_GLASS_MINUTES', 60, 5, 24 * 60),
    statisticsK: intEnv(env, 'HALAS_STATISTICS_K', 5, 2, 100),
    // 2 s in service (G37: a request gets 503 instead of hanging); longer under test by default, where two
    // cores run many databases at once (the degradation tests set 2 s themselves)
    db: {
      connectTimeoutMs: intEnv(
        env,
        'HALAS_DB_CONNECT_TIMEOUT_MS',
        nodeEnv === 'test' ? 15_000 : 2000,
        100,
        60_000,
      ),
      statementTimeoutMs: intEnv(
        env,
        'HALAS_DB_STATEMENT_TIMEOUT_MS',
        nodeEnv === 'test' ? 60_000 : 2000,
        100,
        3_600_000,
      ),
    },
    // off under test by default: a test that blocks its own event loop on purpose must not see 503s
    maxEventLoopDelayMs: intEnv(
      env,
      'HALAS_MAX_EVENT_LOOP_DELAY_MS',
      nodeEnv === 'test' ? 0 : 1000,
      0,
      60_000,
    ),
    session: {
      idleSeconds: intEnv(env, 'HALAS_SESSION_IDLE_SECONDS', 15 * 60, 60, 24 * 3600),
      absoluteSeconds: intEnv(env, 'HALAS_SESSION_ABSOLUTE_SECONDS', 12 * 3600, 300, 7 * 24 * 3600),
    },
    argon2: cheap
      ? { memoryCost: 1024, timeCost: 1, parallelism: 1 }
      : { memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 },
    loginThrottle: {
      perAccountDelayAfter: 5,
      perAccountLockAfter: 10,
      lockSeconds: 15 * 60,
      perSourcePer15Min: 100,
    },
    secretKeyBase64: env.HALAS_SECRET_KEY || undefined,
    secretKeyFile: env.HALAS_SECRET_KEY_FILE || undefined,
    keys: keysConfig(env, nodeEnv === 'production', Boolean(databaseUrl)),
    retention: retentionConfig(env, dataDir, (message) => {
      throw new ConfigError(message);
    }),
    backup: {
      keyFile: path.resolve(env.HALAS_BACKUP_KEY_FILE || path.join(dataDir, 'backup', 'backup.key')),
      pgBinDir: env.HALAS_PG_BIN ? path.resolve(env.HALAS_PG_BIN) : undefined,
    },
    webDir: path.join(projectRoot, 'dist', 'web'),
    migrationsDir: path.join(projectRoot, 'src', 'server', 'db', 'migrations'),
    version: pkg.version,
    ...overrides,
  };
  const inside = path.relative(config.webDir, config.filesDir);
  if (!inside.startsWith('..') && !path.isAbsolute(inside))
    throw new ConfigError('HALAS_FILES_DIR must not be inside the served web folder');
  return config;
}
