import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config/index.js';
import { createMasterKeyFile, loadKeyring, masterKeyFiles } from '../../src/server/platform/crypto/index.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-keys-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => fs.mkdtempSync(path.join(root, `${++n}-`));
const mode = (p: string) => fs.statSync(p).mode & 0o777;
const writeKey = (file: string, key = randomBytes(32), fileMode = 0o600) => {
  fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: fileMode });
  fs.chmodSync(file, fileMode);
  return key;
};
const config = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env });

describe('master and blind-index key files', () => {
  it('are created 0600 in <dataDir>/keys (0700) on first start and reused afterwards', () => {
    const dataDir = freshDir();
    const first = loadKeyring(config({ HALAS_DATA_DIR: dataDir }));
    const keysDir = path.join(dataDir, 'keys');
    expect(mode(keysDir)).toBe(0o700);
    const files = fs.readdirSync(keysDir).sort();
    expect(files).toEqual(['blind-index.key', `${first.activeKekId}.key`].sort());
    for (const f of files) expect(mode(path.join(keysDir, f))).toBe(0o600);
    expect(first.activeKekId).toMatch(/^kek-\d{8}T\d{9}Z-[0-9a-f]{4}$/);

    const again = loadKeyring(config({ HALAS_DATA_DIR: dataDir }));
    expect(again.activeKekId).toBe(first.activeKekId);
    expect(again.blindIndex('x')).toEqual(first.blindIndex('x'));
    const dek = randomBytes(32);
    const w = first.wrap(dek);
    expect(again.unwrap(w.kekId, w.wrapped)).toEqual(dek);
    expect(fs.readdirSync(keysDir)).toHaveLength(2);
  });

  it('refuse to load when group or others may read them', () => {
    for (const which of ['master', 'blind'] as const) {
      for (const loose of [0o640, 0o604, 0o660, 0o644]) {
        const dataDir = freshDir();
        const keyring = loadKeyring(config({ HALAS_DATA_DIR: dataDir }));
        const file = path.join(
          dataDir,
          'keys',
          which === 'master' ? `${keyring.activeKekId}.key` : 'blind-index.key',
        );
        fs.chmodSync(file, loose);
        expect(() => loadKeyring(config({ HALAS_DATA_DIR: dataDir }))).toThrow(/chmod 600/);
        fs.chmodSync(file, 0o400);
        expect(loadKeyring(config({ HALAS_DATA_DIR: dataDir })).activeKekId).toBe(keyring.activeKekId);
      }
    }
    const file = path.join(freshDir(), 'm.key');
    writeKey(file, randomBytes(32), 0o640);
    expect(() => loadKeyring(config({ HALAS_DATA_DIR: freshDir(), HALAS_MASTER_KEY_FILE: file }))).toThrow(
      /chmod 600/,
    );
  });

  it('HALAS_MASTER_KEY (with HALAS_MASTER_KEY_ID) and HALAS_BLIND_INDEX_KEY work from the environment', () => {
    const kek = randomBytes(32);
    const blind = randomBytes(32);
    const dataDir = freshDir();
    const env = {
      HALAS_DATA_DIR: dataDir,
      HALAS_MASTER_KEY: kek.toString('base64'),
      HALAS_MASTER_KEY_ID: '2026-03',
      HALAS_BLIND_INDEX_KEY: blind.toString('base64'),
    };
    const keyring = loadKeyring(config(env));
    expect(keyring.activeKekId).toBe('2026-03');
    expect(keyring.kekIds).toEqual(['2026-03']);
    // nothing is written next to the data when both keys come from the environment
    expect(fs.existsSync(path.join(dataDir, 'keys'))).toBe(false);
    // the same key from a file (named by its file name) opens what the environment key wrapped
    const keyDir = freshDir();
    writeKey(path.join(keyDir, '2026-03.key'), kek);
    writeKey(path.join(keyDir, 'blind-index.key'), blind);
    const fromFile = loadKeyring(
      config({ HALAS_DATA_DIR: dataDir, HALAS_MASTER_KEY_FILE: path.join(keyDir, '2026-03.key') }),
    );
    const dek = randomBytes(32);
    const w = keyring.wrap(dek);
    expect(fromFile.unwrap(w.kekId, w.wrapped)).toEqual(dek);
    const fromDir = loadKeyring(config({ HALAS_DATA_DIR: dataDir, HALAS_MASTER_KEY_DIR: keyDir }));
    expect(fromDir.unwrap(w.kekId, w.wrapped)).toEqual(dek);
    expect(fromDir.blindIndex('Aýgözel')).toEqual(keyring.blindIndex('Aýgözel'));

    expect(() => config({ HALAS_MASTER_KEY: kek.toString('base64') })).toThrow(ConfigError);
    expect(() => loadKeyring(config({ ...env, HALAS_MASTER_KEY: 'too-short' }))).toThrow(/base64 of 32/);
    expect(() =>
      loadKeyring(config({ ...env, HALAS_MASTER_KEY: randomBytes(16).toString('base64') })),
    ).toThrow(/base64 of 32/);
    expect(() => config({ ...env, HALAS_MASTER_KEY_ID: 'blind-index' })).toThrow(ConfigError);
    expect(() => config({ ...env, HALAS_MASTER_KEY_ID: '../x' })).toThrow(ConfigError);
    expect(() => config({ ...env, HALAS_MASTER_KEY_FILE: '/x.key' })).toThrow(ConfigError);
  });

  it('a key folder holds several master keys: the active one is HALAS_MASTER_KEY_ACTIVE, else the last id', () => {
    const dir = freshDir();
    writeKey(path.join(dir, '2026-01.key'));
    writeKey(path.join(dir, '2026-07.key'));
    writeKey(path.join(dir, 'blind-index.key'));
    writeKey(path.join(dir, 'instance.key'));
    fs.writeFileSync(path.join(dir, 'README'), 'not a key');
    const dataDir = freshDir();
    const keyring = loadKeyring(config({ HALAS_DATA_DIR: dataDir, HALAS_MASTER_KEY_DIR: dir }));
    expect(keyring.kekIds).toEqual(['2026-01', '2026-07']);
    expect(keyring.activeKekId).toBe('2026-07');
    const pinned = loadKeyring(
      config({ HALAS_DATA_DIR: dataDir, HALAS_MASTER_KEY_DIR: dir, HALAS_MASTER_KEY_ACTIVE: '2026-01' }),
    );
    expect(pinned.activeKekId).toBe('2026-01');
    expect(() =>
      loadKeyring(
        config({ HALAS_DATA_DIR: dataDir, HALAS_MASTER_KEY_DIR: dir, HALAS_MASTER_KEY_ACTIVE: 'nope' }),
      ),
    ).toThrow(/not loaded/);
    // an environment key is active over the folder's keys, which stay loadable
    const withEnv = loadKeyring(
      config({
        HALAS_DATA_DIR: dataDir,
        HALAS_MASTER_KEY_DIR: dir,
        HALAS_MASTER_KEY: randomBytes(32).toString('base64'),
        HALAS_MASTER_KEY_ID: '2025-new',
      }),
    );
    expect(withEnv.activeKekId).toBe('2025-new');
    expect(withEnv.kekIds).toEqual(['2025-new', '2026-01', '2026-07']);
    expect(fs.existsSync(path.join(dataDir, 'keys'))).toBe(false);
    // an empty configured folder is an error, never silently a new key
    expect(() => loadKeyring(config({ HALAS_DATA_DIR: dataDir, HALAS_MASTER_KEY_DIR: freshDir() }))).toThrow(
      /no master key/,
    );
  });

  it('a created master key sorts last, so it becomes the active one', () => {
    const dataDir = freshDir();
    const first = loadKeyring(config({ HALAS_DATA_DIR: dataDir }));
    const id = createMasterKeyFile(path.join(dataDir, 'keys'), new Date(Date.now() + 1000));
    expect(masterKeyFiles(path.join(dataDir, 'keys')).map((f) => f.id)).toEqual([first.activeKekId, id]);
    const next = loadKeyring(config({ HALAS_DATA_DIR: dataDir }));
    expect(next.activeKekId).toBe(id);
    expect(next.kekIds).toEqual([first.activeKekId, id]);
    expect(mode(path.join(dataDir, 'keys', `${id}.key`))).toBe(0o600);
  });

  it('in production on a PostgreSQL server, keys must be provisioned: none is created', () => {
    const dataDir = freshDir();
    const base = { NODE_ENV: 'production', HALAS_DATA_DIR: dataDir, DATABASE_URL: 'postgres://h/db' };
    expect(() => loadConfig(base)).toThrow(/HALAS_MASTER_KEY/);
    expect(() =>
      loadConfig({ ...base, HALAS_MASTER_KEY: randomBytes(32).toString('base64'), HALAS_MASTER_KEY_ID: 'a' }),
    ).toThrow(/HALAS_BLIND_INDEX_KEY/);
    const dir = freshDir();
    writeKey(path.join(dir, 'a.key'));
    const noBlind = loadConfig({ ...base, HALAS_MASTER_KEY_DIR: dir });
    expect(() => loadKeyring(noBlind)).toThrow(/no blind-index key/);
    writeKey(path.join(dir, 'blind-index.key'));
    expect(loadKeyring(loadConfig({ ...base, HALAS_MASTER_KEY_DIR: dir })).activeKekId).toBe('a');
    expect(fs.readdirSync(dataDir)).toEqual([]);
    // the embedded engine in production creates its keys on first start
    const embedded = loadKeyring(loadConfig({ NODE_ENV: 'production', HALAS_DATA_DIR: dataDir }));
    expect(fs.existsSync(path.join(dataDir, 'keys', `${embedded.activeKekId}.key`))).toBe(true);
  });
});
