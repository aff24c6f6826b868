import type { z } from 'zod';
import type { ERASURE_STATUSES, ErasureRequestView } from '../../../shared/contracts/erasure.js';
import { get, post } from '../../api/client.js';

/** Erasure requests (ADR 13), typed from the shared contracts. */
export type ErasureRequestT = z.infer<typeof ErasureRequestView>;
export type ErasureStatus = (typeof ERASURE_STATUSES)[number];

const one = (id: string) => `/api/erasure-requests/${encodeURIComponent(id)}`;

export const erasureKey = ['erasure-requests'] as const;

export const erasureApi = {
  list: (status: ErasureStatus, signal?: AbortSignal) =>
    get<{ items: ErasureRequestT[] }>('/api/erasure-requests', { status }, signal),
  /** The detail holds the reasons: an audited read, never cached beyond the dialog. */
  detail: (id: string, signal?: AbortSignal) => get<ErasureRequestT>(one(id), undefined, signal),
  approve: (id: string) => post<ErasureRequestT>(`${one(id)}/approve`, {}),
  reject: (id: string, reason: string) => post<ErasureRequestT>(`${one(id)}/reject`, { reason }),
  ofPerson: (personId: string, signal?: AbortSignal) =>
    get<ErasureRequestT[]>(
      `/api/persons/${encodeURIComponent(personId)}/erasure-requests`,
      undefined,
      signal,
    ),
  request: (personId: string, reason: string) =>
    post<ErasureRequestT>(`/api/persons/${encodeURIComponent(personId)}/erasure-requests`, { reason }),
};
