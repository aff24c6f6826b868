import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A storage name: 128 random bits in hex. Nothing about the person, the kind or the upload is in it. */
const NAME = /^[0-9a-f]{32}$/;

export function newStorageName(): string {
  return randomBytes(16).toString('hex');
}

function pathOf(dir: string, name: string): string {
  if (!NAME.test(name)) throw new Error('not a storage name');
  return path.join(dir, name);
}

async function ensureDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * Writes sealed bytes under a new name, durably: a temporary file is written and fsynced, renamed into
 * place, and the folder is fsynced, so that a crash leaves either no file or the whole file (owner-only
 * permissions). A name already in use fails instead of overwriting.
 */
export async function writeStored(dir: string, name: string, sealed: Buffer): Promise<void> {
  await ensureDir(dir);
  const final = pathOf(dir, name);
  const temp = `${final}.tmp`;
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(sealed);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.link(temp, final); // fails if the name exists (no silent overwrite)
  } finally {
    await fs.rm(temp, { force: true });
  }
  const folder = await fs.open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

export async function readStored(dir: string, name: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(pathOf(dir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Removes a stored file; a missing file is not an error (removal is retried after failures). */
export async function removeStored(dir: string, name: string): Promise<void> {
  await fs.rm(pathOf(dir, name), { force: true });
}
