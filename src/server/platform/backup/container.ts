import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

/**
 * The encrypted backup file (ADR 12). Everything after a short clear header is AES-256-GCM, in chunks of
 * 1 MiB, each authenticated on its own before any of its bytes are used:
 *
 *   "HALASBK1" | u32 header length | header JSON (format, cipher, salt, key fingerprint, chunk size)
 *   chunk*     | u32 plaintext length | ciphertext | 16-byte tag
 *
 * The file key is HKDF-SHA256(backup key, random salt): a fresh key per file, so the chunk counter is a safe
 * nonce. The nonce is the 64-bit chunk counter plus a final-chunk flag, and every chunk's additional data is
 * the hash of the header: chunks cannot be reordered, dropped, moved between files or cut off at the end
 * without the check failing. The plaintext is: u32 manifest length | manifest JSON | gzip(payload).
 */
const MAGIC = Buffer.from('HALASBK1', 'ascii');
const CHUNK = 1024 * 1024;
const TAG = 16;
const MAX_HEADER = 64 * 1024;
const MAX_MANIFEST = 16 * 1024 * 1024;

export class BackupFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupFileError';
  }
}

interface Header {
  format: 1;
  cipher: 'aes-256-gcm';
  kdf: 'hkdf-sha256';
  salt: string;
  /** First 8 bytes of SHA-256 of the backup key, hex: says which key a file needs without revealing it. */
  keyId: string;
  chunkSize: number;
}

export function backupKeyId(key: Buffer): string {
  return createHash('sha256').update('halas-backup-key-id').update(key).digest('hex').slice(0, 16);
}

function fileKey(key: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key, salt, 'halas-backup-file-v1', 32));
}

function nonce(counter: number, final: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(counter), 0);
  n[11] = final ? 1 : 0;
  return n;
}

/** Splits a stream into CHUNK-sized encrypted records; the last one carries the final flag. */
async function* encrypt(source: AsyncIterable<Buffer>, key: Buffer, aad: Buffer): AsyncGenerator<Buffer> {
  let counter = 0;
  let pending: Buffer[] = [];
  let size = 0;
  const record = (plain: Buffer, final: boolean) => {
    const cipher = createCipheriv('aes-256-gcm', key, nonce(counter++, final));
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(plain.length);
    return Buffer.concat([len, body, cipher.getAuthTag()]);
  };
  for await (const piece of source) {
    pending.push(piece);
    size += piece.length;
    while (size > CHUNK) {
      const all = Buffer.concat(pending);
      yield record(all.subarray(0, CHUNK), false);
      pending = [all.subarray(CHUNK)];
      size = all.length - CHUNK;
    }
  }
  yield record(Buffer.concat(pending), true);
}

export interface WriteOptions {
  /** Where the backup goes; written as `<file>.partial` (mode 0600) and renamed when complete. */
  file: string;
  key: Buffer;
  manifest: object;
  /** The raw payload (a tar stream); compressed with gzip on the way. */
  payload: Readable;
}

