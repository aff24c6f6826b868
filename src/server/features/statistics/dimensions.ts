import { SEX_CODES } from '../../../shared/contracts/persons.js';
import { STATISTICS_DIMENSIONS, type StatisticsDimension } from '../../../shared/contracts/statistics.js';
import { AGENCY_TYPES } from '../../../shared/domain/access.js';

/**
 * The variables national statistics count persons by (product brief, "Statistics & reporting"; CTDC's
 * yearOfRegistration, gender, ageBroad, citizenship), each a fixed list of categories so that every query
 * over the same data sees the same categories (the last ten registration years and `earlier`). Citizenship is the first one recorded; countries with fewer
 * than k persons in all go into `other`, so the category list itself never names a country of fewer than k.
 */

/** CTDC's ageBroad bands, by age at registration. */
export const AGE_BANDS = [
  '0-8',
  '9-17',
  '18-20',
  '21-23',
  '24-26',
  '27-29',
  '30-38',
  '39-47',
  '48+',
] as const;

export interface PersonFacts {
  year: number;
  sex: string | null;
  age: number | null;
  citizenship: string | null;
  agencyType: string;
  n: number;
}

export function ageBand(age: number | null): string {
  if (age === null || age < 0) return 'unknown';
  const bounds = [8, 17, 20, 23, 26, 29, 38, 47];
  const i = bounds.findIndex((b) => age <= b);
  return AGE_BANDS[i === -1 ? AGE_BANDS.length - 1 : i]!;
}

export interface Dimension {
  name: StatisticsDimension;
  categories: string[];
}

/** Registration years shown one by one (the last closed ones); earlier years are one category. */
export const YEARS = 10;

/** The dimensions over these facts: categories fixed by definition, except citizenship (countries of ≥ k). */
export function dimensions(facts: readonly PersonFacts[], k: number, lastYear: number): Dimension[] {
  const byCountry = new Map<string, number>();
  for (const f of facts)
    if (f.citizenship) byCountry.set(f.citizenship, (byCountry.get(f.citizenship) ?? 0) + f.n);
  const countries = [...byCountry]
    .filter(([, n]) => n >= k)
    .map(([c]) => c)
    .sort();
  const defs: Record<StatisticsDimension, string[]> = {
    year: ['earlier', ...Array.from({ length: YEARS }, (_, i) => String(lastYear - YEARS + 1 + i))],
    sex: [...SEX_CODES],
    ageBand: [...AGE_BANDS, 'unknown'],
    citizenship: [...countries, 'other', 'unknown'],
    agencyType: [...AGENCY_TYPES],
  };
  return STATISTICS_DIMENSIONS.map((name) => ({ name, categories: defs[name] }));
}

/** One person's category in every dimension (`dims` from dimensions(), for the citizenship list). */
export function categorise(f: PersonFacts, dims: readonly Dimension[]): Record<StatisticsDimension, string> {
  const countries = dims.find((d) => d.name === 'citizenship')!.categories;
  const years = dims.find((d) => d.name === 'year')!.categories;
  return {
    year: years.includes(String(f.year)) ? String(f.year) : 'earlier',
    sex: f.sex && (SEX_CODES as readonly string[]).includes(f.sex) ? f.sex : 'unknown',
    ageBand: ageBand(f.age),
    citizenship:
      f.citizenship === null ? 'unknown' : countries.includes(f.citizenship) ? f.citizenship : 'other',
    agencyType: f.agencyType,
  };
}
