import type { Role } from './access.js';

/**
 * Sensitive field classes of a person's record (product brief, "Sensitive data classes"). Each class is
 * stored as one encrypted envelope; which role may read or write which class is data, applied centrally to
 * every output and input.
 */
export const FIELD_CLASSES = ['identity', 'contact', 'trafficking', 'health', 'legal', 'child'] as const;
export type FieldClass = (typeof FIELD_CLASSES)[number];

/** Classes whose reading is itself an audited disclosure ("who viewed whom"). */
export const IDENTIFYING_CLASSES: readonly FieldClass[] = ['identity', 'contact'];

const ALL = FIELD_CLASSES;

export const CLASS_ACCESS: Record<Role, { read: readonly FieldClass[]; write: readonly FieldClass[] }> = {
  system_admin: { read: [], write: [] },
  agency_admin: { read: [], write: [] },
  hotline_operator: { read: ['identity', 'contact'], write: ['identity', 'contact'] },
  frontline_identifier: {
    read: ['identity', 'contact', 'trafficking'],
    write: ['identity', 'contact', 'trafficking'],
  },
  competent_authority: { read: ['identity', 'contact', 'trafficking', 'legal'], write: ['legal'] },
  case_manager: { read: ALL, write: ALL },
  service_provider: { read: ['identity', 'contact', 'health'], write: ['health'] },
  guardian: { read: ['identity', 'contact', 'child'], write: ['child'] },
  national_coordinator: { read: [], write: [] },
  nap_focal_point: { read: [], write: [] },
  analyst: { read: [], write: [] },
  trainer: { read: [], write: [] },
  dpo: { read: [], write: [] },
};

export function readableClasses(roles: readonly Role[]): FieldClass[] {
  return FIELD_CLASSES.filter((c) => roles.some((r) => CLASS_ACCESS[r].read.includes(c)));
}

export function writableClasses(roles: readonly Role[]): FieldClass[] {
  return FIELD_CLASSES.filter((c) => roles.some((r) => CLASS_ACCESS[r].write.includes(c)));
}
