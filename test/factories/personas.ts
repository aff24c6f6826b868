import type { AgencyType, Role } from '../../src/shared/domain/access.js';
import { ROLES } from '../../src/shared/domain/access.js';
import type { TestApp } from '../support/app.js';
import { createAgency, createUser, signIn } from './index.js';

/** One persona per role, plus someone with no session and someone whose account was deactivated. */
export type PersonaName = Role | 'anonymous' | 'deactivated';
export const PERSONAS: readonly PersonaName[] = [...ROLES, 'anonymous', 'deactivated'];

/** Where each role typically works (ROLE_AGENCY_TYPES is respected). */
export const HOME_AGENCY_TYPE: Record<Role, AgencyType> = {
  system_admin: 'system_operator',
  agency_admin: 'police',
  hotline_operator: 'hotline_ngo',
  frontline_identifier: 'border_service',
  competent_authority: 'police',
  case_manager: 'social_protection',
  service_provider: 'rehabilitation_centre',
  guardian: 'guardianship_authority',
  national_coordinator: 'nrm_secretariat',
  nap_focal_point: 'migration_service',
  analyst: 'statistics_office',
  trainer: 'iom',
  dpo: 'nrm_secretariat',
};

export interface Persona {
  name: PersonaName;
  /** Absent for the anonymous persona. */
  userId?: string;
  /** The persona's own, fresh agency (the deactivated persona has one too). */
  agencyId?: string;
  /** Another user (role trainer) in the same agency: an in-scope user record for this persona. */
  colleagueId?: string;
}

export type Personas = Record<PersonaName, Persona>;

/** Creates every persona, each in a fresh agency of a fitting type with one colleague. */
export async function createPersonas(t: TestApp): Promise<Personas> {
  const entries = await Promise.all(
    ROLES.map(async (role): Promise<[PersonaName, Persona]> => {
      const agency = await createAgency(t, { type: HOME_AGENCY_TYPE[role] });
      const user = await createUser(t, { agencyId: agency.id, roles: [role] });
      const colleague = await createUser(t, { agencyId: agency.id, roles: ['trainer'] });
      return [role, { name: role, userId: user.id, agencyId: agency.id, colleagueId: colleague.id }];
    }),
  );
  const agency = await createAgency(t, { type: 'social_protection' });
  const deactivated = await createUser(t, { agencyId: agency.id, roles: ['case_manager'], active: false });
  const colleague = await createUser(t, { agencyId: agency.id, roles: ['trainer'] });
  return {
    ...(Object.fromEntries(entries) as Record<Role, Persona>),
    anonymous: { name: 'anonymous' },
    deactivated: {
      name: 'deactivated',
      userId: deactivated.id,
      agencyId: agency.id,
      colleagueId: colleague.id,
    },
  };
}

/** A fresh cookie for the persona (none for anonymous). A deactivated user's session is refused on use. */
export async function cookieFor(t: TestApp, persona: Persona): Promise<string | undefined> {
  return persona.userId ? signIn(t, persona.userId) : undefined;
}
