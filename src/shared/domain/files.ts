import type { FieldClass } from './fields.js';

/**
 * Files kept with a person's record (photos, scanned documents) and the field class each kind belongs to:
 * reading a file is a read of that class, writing one a write of it. Photos and identity documents are
 * `identity` (product brief, "Sensitive data classes"); a signed consent form carries the person's name
 * and signature, so it is `identity` too.
 */
export const FILE_KINDS = ['photo', 'identity_document', 'consent_form'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export const FILE_KIND_CLASS: Record<FileKind, FieldClass> = {
  photo: 'identity',
  identity_document: 'identity',
  consent_form: 'identity',
};

/** What a file may be, decided by its first bytes (never by the client's Content-Type). */
export const FILE_CONTENT_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type FileContentType = (typeof FILE_CONTENT_TYPES)[number];

/** Largest accepted upload: a phone photo or a multi-page scan at reasonable resolution. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** The content type of a file from its magic bytes, or null when it is none of the accepted types. */
export function sniffContentType(bytes: Uint8Array): FileContentType | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (bytes.length >= 4 && starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (bytes.length >= 8 && starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (bytes.length >= 5 && starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  return null;
}
