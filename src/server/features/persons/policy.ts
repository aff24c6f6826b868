import { permissionScope } from '../../../shared/domain/access.js';
import { type ConsentRecord, coveredClasses, type OverrideRecord } from '../../../shared/domain/consent.js';
import {
  FIELD_CLASSES,
  type FieldClass,
  readableClasses,
  writableClasses,
} from '../../../shared/domain/fields.js';
import type { Actor } from '../../platform/context.js';

/** The agencies through which the actor may see persons at all (person.read scope). */
export function readAgencies(actor: Actor): string[] {
  const scope = permissionScope(actor.memberships, 'person.read');
  // person.read is never granted with 'all': identities are need-to-know, agency by agency.
  return scope.all ? [] : scope.agencyIds;
}

export function agenciesWith(
  actor: Actor,
  permission: 'person.create' | 'person.update' | 'consent.read' | 'consent.manage' | 'consent.override',
): string[] {
  const scope = permissionScope(actor.memberships, permission);
  return scope.all ? [] : scope.agencyIds;
}

function rolesIn(actor: Actor, agencyIds: readonly string[]) {
  return actor.memberships.filter((m) => agencyIds.includes(m.agencyId)).flatMap((m) => m.roles);
}

export interface DisclosureBasis {
  consents: ConsentRecord[];
  overrides: OverrideRecord[];
}

/**
 * Which classes of one person the actor may read and write, decided in one place:
 * - through a membership in the owning agency: the classes of the roles held there;
 * - through a membership in another agency: only what a consent in force (or an approved override) for
 *   that agency covers, intersected with the roles held there; such recipients never write.
 */
export function classAccess(
  actor: Actor,
  person: { ownerAgencyId: string; birthYear: number | null; birthYearEstimated: boolean },
  basis: DisclosureBasis,
  now: Date,
): { readable: FieldClass[]; writable: FieldClass[] } {
  const readable = new Set<FieldClass>();
  const writable = new Set<FieldClass>();
  const owner = person.ownerAgencyId;
  if (readAgencies(actor).includes(owner)) {
    for (const c of readableClasses(rolesIn(actor, [owner]))) readable.add(c);
    if (agenciesWith(actor, 'person.update').includes(owner))
      for (const c of writableClasses(rolesIn(actor, [owner]))) writable.add(c);
  }
  for (const agencyId of readAgencies(actor)) {
    if (agencyId === owner) continue;
    const roleClasses = readableClasses(rolesIn(actor, [agencyId]));
    const recipientType = actor.memberships.find((m) => m.agencyId === agencyId)?.agencyType;
    for (const purpose of ['referral', 'assistance'] as const) {
      const covered = coveredClasses(basis.consents, basis.overrides, {
        purpose,
        recipientAgencyId: agencyId,
        ...(recipientType ? { recipientType } : {}),
        dataClasses: roleClasses,
        at: now,
        subject: { birthYear: person.birthYear, birthYearEstimated: person.birthYearEstimated },
      });
      for (const c of covered) readable.add(c);
    }
  }
  return {
    readable: FIELD_CLASSES.filter((c) => readable.has(c)),
    writable: FIELD_CLASSES.filter((c) => writable.has(c)),
  };
}
