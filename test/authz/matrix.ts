import type { ErrorCode } from '../../src/shared/contracts/errors.js';
import { ROLES, type Role } from '../../src/shared/domain/access.js';
import { PERSONAS, type PersonaName } from '../factories/personas.js';

/**
 * G01: the authorization matrix, as data. One entry per route the app registers (`METHOD /url`, exactly as
 * in `app.declaredRoutes`); the suite fails for a route missing here and for an entry without a route.
 * For every route × persona the test sends a valid request: personas in `allow` must get through, everyone
 * else is refused (401 without a valid session, otherwise 403 or 404).
 * Change this file only together with a reviewed change of who may do what.
 */
export interface Expectation {
  /** Personas whose request must succeed (2xx, or the `reached` answer). */
  allow: readonly PersonaName[];
  /**
   * For a sample that cannot succeed without a secret the matrix does not hold (a password, a one-time code,
   * a setup token): the error every allowed persona gets instead, which shows the request passed the access
   * check and reached the handler.
   */
  reached?: ErrorCode;
  /**
   * Routes with `:id`: which record kind it names. The test then also sends a random uuid (404 for allowed
   * personas) and a record of another agency, which must look byte-identical to the random uuid (G02).
   */
  record?: 'agency' | 'user' | 'person' | 'own-session' | 'own-security-key';
  /** Allowed personas for whom no record of that kind is out of scope (cross-agency roles). */
  seesAll?: readonly PersonaName[];
}

const everyone = PERSONAS;
const signedIn: readonly PersonaName[] = ROLES;
const only = (...roles: Role[]): readonly PersonaName[] => roles;
const personReaders = only(
  'hotline_operator',
  'frontline_identifier',
  'competent_authority',
  'case_manager',
  'service_provider',
  'guardian',
);
const consentReaders = only(
  'hotline_operator',
  'frontline_identifier',
  'competent_authority',
  'case_manager',
  'guardian',
);

