import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useIntl } from 'react-intl';
import type { z } from 'zod';
import {
  STATISTICS_DIMENSIONS,
  type StatisticsDimension,
  type StatisticsTable,
  type StatisticsValue,
} from '../../../shared/contracts/statistics.js';
import { get } from '../../api/client.js';
import { Alert } from '../../components/Alert.js';
import { Card } from '../../components/Card.js';
import { DataTable } from '../../components/DataTable.js';
import { ChoiceField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { QueryState } from '../../components/QueryState.js';
import { useT } from '../../i18n/useT.js';
import { useCodeNames } from '../persons/codes.js';
import '../persons/persons.css';
import './statistics.css';

type TableT = z.infer<typeof StatisticsTable>;
type ValueT = z.infer<typeof StatisticsValue>;

const statisticsApi = {
  persons: (rows: StatisticsDimension, cols: StatisticsDimension | '', signal?: AbortSignal) =>
    get<TableT>('/api/statistics/persons', cols ? { rows, cols } : { rows }, signal),
};

/** A category's label in the interface language. */
function useCategoryLabel() {
  const t = useT();
  const names = useCodeNames();
  return (dimension: StatisticsDimension, code: string): string => {
    if (code === 'earlier' || code === 'other' || code === 'unknown') return t(`statistics.category.${code}`);
    switch (dimension) {
      case 'sex':
        return t(`sex.${code}` as never);
      case 'agencyType':
        return t(`agencyType.${code}` as never);
      case 'citizenship':
        return names.country(code);
      case 'ageBand':
        return code.replace('-', '–');
      default:
        return code;
    }
  };
}

function Count({ value }: { value: ValueT }) {
  const t = useT();
  const intl = useIntl();
  if ('value' in value) return <>{intl.formatNumber(value.value)}</>;
  return (
    <span className="muted" title={t('statistics.hiddenTitle')}>
      <span aria-hidden="true">×</span>
      <span className="visually-hidden">{t('statistics.hidden')}</span>
    </span>
  );
}

function CountTable({ table }: { table: TableT }) {
  const t = useT();
  const label = useCategoryLabel();
  const rowsDim = table.rows.dimension;
  const colsDim = table.cols?.dimension;
  const columns = [
    t(`statistics.dimension.${rowsDim}`),
    ...(table.cols
      ? table.cols.categories.map((c) => label(table.cols!.dimension, c))
      : [t('statistics.persons')]),
    ...(table.cols ? [t('statistics.total')] : []),
  ];
  return (
    <DataTable
      caption={t('statistics.caption', {
        rows: t(`statistics.dimension.${rowsDim}`),
        cols: colsDim ? t(`statistics.dimension.${colsDim}`) : '—',
      })}
      columns={columns}
      compact
      scrollable
      testId="statistics-table"
    >
      {table.rows.categories.map((code, i) => (
        <tr key={code}>
          <th scope="row">{label(rowsDim, code)}</th>
          {table.cells[i]!.map((v, j) => (
            <td key={table.cols?.categories[j] ?? 'n'} className="num">
              <Count value={v} />
            </td>
          ))}
          {table.rowTotals ? (
            <td className="num strong">
              <Count value={table.rowTotals[i]!} />
            </td>
          ) : null}
        </tr>
      ))}
      <tr className="total-row">
        <th scope="row">{t('statistics.total')}</th>
        {(table.colTotals ?? []).map((v, j) => (
          <td key={table.cols!.categories[j]} className="num strong">
            <Count value={v} />
          </td>
        ))}
        <td className="num strong" data-testid="statistics-total">
          <Count value={table.total} />
        </td>
      </tr>
    </DataTable>
  );
}

/**
 * National counts of persons (G23, ADR 16) for the analyst and the national coordinator: one or two
 * variables, closed months only; small counts, and the counts that would reveal them, are shown as ×.
 */
export function StatisticsPage() {
  const t = useT();
  const intl = useIntl();
  const [rows, setRows] = useState<StatisticsDimension>('year');
  const [cols, setCols] = useState<StatisticsDimension | ''>('sex');
  const query = useQuery({
    queryKey: ['statistics', 'persons', rows, cols],
    queryFn: ({ signal }) => statisticsApi.persons(rows, cols, signal),
  });
  return (
    <>
      <PageHeader title={t('statistics.title')} description={t('statistics.lead')} />
      <Card testId="statistics">
        <div className="filter-form">
          <ChoiceField
            label={t('statistics.rows')}
            value={rows}
            onChange={(e) => {
              const next = e.target.value as StatisticsDimension;
              setRows(next);
              if (next === cols) setCols('');
            }}
            data-testid="statistics-rows"
            options={STATISTICS_DIMENSIONS}
            optionLabel={(d) => t(`statistics.dimension.${d}`)}
          />
          <ChoiceField
            label={t('statistics.cols')}
            value={cols}
            onChange={(e) => setCols(e.target.value as StatisticsDimension | '')}
            data-testid="statistics-cols"
            placeholder={t('statistics.none')}
            options={STATISTICS_DIMENSIONS.filter((d) => d !== rows)}
            optionLabel={(d) => t(`statistics.dimension.${d}`)}
          />
        </div>
        <QueryState query={query}>
          {(table) => (
            <div className="stack">
              <p className="muted" data-testid="statistics-note">
                {t('statistics.note', {
                  asOf: intl.formatDate(table.asOf, { dateStyle: 'long', timeZone: 'UTC' }),
                  max: table.k - 1,
                })}
              </p>
              {table.withheld ? (
                <Alert kind="warning" title={t('statistics.withheld')} testId="statistics-withheld" />
              ) : null}
              <CountTable table={table} />
            </div>
          )}
        </QueryState>
      </Card>
    </>
  );
}
