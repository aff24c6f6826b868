import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

/**
 * Signed checkpoints of the audit chain, kept outside the database: every few minutes the chain head
 * (sequence number and hash) is signed with an Ed25519 key that the database never holds, and appended to a
 * file. Someone able to rewrite the table and recompute the whole chain (a superuser) still cannot forge
 * the signatures, so a rewritten history no longer matches its checkpoints.
 */
export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  sig: string;
}

const message = (seq: number, hash: string) => Buffer.from(`halas-audit-checkpoint\n${seq}\n${hash}`, 'utf8');

/** The signing key (PEM, mode 0600), created on first use. */
export function loadCheckpointKey(file: string): KeyObject {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  if ((fs.statSync(file).mode & 0o077) !== 0)
    throw new Error(`${file} must not be readable by group or others (chmod 600)`);
  return createPrivateKey(fs.readFileSync(file));
}

export async function writeCheckpoint(
  pool: pg.Pool,
  file: string,
  key: KeyObject,
  now = new Date(),
): Promise<Checkpoint> {
  const { rows } = await pool.query<{ seq: number; hash: Buffer }>(
    'SELECT seq, hash FROM audit_head WHERE id = 1',
  );
  const head = rows[0]!;
  const hash = head.hash.toString('hex');
  const cp: Checkpoint = {
    seq: Number(head.seq),
    hash,
    at: now.toISOString(),
    sig: sign(null, message(Number(head.seq), hash), key).toString('base64'),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.appendFileSync(file, `${JSON.stringify(cp)}\n`, { mode: 0o600 });
  return cp;
}

/** Checks every checkpoint's signature and that the stored chain still has that hash at that position. */
export async function verifyCheckpoints(
  pool: pg.Pool | pg.PoolClient,
  file: string,
  key: KeyObject,
): Promise<{ ok: boolean; checked: number; firstBroken?: { seq: number; reason: string } }> {
  if (!fs.existsSync(file)) return { ok: true, checked: 0 };
  const publicKey = createPublicKey(key);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  let checked = 0;
  for (const line of lines) {
    const cp = JSON.parse(line) as Checkpoint;
    if (!verify(null, message(cp.seq, cp.hash), publicKey, Buffer.from(cp.sig, 'base64')))
      return {
        ok: false,
        checked,
        firstBroken: { seq: cp.seq, reason: 'checkpoint signature is not valid' },
      };
    if (cp.seq > 0) {
      const { rows } = await pool.query<{ hash: Buffer }>('SELECT hash FROM audit_events WHERE seq = $1', [
        cp.seq,
      ]);
      if (!rows[0] || rows[0].hash.toString('hex') !== cp.hash)
        return {
          ok: false,
          checked,
          firstBroken: { seq: cp.seq, reason: 'the chain differs from its signed checkpoint' },
        };
    }
    checked++;
  }
  return { ok: true, checked };
}