export const MATRIX: Record<string, Expectation> = {
  'GET /api/health': { allow: everyone },
  'GET /api/ready': { allow: everyone },
  'GET /api/meta': { allow: everyone },
  'GET /api/openapi.json': { allow: everyone },
  'GET /*': { allow: everyone },

  'POST /api/auth/login': { allow: everyone, reached: 'invalid_credentials' },
  'POST /api/auth/setup': { allow: everyone, reached: 'setup_token_invalid' },
  'POST /api/auth/mfa/verify': { allow: signedIn, reached: 'mfa_invalid' },
  'POST /api/auth/recovery': { allow: signedIn, reached: 'mfa_invalid' },
  'POST /api/auth/mfa/enrol/start': { allow: signedIn },
  'POST /api/auth/mfa/enrol/finish': { allow: signedIn, reached: 'mfa_invalid' },
  'POST /api/auth/reauth': { allow: signedIn, reached: 'invalid_credentials' },
  // A signed-in persona has no security key: the options are empty and any assertion is a wrong factor.
  'POST /api/auth/webauthn/options': { allow: signedIn },
  'POST /api/auth/webauthn/verify': { allow: signedIn, reached: 'mfa_invalid' },
  'POST /api/auth/logout': { allow: signedIn },
  'POST /api/auth/logout-all': { allow: signedIn },

  'GET /api/me': { allow: signedIn },
  'PATCH /api/me': { allow: signedIn },
  'POST /api/me/password': { allow: signedIn, reached: 'invalid_credentials' },
  'GET /api/me/sessions': { allow: signedIn },
  'DELETE /api/me/sessions/:id': { allow: signedIn, record: 'own-session', seesAll: [] },
  'GET /api/me/webauthn': { allow: signedIn },
  // Registering a security key is offered to administrators (G10); the sample answer is not a real key's.
  'POST /api/me/webauthn/options': { allow: only('system_admin', 'agency_admin', 'dpo') },
  'POST /api/me/webauthn': { allow: only('system_admin', 'agency_admin', 'dpo'), reached: 'mfa_invalid' },
  'DELETE /api/me/webauthn/:id': { allow: signedIn, record: 'own-security-key', seesAll: [] },

  'GET /api/agencies': { allow: signedIn },
  'GET /api/agencies/directory': { allow: signedIn },
  'POST /api/agencies': { allow: only('system_admin') },
  'GET /api/agencies/:id': {
    allow: signedIn,
    record: 'agency',
    seesAll: only('system_admin', 'national_coordinator', 'dpo'),
  },
  'PATCH /api/agencies/:id': { allow: only('system_admin'), record: 'agency', seesAll: only('system_admin') },

  'GET /api/users': { allow: only('system_admin', 'agency_admin', 'dpo') },
  'GET /api/users/grantable-roles': { allow: only('system_admin', 'agency_admin') },
  'POST /api/users': { allow: only('system_admin', 'agency_admin') },
  'GET /api/users/:id': {
    allow: only('system_admin', 'agency_admin', 'dpo'),
    record: 'user',
    seesAll: only('system_admin', 'dpo'),
  },
  'PATCH /api/users/:id': {
    allow: only('system_admin', 'agency_admin'),
    record: 'user',
    seesAll: only('system_admin'),
  },
  'PUT /api/users/:id/memberships': {
    allow: only('system_admin', 'agency_admin'),
    record: 'user',
    seesAll: only('system_admin'),
  },
  'POST /api/users/:id/reset-credentials': {
    allow: only('system_admin', 'agency_admin'),
    record: 'user',
    seesAll: only('system_admin'),
  },
  'POST /api/users/:id/revoke-sessions': {
    allow: only('system_admin', 'agency_admin'),
    record: 'user',
    seesAll: only('system_admin'),
  },

  'GET /api/audit': { allow: only('dpo') },

  // Persons: identities are need-to-know, agency by agency; nobody sees another agency's persons
  // without consent (seesAll is empty for every person route).
  'GET /api/persons': { allow: personReaders },
  'POST /api/persons': { allow: only('hotline_operator', 'frontline_identifier', 'case_manager') },
  'POST /api/persons/search': { allow: personReaders },
  'GET /api/persons/:id': { allow: personReaders, record: 'person', seesAll: [] },
  'GET /api/persons/:id/fields': { allow: personReaders, record: 'person', seesAll: [] },
  'PATCH /api/persons/:id': { allow: personReaders, record: 'person', seesAll: [] },
  'GET /api/persons/:id/consents': { allow: consentReaders, record: 'person', seesAll: [] },
  'POST /api/persons/:id/consents': {
    allow: only('hotline_operator', 'frontline_identifier', 'case_manager', 'guardian'),
    record: 'person',
    seesAll: [],
  },
  // the consent id in the sample does not exist: reaching the handler answers not_found
  'POST /api/persons/:id/consents/:consentId/withdraw': {
    allow: only('hotline_operator', 'frontline_identifier', 'case_manager', 'guardian'),
    reached: 'not_found',
  },
  'GET /api/persons/:id/consent-overrides': { allow: consentReaders, record: 'person', seesAll: [] },
  'POST /api/persons/:id/consent-overrides': {
    allow: only('competent_authority', 'case_manager'),
    record: 'person',
    seesAll: [],
  },
  'POST /api/persons/:id/consent-overrides/:overrideId/decision': {
    allow: only('competent_authority', 'case_manager'),
    reached: 'not_found',
  },
  // Break-the-glass: a person of another agency, by reference, for a fixed window (step-up; DPO alerted).
  'POST /api/break-glass': { allow: only('competent_authority', 'case_manager') },
  'GET /api/break-glass': { allow: only('dpo') },
  // Consent at 18: the agency's own tasks (case managers get theirs, other consent managers an empty list).
  'GET /api/agency-tasks': {
    allow: only('hotline_operator', 'frontline_identifier', 'case_manager', 'guardian'),
  },
  // Link / merge / unmerge of duplicates: the coordinator, on references (ids in the samples do not exist).
  'POST /api/tasks/:id/link': { allow: only('national_coordinator'), reached: 'not_found' },
  'POST /api/tasks/:id/merge': { allow: only('national_coordinator'), reached: 'not_found' },
  'GET /api/merges': { allow: only('national_coordinator') },
  'POST /api/merges/:id/unmerge': { allow: only('national_coordinator'), reached: 'not_found' },
  'GET /api/persons/:id/links': { allow: personReaders, record: 'person', seesAll: [] },
  // Erasure (ADR 13): case managers ask for their agency's persons, the DPO for anyone; the DPO and the
  // national coordinator decide (the sample request ids do not exist: reaching the handler answers not_found).
  'POST /api/persons/:id/erasure-requests': {
    allow: only('case_manager', 'dpo'),
    record: 'person',
    seesAll: only('dpo'),
  },
  'GET /api/persons/:id/erasure-requests': {
    allow: only('case_manager', 'dpo'),
    record: 'person',
    seesAll: only('dpo'),
  },
  'GET /api/erasure-requests': { allow: only('dpo', 'national_coordinator') },
  'GET /api/erasure-requests/:id': { allow: only('dpo', 'national_coordinator'), reached: 'not_found' },
  'POST /api/erasure-requests/:id/approve': {
    allow: only('dpo', 'national_coordinator'),
    reached: 'not_found',
  },
  'POST /api/erasure-requests/:id/reject': {
    allow: only('dpo', 'national_coordinator'),
    reached: 'not_found',
  },
  // Exports (G07, ADR 15): case managers and competent authorities export their agency's records and decide
  // each other's identifying exports (the sample export id does not exist: reaching the handler answers not_found).
  'POST /api/exports': { allow: only('case_manager', 'competent_authority') },
  'GET /api/exports': { allow: only('case_manager', 'competent_authority') },
  'POST /api/exports/:id/approve': {
    allow: only('case_manager', 'competent_authority'),
    reached: 'not_found',
  },
  'POST /api/exports/:id/reject': {
    allow: only('case_manager', 'competent_authority'),
    reached: 'not_found',
  },
  'GET /api/exports/:id/file': { allow: only('case_manager', 'competent_authority'), reached: 'not_found' },
  // National statistics (G23, ADR 16): counts under suppression for the analyst and the national
  // coordinator; never records.
  'GET /api/statistics/persons': { allow: only('analyst', 'national_coordinator') },
  // Files of a person: readers of the identity class see them; writers of it add them (the competent
  // authority, provider and guardian hold person.update for other classes only: 403 field_not_writable).
  'GET /api/persons/:id/files': { allow: personReaders, record: 'person', seesAll: [] },
  'POST /api/persons/:id/files': {
    allow: only('hotline_operator', 'frontline_identifier', 'case_manager'),
    record: 'person',
    seesAll: [],
  },
  // the file id in the sample does not exist: reaching the handler answers not_found
  'GET /api/persons/:id/files/:fileId': { allow: personReaders, reached: 'not_found' },
  'DELETE /api/persons/:id/files/:fileId': { allow: personReaders, reached: 'not_found' },
  'GET /api/persons/:id/history': { allow: personReaders, record: 'person', seesAll: [] },
  // The data-subject access report: the DPO only, for a person of any agency, by reference (step-up).
  'POST /api/access-reports': { allow: only('dpo') },
  'GET /api/tasks': { allow: only('national_coordinator') },
  'POST /api/tasks/:id/resolve': { allow: only('national_coordinator'), reached: 'not_found' },
  'GET /api/alerts': { allow: only('dpo') },
  'POST /api/alerts/:id/acknowledge': { allow: only('dpo'), reached: 'not_found' },
};
