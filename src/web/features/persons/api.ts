import type { z } from 'zod';
import type {
  AlertView,
  ConsentCreate,
  ConsentView,
  OverrideCreate,
  OverrideView,
  PersonCreate,
  PersonCreated,
  PersonMatch,
  PersonPatch,
  PersonSearchBody,
  PersonSummary,
  PersonView,
  RevealedFields,
  TaskView,
} from '../../../shared/contracts/persons.js';
import type { WITHDRAWN_BY } from '../../../shared/domain/consent.js';
import type { FieldClass } from '../../../shared/domain/fields.js';
import { create, get, patch, post } from '../../api/client.js';

/** Bodies of the persons, consent, task and alert routes, inferred from the shared contracts (types only). */
export type PersonSummaryT = z.infer<typeof PersonSummary>;
export type PersonViewT = PersonView;
export type PersonCreateT = z.output<typeof PersonCreate>;
export type PersonPatchT = z.output<typeof PersonPatch>;
export type PersonCreatedT = z.infer<typeof PersonCreated>;
export type PersonMatchT = z.infer<typeof PersonMatch>;
export type PersonSearchT = z.infer<typeof PersonSearchBody>;
export type RevealedT = z.infer<typeof RevealedFields>;
export type ConsentT = z.infer<typeof ConsentView>;
export type ConsentCreateT = z.output<typeof ConsentCreate>;
export type OverrideT = z.infer<typeof OverrideView>;
export type OverrideCreateT = z.output<typeof OverrideCreate>;
export type TaskT = z.infer<typeof TaskView>;
export type AlertT = z.infer<typeof AlertView>;
export type WithdrawnBy = (typeof WITHDRAWN_BY)[number];

const person = (id: string) => `/api/persons/${encodeURIComponent(id)}`;

/** One function per person and consent route (see src/shared/contracts/persons.ts). */
export const personsApi = {
  list: (query: { limit: number; offset: number }, signal?: AbortSignal) =>
    get<{ items: PersonSummaryT[]; total: number }>('/api/persons', query, signal),
  create: (body: PersonCreateT) => create<PersonCreatedT>('/api/persons', body),
  /** A POST, so the name searched for never appears in an address, a log line or the history. */
  search: (body: PersonSearchT) => post<PersonMatchT[]>('/api/persons/search', body),
  one: (id: string, signal?: AbortSignal) => get<PersonViewT>(person(id), undefined, signal),
  /** Each call is an audited disclosure; the server may ask for a step-up (bulk-access brake). */
  reveal: (id: string, classes: readonly FieldClass[], signal?: AbortSignal) =>
    get<RevealedT>(`${person(id)}/fields`, { classes: classes.join(',') }, signal),
  /** `version`: the person's, as loaded; 412 means someone else changed the record meanwhile. */
  patch: (id: string, body: PersonPatchT, version: number) => patch<PersonViewT>(person(id), body, version),

  consents: (id: string, signal?: AbortSignal) =>
    get<ConsentT[]>(`${person(id)}/consents`, undefined, signal),
  recordConsent: (id: string, body: ConsentCreateT) => create<ConsentT>(`${person(id)}/consents`, body),
  withdrawConsent: (id: string, consentId: string, withdrawnBy: WithdrawnBy) =>
    post<ConsentT>(`${person(id)}/consents/${encodeURIComponent(consentId)}/withdraw`, { withdrawnBy }),

  overrides: (id: string, signal?: AbortSignal) =>
    get<OverrideT[]>(`${person(id)}/consent-overrides`, undefined, signal),
  requestOverride: (id: string, body: OverrideCreateT) =>
    create<OverrideT>(`${person(id)}/consent-overrides`, body),
  decideOverride: (id: string, overrideId: string, decision: 'approve' | 'reject') =>
    post<OverrideT>(`${person(id)}/consent-overrides/${encodeURIComponent(overrideId)}/decision`, {
      decision,
    }),
};