/** Writes an encrypted backup file; returns its size in bytes. A failure leaves no file behind. */
export async function writeBackupFile(options: WriteOptions): Promise<number> {
  const salt = randomBytes(32);
  const header: Header = {
    format: 1,
    cipher: 'aes-256-gcm',
    kdf: 'hkdf-sha256',
    salt: salt.toString('base64'),
    keyId: backupKeyId(options.key),
    chunkSize: CHUNK,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const headerLen = Buffer.alloc(4);
  headerLen.writeUInt32BE(headerBytes.length);
  const prefix = Buffer.concat([MAGIC, headerLen, headerBytes]);
  const aad = createHash('sha256').update(prefix).digest();
  const key = fileKey(options.key, salt);
  const manifestBytes = Buffer.from(JSON.stringify(options.manifest), 'utf8');
  const manifestLen = Buffer.alloc(4);
  manifestLen.writeUInt32BE(manifestBytes.length);

  const partial = `${options.file}.partial`;
  fs.mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const out = fs.createWriteStream(partial, { flags: 'wx', mode: 0o600 });
  try {
    await pipeline(
      options.payload,
      zlib.createGzip({ level: 3 }),
      async function* (gz: AsyncIterable<Buffer>) {
        yield* encrypt(
          (async function* () {
            yield manifestLen;
            yield manifestBytes;
            yield* gz;
          })(),
          key,
          aad,
        );
      },
      async function* (records: AsyncIterable<Buffer>) {
        yield prefix;
        yield* records;
      },
      out,
    );
    const fd = fs.openSync(partial, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(partial, options.file);
  } catch (error) {
    out.destroy();
    fs.rmSync(partial, { force: true });
    throw error;
  }
  return fs.statSync(options.file).size;
}

async function readExactly(fh: fs.promises.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/** The authenticated plaintext of a backup file, chunk by chunk. Throws BackupFileError on any mismatch. */
async function* decrypt(file: string, key: Buffer): AsyncGenerator<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const magic = await readExactly(fh, 0, 12);
    if (magic.length < 12 || !magic.subarray(0, 8).equals(MAGIC))
      throw new BackupFileError('this is not a Halas backup file');
    const headerLength = magic.readUInt32BE(8);
    if (headerLength > MAX_HEADER) throw new BackupFileError('the backup file header is damaged');
    const headerBytes = await readExactly(fh, 12, headerLength);
    let header: Header;
    try {
      header = JSON.parse(headerBytes.toString('utf8')) as Header;
    } catch {
      throw new BackupFileError('the backup file header is damaged');
    }
    if (header.format !== 1 || header.cipher !== 'aes-256-gcm' || header.chunkSize !== CHUNK)
      throw new BackupFileError('the backup file header is damaged or of an unknown format');
    if (header.keyId !== backupKeyId(key))
      throw new BackupFileError(
        `this backup was encrypted with another backup key (key id ${header.keyId}; the given key has id ${backupKeyId(key)})`,
      );
    const aad = createHash('sha256')
      .update(Buffer.concat([magic, headerBytes]))
      .digest();
    const k = fileKey(key, Buffer.from(header.salt, 'base64'));
    let position = 12 + headerLength;
    for (let counter = 0; ; counter++) {
      const len = await readExactly(fh, position, 4);
      if (len.length < 4) throw new BackupFileError('the backup file is truncated');
      const plainLength = len.readUInt32BE(0);
      if (plainLength > CHUNK) throw new BackupFileError('the backup file is damaged');
      const body = await readExactly(fh, position + 4, plainLength + TAG);
      if (body.length < plainLength + TAG) throw new BackupFileError('the backup file is truncated');
      position += 4 + plainLength + TAG;
      const atEnd = (await readExactly(fh, position, 1)).length === 0;
      // The last record of the file must carry the final flag, and no other may: a file cut at a chunk
      // boundary, or with records appended, does not authenticate.
      let plain: Buffer;
      try {
        const d = createDecipheriv('aes-256-gcm', k, nonce(counter, atEnd));
        d.setAAD(aad);
        d.setAuthTag(body.subarray(plainLength));
        plain = Buffer.concat([d.update(body.subarray(0, plainLength)), d.final()]);
      } catch {
        throw new BackupFileError(
          `the backup file does not authenticate: chunk ${counter} is damaged or altered${atEnd ? ', or the file is cut short' : ''}`,
        );
      }
      yield plain;
      if (atEnd) return;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Reads a backup file: authenticates every chunk, returns the manifest, and streams the decompressed payload
 * into `sink` (or discards it, which checks the whole file). Throws BackupFileError when anything does not
 * authenticate; when a sink is given, the caller must treat what it wrote as void in that case.
 */
export async function readBackupFile(
  file: string,
  key: Buffer,
  sink?: Writable,
): Promise<{ manifest: Record<string, unknown>; payloadBytes: number }> {
  let manifest: Record<string, unknown> | undefined;
  let payloadBytes = 0;
  const plain = decrypt(file, key);
  async function* payload() {
    let head = Buffer.alloc(0);
    let manifestLength = -1;
    for await (const piece of plain) {
      if (manifest) {
        yield piece;
        continue;
      }
      head = Buffer.concat([head, piece]);
      if (manifestLength < 0 && head.length >= 4) {
        manifestLength = head.readUInt32BE(0);
        if (manifestLength > MAX_MANIFEST) throw new BackupFileError('the backup manifest is damaged');
      }
      if (manifestLength >= 0 && head.length >= 4 + manifestLength) {
        manifest = JSON.parse(head.subarray(4, 4 + manifestLength).toString('utf8'));
        const rest = head.subarray(4 + manifestLength);
        if (rest.length > 0) yield rest;
      }
    }
    if (!manifest) throw new BackupFileError('the backup file has no manifest');
  }
  const target =
    sink ??
    new Writable({
      write(_chunk, _enc, cb) {
        cb();
      },
    });
  const counter = async function* (source: AsyncIterable<Buffer>) {
    for await (const piece of source) {
      payloadBytes += piece.length;
      yield piece;
    }
  };
  try {
    await pipeline(Readable.from(payload()), zlib.createGunzip(), counter, target);
  } catch (error) {
    if (error instanceof BackupFileError) throw error;
    if ((error as NodeJS.ErrnoException).code?.startsWith('Z_'))
      throw new BackupFileError('the backup payload is damaged (gzip)');
    throw error;
  }
  return { manifest: manifest!, payloadBytes };
}

/** Reads only the manifest (authenticating the chunks it spans), e.g. to show what a file holds. */
export async function readManifest(file: string, key: Buffer): Promise<Record<string, unknown>> {
  let head = Buffer.alloc(0);
  for await (const piece of decrypt(file, key)) {
    head = Buffer.concat([head, piece]);
    if (head.length >= 4 && head.length >= 4 + head.readUInt32BE(0)) {
      const n = head.readUInt32BE(0);
      if (n > MAX_MANIFEST) break;
      return JSON.parse(head.subarray(4, 4 + n).toString('utf8'));
    }
  }
  throw new BackupFileError('the backup manifest is damaged');
}
