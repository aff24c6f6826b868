/**
 * What every bench arm receives. An arm measures and calls `record` once per figure; it asserts nothing about
 * time, bounds its loops in time and requests, uses loopback only and stops what it started by process id.
 */
export type Tier = 'S' | 'M' | 'L';

export interface BenchContext {
  tier: Tier;
  /** The shared PostgreSQL server (superuser URL); arms create and drop their own databases on it. */
  pgUrl: string;
  /** One figure: every repetition's value; the runner prints the JSON line and the summary. */
  record(goal: string, metric: string, unit: string, engine: string, values: number[]): void;
}

export type BenchArm = (ctx: BenchContext) => Promise<void>;
