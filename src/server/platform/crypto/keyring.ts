import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { type Config, KEY_ID_PATTERN, RESERVED_KEY_IDS } from '../../config/index.js';
import { aad, assertKey, CryptoError, KEY_BYTES, open, seal } from './envelope.js';

/**
 * The master keys (KEKs) that wrap per-person data keys, and the blind-index key. Key bytes never leave
 * this object: it exposes ids and operations only (and prints as ids only).
 */
export interface Keyring {
  /** The master key that wraps new data keys (and that rotation rewraps to). */
  activeKekId: string;
  /** Every loaded master key id, sorted; the active one among them. */
  kekIds: readonly string[];
  hasKek(kekId: string): boolean;
  wrap(dek: Buffer): { kekId: string; wrapped: Buffer };
  /** Throws KekNotLoadedError if that master key is not loaded, CryptoError if the bytes do not open. */
  unwrap(kekId: string, wrapped: Buffer): Buffer;
  /** HMAC-SHA256 of the UTF-8 value under the blind-index key (search tokens; normalise before calling). */
  blindIndex(value: string): Buffer;
}

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

export class KekNotLoadedError extends Error {
  constructor(readonly kekId: string) {
    super(`the master key '${kekId}' is not loaded`);
    this.name = 'KekNotLoadedError';
  }
}

const BLIND_INDEX_ID = 'blind-index';
const KEY_FILE = /^(.+)\.key$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

function isMasterKeyId(id: string): boolean {
  return KEY_ID_PATTERN.test(id) && !(RESERVED_KEY_IDS as readonly string[]).includes(id);
}

/** Builds a keyring from key bytes (tests, and the loaders below). */
export function keyringFromKeys(options: {
  keks: Iterable<readonly [string, Buffer]>;
  activeKekId: string;
  blindIndexKey: Buffer;
}): Keyring {
  const keks = new Map<string, Buffer>();
  for (const [id, key] of options.keks) {
    if (!isMasterKeyId(id)) throw new KeyringError(`'${id}' is not a valid master key id`);
    assertKey(key, `the master key '${id}'`);
    const known = keks.get(id);
    if (known && !known.equals(key)) throw new KeyringError(`two different master keys have the id '${id}'`);
    keks.set(id, Buffer.from(key));
  }
  assertKey(options.blindIndexKey, 'the blind-index key');
  for (const [id, key] of keks)
    if (key.equals(options.blindIndexKey))
      throw new KeyringError(`the blind-index key must differ from the master key '${id}'`);
  const activeKekId = options.activeKekId;
  const activeKey = keks.get(activeKekId);
  if (!activeKey)
    throw new KeyringError(
      `the active master key '${activeKekId}' is not loaded (loaded: ${[...keks.keys()].join(', ') || 'none'})`,
    );
  const blindKey = Buffer.from(options.blindIndexKey);
  const kekIds = Object.freeze([...keks.keys()].sort());
  const keyring: Keyring = {
    activeKekId,
    kekIds,
    hasKek: (kekId) => keks.has(kekId),
    wrap(dek) {
      assertKey(dek, 'a data key');
      return { kekId: activeKekId, wrapped: seal(activeKey, dek, aad('dek', activeKekId)) };
    },
    unwrap(kekId, wrapped) {
      const kek = keks.get(kekId);
      if (!kek) throw new KekNotLoadedError(kekId);
      const dek = open(kek, wrapped, aad('dek', kekId));
      if (dek.length !== KEY_BYTES) throw new CryptoError();
      return dek;
    },
    blindIndex: (value) => createHmac('sha256', blindKey).update(value, 'utf8').digest(),
  };
  const shown = { activeKekId, kekIds };
  Object.defineProperties(keyring, {
    toJSON: { value: () => shown },
    [inspect.custom]: { value: () => `Keyring ${JSON.stringify(shown)}` },
  });
  return Object.freeze(keyring);
}

/** In-memory random keys: one master key (a random id) and a blind-index key. */
export function keyringForTests(): Keyring {
  const id = `test-${randomBytes(4).toString('hex')}`;
  return keyringFromKeys({ keks: [[id, randomBytes(32)]], activeKekId: id, blindIndexKey: randomBytes(32) });
}

/** A new random key as stored: base64 of 32 bytes (what `openssl rand -base64 32` prints). */
export function newKeyText(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

function parseKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  if (!BASE64_KEY.test(trimmed)) throw new KeyringError(`${where} must hold the base64 of 32 random bytes`);
  return Buffer.from(trimmed, 'base64');
}

/** Reads a key file, refusing one that group or others may read or write (like the instance secret). */
export function readKeyFile(file: string): Buffer {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new KeyringError(`the key file ${file} does not exist or cannot be read`);
  }
  if (!stat.isFile()) throw new KeyringError(`${file} is not a file`);
  if ((stat.mode & 0o077) !== 0)
    throw new KeyringError(`${file} must not be readable by group or others (chmod 600)`);
  return parseKey(fs.readFileSync(file, 'utf8'), file);
}

/**
 * Writes a new random key to `file` (mode 0600) atomically and durably: a temporary file is written and
 * flushed, then linked into place, so a process killed part-way never leaves a truncated key behind. A file
 * that already exists is kept (returns false).
 */
export function writeKeyFile(file: string): boolean {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${newKeyText()}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
  return true;
}

