import type { z } from 'zod';
import type {
  EXPORT_FORMATS,
  EXPORT_STATUSES,
  ExportCreate,
  ExportView,
} from '../../../shared/contracts/exports.js';
import { create, get, post } from '../../api/client.js';
import { download } from '../persons/binary.js';

/** Exports of an agency's person records (ADR 15), typed from the shared contracts. */
export type ExportT = z.infer<typeof ExportView>;
export type ExportCreateT = z.input<typeof ExportCreate>;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const one = (id: string) => `/api/exports/${encodeURIComponent(id)}`;

export const exportsKey = ['exports'] as const;

export const exportsApi = {
  list: (status: ExportStatus | undefined, signal?: AbortSignal) =>
    get<{ items: ExportT[] }>('/api/exports', { status }, signal),
  request: (body: ExportCreateT) => create<ExportT>('/api/exports', body),
  approve: (id: string) => post<ExportT>(`${one(id)}/approve`, {}),
  reject: (id: string) => post<ExportT>(`${one(id)}/reject`, {}),
  /** The file is produced at each download and handed to the browser, never kept by the application. */
  download: (id: string) => download(`${one(id)}/file`),
};
