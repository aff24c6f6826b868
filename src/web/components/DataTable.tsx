import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { FormattedDate } from 'react-intl';
import { useT } from '../i18n/useT.js';
import { QueryState } from './QueryState.js';
import { EmptyState } from './Status.js';

/**
 * A data table: a scrolling wrapper, a caption for screen readers, one header row of column labels
 * (plus, with `actions`, a last column whose header only screen readers hear) and the body rows.
 * With `count`, the number of results is said above the table.
 */
interface DataTableProps {
  caption: string;
  /** Column labels; a `false` entry (a column shown only sometimes) is left out. */
  columns: readonly (string | false)[];
  actions?: boolean;
  count?: ReactNode;
  /** Denser rows, for long logs. */
  compact?: boolean;
  /** Marks the table busy while newer data is fetched. */
  busy?: boolean;
  /** A wide table that may scroll sideways: its box is a labelled region reachable by keyboard. */
  scrollable?: boolean;
  testId: string;
  children: ReactNode;
}

export function DataTable({
  caption,
  columns,
  actions = false,
  count,
  compact = false,
  busy = false,
  scrollable = false,
  testId,
  children,
}: DataTableProps) {
  const t = useT();
  const table = (
    <div
      className="table-wrap"
      aria-busy={busy || undefined}
      {...(scrollable ? { tabIndex: 0, role: 'region', 'aria-label': caption } : {})}
    >
      <table className={compact ? 'table table-compact' : 'table'} data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((label) =>
              label === false ? null : (
                <th key={label} scope="col">
                  {label}
                </th>
              ),
            )}
            {actions ? (
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
  if (count === undefined) return table;
  return (
    <>
      <p className="result-count">{count}</p>
      {table}
    </>
  );
}

/**
 * The items a query lists, as a table of one row each: loading, failure (with a retry) and an empty
 * list ("nothing to do", with a check mark) are shown in its place. `count` words the number of results.
 */
export function QueryTable<T>({
  query,
  empty,
  count,
  row,
  ...table
}: Omit<DataTableProps, 'children' | 'count'> & {
  query: UseQueryResult<{ items: T[] }>;
  empty: ReactNode;
  count?: (count: number) => ReactNode;
  row: (item: T) => ReactNode;
}) {
  return (
    <QueryState query={query} empty={<EmptyState icon="check" title={empty} />}>
      {({ items }) => (
        <DataTable {...table} count={count?.(items.length)}>
          {items.map(row)}
        </DataTable>
      )}
    </QueryState>
  );
}

/** A date with the time of day, as the tables show it. */
export function DateTime({ value }: { value: string | number | Date }) {
  return <FormattedDate value={value} dateStyle="medium" timeStyle="short" />;
}

/** A table cell with a date and time that does not wrap. */
export function DateTimeCell({ value }: { value: string | number | Date }) {
  return (
    <td className="nowrap">
      <DateTime value={value} />
    </td>
  );
}

/** A pseudonymous reference (a dash when there is none) with a line under it, such as its agency. */
export function RefWithSub({ reference, sub }: { reference: string | null; sub?: ReactNode }) {
  return (
    <>
      <span className="mono nowrap">{reference ?? '—'}</span>
      {sub === undefined ? null : <span className="cell-sub">{sub}</span>}
    </>
  );
}

/** A monospaced value (a user name, a reference), or a muted dash when there is none. */
export function MonoOrDash({
  value,
  nowrap = false,
}: {
  value: string | null | undefined;
  nowrap?: boolean;
}) {
  return value ? (
    <span className={nowrap ? 'mono nowrap' : 'mono'}>{value}</span>
  ) : (
    <span className="muted">—</span>
  );
}
