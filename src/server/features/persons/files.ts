import { randomUUID } from 'node:crypto';
import type { PersonFileView } from '../../../shared/contracts/person-records.js';
import {
  FILE_KIND_CLASS,
  type FileContentType,
  type FileKind,
  sniffContentType,
} from '../../../shared/domain/files.js';
import { serverMessage } from '../../../shared/i18n/server/index.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { openFile, sealFile } from '../../platform/crypto/files.js';
import { loadPersonKeys } from '../../platform/crypto/index.js';
import { AppError } from '../../platform/errors.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { brake, identifying } from './brake.js';
import { auditGrantRead } from './break-glass.js';
import { newStorageName, readStored, removeStored, writeStored } from './file-store.js';
import { agenciesWith } from './policy.js';
import { loadForActor } from './service.js';

/**
 * Photos and scanned documents of a person (issue 4). Each file is sealed under the person's data key
 * (crypto-shredding the key makes it unreadable) and bound to person and file id; it is stored under a
 * random name in the configured files folder; its row says what it is and which field class it belongs
 * to. Reading a file is a read of that class, writing or deleting one a write of it; every read and
 * change is audited with the kind only.
 */

interface FileRow {
  id: string;
  person_id: string;
  kind: FileKind;
  field_class: PersonFileView['fieldClass'];
  content_type: FileContentType;
  size_bytes: number;
  storage_name: string;
  uploaded_by: string;
  uploaded_at: Date;
}

const FILE_COLUMNS =
  'id, person_id, kind, field_class, content_type, size_bytes, storage_name, uploaded_by, uploaded_at';

export function fileView(row: FileRow): PersonFileView {
  return {
    id: row.id,
    personId: row.person_id,
    kind: row.kind,
    fieldClass: row.field_class,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    uploadedBy: row.uploaded_by,
    uploadedAt: row.uploaded_at.toISOString(),
  };
}

/** Every file row of a person (the caller filters by class). */
export async function fileRows(tx: Tx, personId: string): Promise<FileRow[]> {
  const { rows } = await tx.query<FileRow>(
    `SELECT ${FILE_COLUMNS} FROM person_files WHERE person_id = $1 ORDER BY uploaded_at, id`,
    [personId],
  );
  return rows;
}

/** The person's record, checked for a write of the file kind's class by the owning agency. */
async function loadForWrite(deps: AppDeps, tx: Tx, ctx: RequestContext, personId: string, kind: FileKind) {
  const actor = requireActor(ctx);
  const { row, access } = await loadForActor(tx, ctx, personId, true);
  const mayUpdate = agenciesWith(actor, 'person.update').includes(row.owner_agency_id);
  if (!mayUpdate || row.erased_at) throw new AppError('forbidden');
  if (!access.writable.includes(FILE_KIND_CLASS[kind])) throw new AppError('field_not_writable');
  const dek = (await loadPersonKeys(tx, deps.keyring, [personId])).get(personId.toLowerCase());
  if (!dek) throw new AppError('forbidden');
  return { row, dek };
}

export async function uploadFile(
  deps: AppDeps,
  ctx: RequestContext,
  personId: string,
  kind: FileKind,
  body: unknown,
): Promise<PersonFileView> {
  const actor = requireActor(ctx);
  if (!Buffer.isBuffer(body)) throw new AppError('file_type_not_accepted');
  if (body.length === 0)
    throw new AppError('validation_failed', [
      { path: 'body', code: 'required', message: serverMessage(ctx.locale, 'issue.required') },
    ]);
  const contentType = sniffContentType(body);
  if (!contentType) throw new AppError('file_type_not_accepted');
  const dir = deps.config.filesDir;
  const written: string[] = [];
  let kept: string | undefined;
  try {
    const view = await withTx(deps.db.pool, actor, async (tx) => {
      const { row, dek } = await loadForWrite(deps, tx, ctx, personId, kind);
      const id = randomUUID();
      const storageName = newStorageName();
      // The file is on disk (sealed) before its row commits: a crash in between leaves an orphan
      // ciphertext under the person's key, never a row without its file.
      await writeStored(dir, storageName, sealFile(dek, row.id, id, body));
      written.push(storageName);
      const inserted = await tx.query<FileRow>(
        `INSERT INTO person_files (id, person_id, kind, field_class, content_type, size_bytes, storage_name,
           uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${FILE_COLUMNS}`,
        [
          id,
          row.id,
          kind,
          FILE_KIND_CLASS[kind],
          contentType,
          body.length,
          storageName,
          actor.userId,
          ctx.now(),
        ],
      );
      await writeAudit(tx, ctx, {
        action: 'person.file.upload',
        entityType: 'person',
        entityId: row.id,
        actorAgencyId: row.owner_agency_id,
        fields: [kind],
      });
      kept = storageName;
      return fileView(inserted.rows[0]!);
    });
    return view;
  } finally {
    // Files of attempts that did not commit (an error, or a retried serialization failure) are removed.
    for (const name of written) if (name !== kept) await removeStored(dir, name).catch(() => undefined);
  }
}

