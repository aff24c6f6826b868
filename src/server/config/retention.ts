import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FIELD_CLASSES, type FieldClass } from '../../shared/domain/fields.js';

/**
 * The retention schedule (G24, GDPR Art. 5(1)(e)): for each record outcome, how many days after the person's
 * last activity each field class is kept. When every class of a person has expired, the person is
 * crypto-shredded (data key destroyed, search tokens deleted); a class that expires earlier is cleared on its
 * own. The statistical variables (sex, birth year, citizenships, dates) are kept.
 *
 * Outcomes are keyed on what exists: `inactive` (no change to the record, its consents or overrides since
 * the last activity). The cases module adds `case_closed` here and in `personOutcome()` (retention.ts).
 */
export const RETENTION_OUTCOMES = ['inactive'] as const;
export type RetentionOutcome = (typeof RETENTION_OUTCOMES)[number];

export type ClassDays = Record<FieldClass, number>;

export interface RetentionConfig {
  /** Days each class is kept after the last activity, per outcome. */
  schedule: Record<RetentionOutcome, ClassDays>;
  /** How often the server runs the job (minutes); 0: only `npm run retention:run`. */
  intervalMinutes: number;
  /** The erasure ledger outside the database (ADR 13): person ids and dates only. */
  ledgerFile: string;
  /** Where the schedule came from (for messages): 'defaults' or the file. */
  source: string;
}

/**
 * Safe defaults, to be replaced by the periods of the DPIA and the sharing protocol: contact details go
 * first (they locate a survivor), health after five years, the rest after ten.
 */
export const DEFAULT_SCHEDULE: Record<RetentionOutcome, ClassDays> = {
  inactive: {
    identity: 3650,
    contact: 1095,
    trafficking: 3650,
    health: 1825,
    legal: 3650,
    child: 3650,
  },
};

const MAX_DAYS = 36_500;
const Days = z.number().int().min(1).max(MAX_DAYS);
const ClassDaysSchema = z.strictObject(
  Object.fromEntries(FIELD_CLASSES.map((c) => [c, Days])) as Record<FieldClass, typeof Days>,
);
const ScheduleFile = z.strictObject({
  schedule: z.strictObject({ inactive: ClassDaysSchema }),
  intervalMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .optional(),
});

/** Parses the schedule file's text; throws an Error whose message names every problem. */
export function parseRetentionFile(text: string, source: string): Omit<RetentionConfig, 'ledgerFile'> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  const result = ScheduleFile.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new Error(
      `${source} is not a valid retention schedule (${problems.join('; ')}). Every outcome needs a whole number of days from 1 to ${MAX_DAYS} for each of ${FIELD_CLASSES.join(', ')}.`,
    );
  }
  return {
    schedule: result.data.schedule,
    intervalMinutes: result.data.intervalMinutes ?? 60,
    source,
  };
}

/**
 * HALAS_RETENTION_FILE (a JSON file; see docs/operations.md, "Retention"), HALAS_RETENTION_INTERVAL_MINUTES
 * and HALAS_ERASURE_LEDGER. Any problem stops start-up with a message naming it.
 */
export function retentionConfig(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  fail: (message: string) => never,
): RetentionConfig {
  const ledgerFile = path.resolve(env.HALAS_ERASURE_LEDGER || path.join(dataDir, 'erasure', 'ledger.jsonl'));
  let base: Omit<RetentionConfig, 'ledgerFile'> = {
    schedule: DEFAULT_SCHEDULE,
    intervalMinutes: 60,
    source: 'defaults',
  };
  const file = env.HALAS_RETENTION_FILE;
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(file), 'utf8');
    } catch (error) {
      fail(`HALAS_RETENTION_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      base = parseRetentionFile(text, `HALAS_RETENTION_FILE (${file})`);
    } catch (error) {
      fail((error as Error).message);
    }
  }
  const rawInterval = env.HALAS_RETENTION_INTERVAL_MINUTES;
  if (rawInterval !== undefined && rawInterval !== '') {
    const value = Number(rawInterval);
    if (!Number.isInteger(value) || value < 0 || value > 7 * 24 * 60)
      fail('HALAS_RETENTION_INTERVAL_MINUTES must be an integer between 0 (off) and 10080');
    base = { ...base, intervalMinutes: value };
  }
  return { ...base, ledgerFile };
}
