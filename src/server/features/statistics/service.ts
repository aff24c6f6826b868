import type { z } from 'zod';
import type { StatisticsQuery, StatisticsTable } from '../../../shared/contracts/statistics.js';
import type { AppDeps } from '../../app.js';
import { writeAudit } from '../../platform/audit.js';
import { type RequestContext, requireActor } from '../../platform/context.js';
import { crossTab, type Entry } from '../../platform/stats/suppression.js';
import { withTx } from '../../platform/tx.js';
import { categorise, dimensions, type PersonFacts } from './dimensions.js';

/**
 * National counts of persons (G23, ADR 16). The statistical variables of every registered person (merged
 * duplicates excluded, erased persons kept: erasure leaves aggregates unchanged) are grouped in SQL on the
 * named 'statistics' path, and the table leaves this module only through the disclosure-control engine
 * (platform/stats/disclosure.ts): no microdata, no count of 1 to k − 1, no hidden count derivable from
 * what any two queries show. Only closed months count, so a table does not change with every registration.
 */

const FACTS = `SELECT extract(year FROM p.created_at AT TIME ZONE 'UTC')::int AS year, p.sex,
    CASE WHEN p.birth_year IS NULL THEN NULL
         ELSE extract(year FROM p.created_at AT TIME ZONE 'UTC')::int - p.birth_year END AS age,
    p.citizenships[1] AS citizenship, a.type AS agency_type, count(*)::int AS n
  FROM persons p JOIN agencies a ON a.id = p.owner_agency_id
  WHERE p.merged_into IS NULL AND p.created_at < $1
  GROUP BY 1, 2, 3, 4, 5`;

export async function personStatistics(
  deps: AppDeps,
  ctx: RequestContext,
  q: z.infer<typeof StatisticsQuery>,
): Promise<z.infer<typeof StatisticsTable>> {
  const actor = requireActor(ctx);
  const now = ctx.now();
  const asOf = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const lastYear = new Date(asOf.getTime() - 1).getUTCFullYear();
  const k = deps.config.statisticsK;
  const facts = await withTx(
    deps.db.pool,
    actor,
    async (tx) => {
      const { rows } = await tx.query<{
        year: number;
        sex: string | null;
        age: number | null;
        citizenship: string | null;
        agency_type: string;
        n: number;
      }>(FACTS, [asOf]);
      await writeAudit(tx, ctx, {
        action: 'statistics.read',
        entityType: 'statistics',
        fields: q.cols ? [q.rows, q.cols] : [q.rows],
      });
      return rows.map(
        (r): PersonFacts => ({
          year: r.year,
          sex: r.sex,
          age: r.age,
          citizenship: r.citizenship,
          agencyType: r.agency_type,
          n: r.n,
        }),
      );
    },
    { systemPath: 'statistics' },
  );
  const dims = dimensions(facts, k, lastYear);
  const records = facts.flatMap((f) => {
    const categories = categorise(f, dims);
    return Array.from({ length: f.n }, () => categories);
  });
  const query = q.cols ? [q.rows, q.cols] : [q.rows];
  const table = crossTab(records, dims, query, k);
  const out = (e: Entry) => ('value' in e ? { value: e.value } : { suppressed: true as const });
  return {
    k,
    asOf: asOf.toISOString(),
    rows: table.rows as z.infer<typeof StatisticsTable>['rows'],
    cols: table.cols as z.infer<typeof StatisticsTable>['cols'],
    cells: table.cells.map((row) => row.map(out)),
    rowTotals: table.rowTotals?.map(out) ?? null,
    colTotals: table.colTotals?.map(out) ?? null,
    total: out(table.total),
    withheld: table.withheld,
  };
}