/** The files of the classes the caller may read; other files do not exist for them. */
export async function listFiles(deps: AppDeps, ctx: RequestContext, personId: string) {
  return withTx(
    deps.db.pool,
    requireActor(ctx),
    async (tx) => {
      const { row, access, grantId } = await loadForActor(tx, ctx, personId, false, true);
      if (row.erased_at) return [];
      const files = (await fileRows(tx, row.id)).filter((f) => access.readable.includes(f.field_class));
      if (grantId) await auditGrantRead(tx, ctx, grantId, ['files']);
      return files.map(fileView);
    },
    // a read under a break-the-glass grant is audited: not read-only
  );
}

/**
 * One file the caller may read, decrypted; the read is audited (under a break-the-glass grant, with the
 * grant) and braked like a reveal. Unreadable, shredded or absent: 404. A stored file that does not
 * decrypt (changed or damaged on disk) is refused with file_damaged and logged, never served.
 */
export async function readFile(
  deps: AppDeps,
  ctx: RequestContext,
  personId: string,
  fileId: string,
): Promise<{ file: PersonFileView; bytes: Buffer }> {
  const actor = requireActor(ctx);
  return withTx(deps.db.pool, actor, async (tx) => {
    const { row, access, grantId } = await loadForActor(tx, ctx, personId, false, true);
    const file = (
      await tx.query<FileRow>(`SELECT ${FILE_COLUMNS} FROM person_files WHERE id = $1 AND person_id = $2`, [
        fileId,
        row.id,
      ])
    ).rows[0];
    if (!file || row.erased_at || !access.readable.includes(file.field_class))
      throw new AppError('not_found');
    const dek = (await loadPersonKeys(tx, deps.keyring, [row.id])).get(row.id.toLowerCase());
    const sealed = dek ? await readStored(deps.config.filesDir, file.storage_name) : null;
    if (!dek || !sealed) throw new AppError('not_found');
    const read = { action: 'person.file.read', fields: [file.kind] };
    if (identifying({ fileKind: file.kind })) await brake(deps, tx, ctx, row, read);
    let bytes: Buffer;
    try {
      bytes = openFile(dek, row.id, file.id, sealed);
    } catch {
      ctx.log.error({ fileId: file.id }, 'a stored person file does not decrypt: changed or damaged on disk');
      throw new AppError('file_damaged');
    }
    await writeAudit(tx, ctx, { ...read, entityType: 'person', entityId: row.id });
    if (grantId) await auditGrantRead(tx, ctx, grantId, [file.kind]);
    return { file: fileView(file), bytes };
  });
}

export async function deleteFile(
  deps: AppDeps,
  ctx: RequestContext,
  personId: string,
  fileId: string,
): Promise<void> {
  const actor = requireActor(ctx);
  const storageName = await withTx(deps.db.pool, actor, async (tx) => {
    const { row, access } = await loadForActor(tx, ctx, personId, true);
    const file = (
      await tx.query<FileRow>(
        // the person's row, locked above, serializes changes to their files
        `SELECT ${FILE_COLUMNS} FROM person_files WHERE id = $1 AND person_id = $2`,
        [fileId, row.id],
      )
    ).rows[0];
    if (!file || !access.readable.includes(file.field_class)) throw new AppError('not_found');
    await loadForWrite(deps, tx, ctx, row.id, file.kind);
    await tx.query('DELETE FROM person_files WHERE id = $1', [file.id]);
    await writeAudit(tx, ctx, {
      action: 'person.file.delete',
      entityType: 'person',
      entityId: row.id,
      actorAgencyId: row.owner_agency_id,
      fields: [file.kind],
    });
    return file.storage_name;
  });
  // After the commit: a failure here leaves an orphan ciphertext that nothing refers to.
  await removeStored(deps.config.filesDir, storageName).catch((error) =>
    ctx.log.warn({ err: { code: (error as NodeJS.ErrnoException).code } }, 'could not remove a stored file'),
  );
}