/** Master key files of a folder: `<id>.key`, except blind-index.key and instance.key; sorted by id. */
export function masterKeyFiles(dir: string): { id: string; file: string }[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    throw new KeyringError(`the key folder ${dir} does not exist or cannot be read`);
  }
  return names
    .filter((n) => !n.startsWith('.'))
    .map((n) => ({ id: KEY_FILE.exec(n)?.[1], file: path.join(dir, n) }))
    .filter((k): k is { id: string; file: string } => !!k.id && isMasterKeyId(k.id))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Id for a master key Halas creates: its creation time, so that newer keys sort last. */
function generatedKekId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:.]/g, ''); // e.g. 20261128T015015123Z
  return `kek-${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * Creates a new master key file (0600) in `dir` and returns its id. Used on the first embedded start and by
 * `npm run keys:rotate -- --new-key`.
 */
export function createMasterKeyFile(dir: string, now = new Date()): string {
  for (;;) {
    const id = generatedKekId(now);
    if (writeKeyFile(path.join(dir, `${id}.key`))) return id;
  }
}

/** The folder a master key would be created in, or undefined when keys come from the environment or a file. */
export function keyFolder(config: Config): string | undefined {
  const k = config.keys;
  if (k.masterKeyDir) return k.masterKeyDir;
  if (k.masterKeyBase64 || k.masterKeyFile) return undefined;
  return path.join(config.dataDir, 'keys');
}

/**
 * Loads the master keys and the blind-index key from the configuration:
 *
 * - master keys: HALAS_MASTER_KEY (id HALAS_MASTER_KEY_ID) or HALAS_MASTER_KEY_FILE (id HALAS_MASTER_KEY_ID or
 *   its file name), plus every `<id>.key` in HALAS_MASTER_KEY_DIR. With none of these, the folder
 *   `<dataDir>/keys/`, where a first master key is created (0600) if it holds none.
 * - the active master key: HALAS_MASTER_KEY_ACTIVE; else the key of HALAS_MASTER_KEY or HALAS_MASTER_KEY_FILE;
 *   else the folder's key whose id sorts last (Halas names the keys it creates by creation time).
 * - the blind-index key: HALAS_BLIND_INDEX_KEY or HALAS_BLIND_INDEX_KEY_FILE; else `blind-index.key` in
 *   HALAS_MASTER_KEY_DIR; else `<dataDir>/keys/blind-index.key`, created on first start (never in production
 *   on a PostgreSQL server).
 */
export function loadKeyring(config: Config): Keyring {
  const k = config.keys;
  const mayCreate = !(config.env === 'production' && config.databaseUrl);
  const defaultDir = path.join(config.dataDir, 'keys');
  const keks: [string, Buffer][] = [];
  let singleId: string | undefined;

  if (k.masterKeyBase64) {
    if (!k.masterKeyId) throw new KeyringError('HALAS_MASTER_KEY_ID must name the key in HALAS_MASTER_KEY');
    singleId = k.masterKeyId;
    keks.push([singleId, parseKey(k.masterKeyBase64, 'HALAS_MASTER_KEY')]);
  } else if (k.masterKeyFile) {
    singleId = k.masterKeyId ?? path.basename(k.masterKeyFile).replace(/\.key$/, '');
    if (!isMasterKeyId(singleId))
      throw new KeyringError(
        `the file name of ${k.masterKeyFile} is not a valid master key id: set HALAS_MASTER_KEY_ID`,
      );
    keks.push([singleId, readKeyFile(k.masterKeyFile)]);
  }

  const dir = keyFolder(config);
  let folderIds: string[] = [];
  if (dir) {
    if (dir === defaultDir && !k.masterKeyDir && mayCreate) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (masterKeyFiles(dir).length === 0) createMasterKeyFile(dir);
    }
    const files = masterKeyFiles(dir);
    if (files.length === 0 && keks.length === 0) throw new KeyringError(`no master key (<id>.key) in ${dir}`);
    for (const f of files) keks.push([f.id, readKeyFile(f.file)]);
    folderIds = files.map((f) => f.id);
  }

  const activeKekId = k.activeMasterKeyId ?? singleId ?? folderIds.at(-1);
  if (!activeKekId) throw new KeyringError('no master key is configured');

  let blindIndexKey: Buffer;
  const folderBlind = dir ? path.join(dir, `${BLIND_INDEX_ID}.key`) : undefined;
  if (k.blindIndexKeyBase64) blindIndexKey = parseKey(k.blindIndexKeyBase64, 'HALAS_BLIND_INDEX_KEY');
  else if (k.blindIndexKeyFile) blindIndexKey = readKeyFile(k.blindIndexKeyFile);
  else if (folderBlind && fs.existsSync(folderBlind)) blindIndexKey = readKeyFile(folderBlind);
  else {
    const file = path.join(defaultDir, `${BLIND_INDEX_ID}.key`);
    if (!fs.existsSync(file)) {
      if (!mayCreate)
        throw new KeyringError(
          'no blind-index key: set HALAS_BLIND_INDEX_KEY or HALAS_BLIND_INDEX_KEY_FILE, or put blind-index.key in HALAS_MASTER_KEY_DIR',
        );
      writeKeyFile(file);
    }
    blindIndexKey = readKeyFile(file);
  }
  return keyringFromKeys({ keks, activeKekId, blindIndexKey });
}
