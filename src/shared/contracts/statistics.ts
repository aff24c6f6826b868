import { z } from 'zod';

/**
 * National aggregate statistics (G23, ADR 16): counts of persons by up to two of these variables, with
 * small cells suppressed (primary) and enough other cells suppressed (secondary) that no hidden count can be
 * worked out from what is shown, in one table or across tables.
 */
export const STATISTICS_DIMENSIONS = ['year', 'sex', 'ageBand', 'citizenship', 'agencyType'] as const;
export type StatisticsDimension = (typeof STATISTICS_DIMENSIONS)[number];

export const StatisticsQuery = z
  .strictObject({
    rows: z.enum(STATISTICS_DIMENSIONS),
    cols: z.enum(STATISTICS_DIMENSIONS).optional(),
  })
  .refine((q) => q.rows !== q.cols, { path: ['cols'], message: 'rows and cols must differ' });

/**
 * A published count, or a hidden one (never the hidden number). Small counts and the counts hidden to
 * protect them look the same: telling them apart would say which hidden counts are 1 to k − 1.
 */
export const StatisticsValue = z.union([
  z.strictObject({ value: z.number().int().nonnegative() }),
  z.strictObject({ suppressed: z.literal(true) }),
]);

export const StatisticsTable = z.strictObject({
  /** The threshold: counts of 1 to k − 1 persons are never shown. */
  k: z.number().int().min(2),
  /** Persons registered before this instant (the start of the current month, UTC): closed months only. */
  asOf: z.iso.datetime(),
  rows: z.strictObject({ dimension: z.enum(STATISTICS_DIMENSIONS), categories: z.array(z.string()) }),
  cols: z
    .strictObject({ dimension: z.enum(STATISTICS_DIMENSIONS), categories: z.array(z.string()) })
    .nullable(),
  /** rows × cols (one column when there is no `cols`). */
  cells: z.array(z.array(StatisticsValue)),
  /** Per row category (with `cols`), else null. */
  rowTotals: z.array(StatisticsValue).nullable(),
  /** Per column category (with `cols`), else null. */
  colTotals: z.array(StatisticsValue).nullable(),
  total: StatisticsValue,
  /** The cross-table could not be protected cell by cell: every non-zero inner cell is hidden. */
  withheld: z.boolean(),
});
