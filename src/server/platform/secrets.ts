import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The instance secret: 32 random bytes used to encrypt small secrets held for users (TOTP seeds) and to key
 * HMACs (throttle keys for network addresses, so that no address is stored). Per-person data keys for
 * survivors' records are a separate envelope scheme (see docs/adr).
 */
export interface Secrets {
  seal(plaintext: Buffer, context: string): Buffer;
  open(sealed: Buffer, context: string): Buffer;
  hmac(purpose: string, value: string): Buffer;
}

export function secretsFromKey(key: Buffer): Secrets {
  if (key.length !== 32) throw new Error('the instance secret key must be 32 bytes');
  return {
    seal(plaintext, context) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([Buffer.from([1]), nonce, cipher.getAuthTag(), body]);
    },
    open(sealed, context) {
      if (sealed[0] !== 1) throw new Error('unknown sealed format');
      const nonce = sealed.subarray(1, 13);
      const tag = sealed.subarray(13, 29);
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
    },
    hmac(purpose, value) {
      return createHmac('sha256', key).update(purpose).update('\0').update(value).digest();
    },
  };
}

/**
 * Reads the key from HALAS_SECRET_KEY (base64) or HALAS_SECRET_KEY_FILE, else from `<dataDir>/keys/instance.key`,
 * creating that file (mode 0600) on first start.
 */
export function loadSecrets(options: { base64?: string; file?: string; dataDir: string }): Secrets {
  if (options.base64) return secretsFromKey(Buffer.from(options.base64, 'base64'));
  const file = options.file ?? path.join(options.dataDir, 'keys', 'instance.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  const stat = fs.statSync(file);
  if ((stat.mode & 0o077) !== 0)
    throw new Error(`${file} must not be readable by group or others (chmod 600)`);
  return secretsFromKey(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'));
}
