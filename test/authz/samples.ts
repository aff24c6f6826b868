import { unique } from '../factories/index.js';
import type { Persona, Personas } from '../factories/personas.js';

/** The records the matrix needs besides the personas: an agency and a user no agency-scoped persona sees. */
export interface World {
  personas: Personas;
  foreign: { agencyId: string; userId: string };
  /** The pseudonymous reference of a person of the foreign agency (break-the-glass opens it by reference). */
  foreignPersonRef?: string;
  /** Another person of the foreign agency, for break-the-glass (whose grants open the person they name). */
  glassPersonRef?: string;
}

export interface Sample {
  query?: Record<string, string>;
  body?: unknown;
  /** A body that is not JSON (a file upload), with its content type. */
  raw?: { contentType: string; payload: Buffer };
}

type Build = (persona: Persona, world: World) => Sample;

/** The persona's own agency (anonymous has none: any agency will do, the request is refused anyway). */
const home = (p: Persona, w: World) => p.agencyId ?? w.foreign.agencyId;

/** WebAuthn answers that pass the schema but were never asked for: they reach the check and fail there. */
const SAMPLE_ASSERTION = {
  id: 'bWF0cml4LWtleQ',
  rawId: 'bWF0cml4LWtleQ',
  type: 'public-key',
  response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
  clientExtensionResults: {},
};
const SAMPLE_ATTESTATION = {
  id: 'bWF0cml4LWtleQ',
  rawId: 'bWF0cml4LWtleQ',
  type: 'public-key',
  response: { clientDataJSON: 'e30', attestationObject: 'oA', transports: ['usb'] },
  clientExtensionResults: { credProps: { rk: false } },
};

/**
 * A valid request per route (params come from the matrix's record kinds). Valid means it passes schema
 * validation, so only access decides; a route without an entry sends neither query nor body.
 */
