import type { FieldClass } from './fields.js';

/** What a consent is for (product brief, "Consent ledger"). */
export const CONSENT_PURPOSES = [
  'assistance',
  'referral',
  'law_enforcement',
  'return_handover',
  'research_statistics',
  'media',
] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export const CONSENT_GIVERS = ['person', 'guardian'] as const;
export const CONSENT_EVIDENCE = ['signed_form', 'verbal_witnessed'] as const;
export const WITHDRAWN_BY = ['person', 'guardian'] as const;

export interface ConsentRecord {
  purpose: ConsentPurpose;
  /** Who gave it: a guardian's consent speaks for the person only while they are presumed a child. */
  givenBy: (typeof CONSENT_GIVERS)[number];
  recipientAgencyId: string | null;
  recipientType: string | null;
  dataClasses: readonly FieldClass[];
  givenAt: Date;
  expiresAt: Date | null;
  withdrawnAt: Date | null;
}

export interface OverrideRecord {
  purpose: ConsentPurpose;
  recipientAgencyId: string;
  dataClasses: readonly FieldClass[];
  status: 'pending' | 'approved' | 'rejected';
  expiresAt: Date;
}

export interface Disclosure {
  purpose: ConsentPurpose;
  recipientAgencyId: string;
  recipientType?: string;
  /** The classes the disclosure would reveal. */
  dataClasses: readonly FieldClass[];
  at: Date;
  /** Whom the data is about: their age decides whether a guardian's consent still counts. */
  subject: { birthYear: number | null; birthYearEstimated: boolean };
}

/** A consent is in force at `at` when it was given, has not expired and has not been withdrawn. */
export function inForce(c: Pick<ConsentRecord, 'givenAt' | 'expiresAt' | 'withdrawnAt'>, at: Date): boolean {
  return (
    c.givenAt <= at &&
    (c.expiresAt === null || c.expiresAt > at) &&
    (c.withdrawnAt === null || c.withdrawnAt > at)
  );
}

/**
 * The one decision "does consent cover this disclosure?". Every disclosure path (cross-agency reads,
 * referrals, exports, handovers) calls it. Returns the classes covered (a subset of those asked for):
 * consents in force for this purpose and this recipient (named, or by recipient type), plus approved and
 * unexpired overrides. An empty result means: not covered.
 *
 * Consent at 18: a guardian's consent counts only while the subject is presumed a child at the time of the
 * disclosure (`presumedChild`, the same rule that makes the ledger demand the person's own consent). From
 * the day they are no longer presumed a child, consents given by a guardian cover nothing new, whatever
 * their expiry: the person's own consent is needed, and the daily consent-at-18 task asks the owning
 * agency's case manager to obtain it. Overrides are not consent and are unaffected. (The repository's
 * scope predicate mirrors this in SQL so that lists, search and reads agree; the model test checks both.)
 */
export function coveredClasses(
  consents: readonly ConsentRecord[],
  overrides: readonly OverrideRecord[],
  d: Disclosure,
): FieldClass[] {
  const covered = new Set<FieldClass>();
  const child = presumedChild(d.subject.birthYear, d.subject.birthYearEstimated, d.at);
  for (const c of consents) {
    if (c.purpose !== d.purpose || !inForce(c, d.at)) continue;
    if (c.givenBy === 'guardian' && !child) continue;
    const recipientMatches =
      c.recipientAgencyId === d.recipientAgencyId ||
      (c.recipientAgencyId === null && c.recipientType !== null && c.recipientType === d.recipientType);
    if (!recipientMatches) continue;
    for (const k of c.dataClasses) covered.add(k);
  }
  for (const o of overrides) {
    if (o.status !== 'approved' || o.expiresAt <= d.at) continue;
    if (o.purpose !== d.purpose || o.recipientAgencyId !== d.recipientAgencyId) continue;
    for (const k of o.dataClasses) covered.add(k);
  }
  return d.dataClasses.filter((k) => covered.has(k));
}

/** Age at a date from a birth year (the birthday unknown: the younger possibility, so a child is presumed). */
export function ageAt(birthYear: number, at: Date): number {
  return at.getUTCFullYear() - birthYear - 1;
}

/**
 * Presumption of minority: a person is treated as a child when their age is under 18, or unknown, or
 * estimated and possibly under 18 (estimates carry ±2 years).
 */
export function presumedChild(birthYear: number | null, estimated: boolean, at: Date): boolean {
  if (birthYear === null) return true;
  const age = ageAt(birthYear, at);
  return estimated ? age - 2 < 18 : age < 18;
}

/** From this age a child's own assent is recorded alongside the guardian's consent (configurable). */
export const CHILD_ASSENT_FROM_AGE = 12;