export const SAMPLES: Record<string, Build> = {
  'POST /api/auth/login': () => ({ body: { username: 'nobody-by-this-name', password: 'not the password' } }),
  'POST /api/auth/setup': () => ({
    body: { token: 'x'.repeat(32), password: 'a long enough passphrase here' },
  }),
  'POST /api/auth/mfa/verify': () => ({ body: { code: '000000' } }),
  'POST /api/auth/recovery': () => ({ body: { code: 'AAAAA-BBBBB' } }),
  'POST /api/auth/mfa/enrol/start': () => ({ body: {} }),
  'POST /api/auth/mfa/enrol/finish': () => ({ body: { code: '000000' } }),
  'POST /api/auth/reauth': () => ({ body: { password: 'not the password', code: '000000' } }),
  'POST /api/auth/webauthn/options': () => ({ body: {} }),
  'POST /api/auth/webauthn/verify': () => ({ body: { response: SAMPLE_ASSERTION } }),
  'POST /api/auth/logout': () => ({ body: {} }),
  'POST /api/auth/logout-all': () => ({ body: {} }),
  'PATCH /api/me': () => ({ body: { displayName: 'Matrix Persona' } }),
  'POST /api/me/password': () => ({
    body: { currentPassword: 'not the password', newPassword: 'another long enough passphrase' },
  }),
  'POST /api/me/webauthn/options': () => ({ body: {} }),
  'POST /api/me/webauthn': () => ({ body: { label: 'Matrix key', response: SAMPLE_ATTESTATION } }),
  'GET /api/agencies': () => ({ query: { includeInactive: 'true' } }),
  'POST /api/agencies': () => {
    const code = unique('matrix');
    return {
      body: {
        code,
        type: 'ngo',
        name: { tk: `Gurama ${code}`, ru: `Организация ${code}`, en: `Organisation ${code}` },
      },
    };
  },
  'PATCH /api/agencies/:id': () => ({ body: { region: 'Ahal' } }),
  'GET /api/users': (p, w) => ({ query: { agencyId: home(p, w) } }),
  'GET /api/users/grantable-roles': (p, w) => ({ query: { agencyId: home(p, w) } }),
  'POST /api/users': (p, w) => ({
    body: {
      username: unique('matrix'),
      displayName: 'Matrix Newcomer',
      agencyId: home(p, w),
      roles: ['trainer'],
    },
  }),
  'PATCH /api/users/:id': () => ({ body: { displayName: 'Matrix Colleague' } }),
  'PUT /api/users/:id/memberships': (p, w) => ({
    body: { agencyId: home(p, w), roles: ['trainer', 'nap_focal_point'] },
  }),
  'POST /api/users/:id/reset-credentials': () => ({ body: {} }),
  'POST /api/users/:id/revoke-sessions': () => ({ body: {} }),
  'GET /api/audit': () => ({ query: { limit: '5' } }),
  'GET /api/persons': () => ({ query: { limit: '5' } }),
  'POST /api/persons': () => ({ body: { sex: 'female', birthYear: 1991, interpreterNeeded: false } }),
  'POST /api/persons/search': () => ({ body: { name: 'Matrix Persona' } }),
  'GET /api/persons/:id/fields': () => ({ query: { classes: 'identity' } }),
  'PATCH /api/persons/:id': () => ({ body: { interpreterNeeded: true } }),
  'POST /api/persons/:id/consents': () => ({
    body: {
      purpose: 'assistance',
      dataClasses: ['identity'],
      givenBy: 'person',
      evidence: 'signed_form',
      givenAt: '2026-01-01T00:00:00.000Z',
    },
  }),
  'POST /api/persons/:id/consents/:consentId/withdraw': () => ({ body: { withdrawnBy: 'person' } }),
  'POST /api/persons/:id/consent-overrides': (_p, w) => ({
    body: {
      purpose: 'referral',
      recipientAgencyId: w.foreign.agencyId,
      dataClasses: ['identity'],
      reason: 'Matrix test: urgent protection without reachable consent.',
    },
  }),
  'POST /api/persons/:id/consent-overrides/:overrideId/decision': () => ({ body: { decision: 'approve' } }),
  'POST /api/break-glass': (_p, w) => ({
    body: {
      ref: w.glassPersonRef,
      reason: 'Matrix test: emergency at night, the owning agency is unreachable.',
    },
  }),
  'GET /api/break-glass': () => ({ query: { status: 'all' } }),
  'GET /api/agency-tasks': () => ({ query: { status: 'open' } }),
  'POST /api/tasks/:id/link': () => ({ body: {} }),
  'POST /api/tasks/:id/merge': () => ({ body: { survivor: 'record' } }),
  'POST /api/merges/:id/unmerge': () => ({ body: {} }),
  'POST /api/persons/:id/erasure-requests': () => ({
    body: { reason: 'Matrix test: the person asked to be forgotten.' },
  }),
  'GET /api/statistics/persons': () => ({ query: { rows: 'sex', cols: 'ageBand' } }),
  'POST /api/exports': () => ({ body: { purpose: 'assistance', format: 'csv', classes: [] } }),
  'POST /api/exports/:id/approve': () => ({ body: {} }),
  'POST /api/exports/:id/reject': () => ({ body: {} }),
  'GET /api/erasure-requests': () => ({ query: { status: 'pending' } }),
  'POST /api/erasure-requests/:id/approve': () => ({ body: {} }),
  'POST /api/erasure-requests/:id/reject': () => ({ body: { reason: 'Matrix test: records still needed.' } }),
  // a JPEG by its magic bytes (files are recognised by content, never by Content-Type)
  'POST /api/persons/:id/files': () => ({
    query: { kind: 'photo' },
    raw: { contentType: 'application/octet-stream', payload: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]) },
  }),
  'GET /api/persons/:id/history': () => ({ query: { classes: 'identity' } }),
  'POST /api/access-reports': (_p, w) => ({ body: { ref: w.foreignPersonRef, locale: 'en' } }),
  'GET /api/tasks': () => ({ query: { kind: 'duplicate_review' } }),
  'POST /api/tasks/:id/resolve': () => ({ body: { resolution: 'not_duplicate' } }),
  'POST /api/alerts/:id/acknowledge': () => ({ body: {} }),
};

const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** The concrete URL of a route pattern: `:id` replaced, the web catch-all given a client-side path. */
export function urlOf(pattern: string, id?: string): string {
  if (pattern === '/*') return '/cases/recent';
  // second-level ids (a consent, an override) that do not exist: the route is reached, then not found
  const nested = pattern
    .replace(':consentId', MISSING_ID)
    .replace(':overrideId', MISSING_ID)
    .replace(':fileId', MISSING_ID);
  const first = id ?? (nested.includes(':id') ? MISSING_ID : undefined);
  return first ? nested.replace(':id', first) : nested;
}
