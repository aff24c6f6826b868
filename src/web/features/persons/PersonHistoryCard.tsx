import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { FormattedDate } from 'react-intl';
import type { z } from 'zod';
import type { PersonHistory } from '../../../shared/contracts/person-records.js';
import { FIELD_CLASSES, type FieldClass } from '../../../shared/domain/fields.js';
import { get } from '../../api/client.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState, LoadError, Loading } from '../../components/Status.js';
import type { MessageKey } from '../../i18n/messages.js';
import { useT } from '../../i18n/useT.js';
import type { PersonViewT, RevealedT } from './api.js';
import { ClassView } from './ClassView.js';
import { personsKey } from './queries.js';

type HistoryT = z.infer<typeof PersonHistory>;

const STAT_FIELDS = [
  'sex',
  'birth_year',
  'birth_year_estimated',
  'citizenships',
  'languages',
  'interpreter_needed',
];

/** A changed field's name: a field class, or one of the statistical facts. */
function useFieldLabel(): (field: string) => string {
  const t = useT();
  return (field) => {
    if ((FIELD_CLASSES as readonly string[]).includes(field)) return t(`class.${field as FieldClass}`);
    if (STAT_FIELDS.includes(field)) return t(`history.field.${field}` as MessageKey);
    return field;
  };
}

/**
 * The record's rectification history: who changed which parts and when, newest first. Earlier values of
 * protected classes are fetched only when asked for (an audited read) and forgotten when the card closes.
 */
export function PersonHistoryCard({ person }: { person: PersonViewT }) {
  const t = useT();
  const label = useFieldLabel();
  const [open, setOpen] = useState(false);
  const [withValues, setWithValues] = useState(false);
  const readable = FIELD_CLASSES.filter((c) => person.readable.includes(c));
  const history = useQuery({
    queryKey: [...personsKey, 'history', person.id, withValues],
    queryFn: ({ signal }) =>
      get<HistoryT>(
        `/api/persons/${encodeURIComponent(person.id)}/history`,
        withValues && readable.length ? { classes: readable.join(',') } : undefined,
        signal,
      ),
    enabled: open,
    gcTime: 0,
  });
  return (
    <Card
      title={t('history.title')}
      description={t('history.lead')}
      testId="person-history"
      actions={
        <Button
          icon="clock"
          onClick={() => {
            setOpen(!open);
            setWithValues(false);
          }}
          data-testid="history-toggle"
        >
          {open ? t('history.hide') : t('history.show')}
        </Button>
      }
    >
      {!open ? null : history.isPending ? (
        <Loading inline />
      ) : history.isError ? (
        <LoadError error={history.error} onRetry={() => void history.refetch()} />
      ) : history.data.items.length === 0 ? (
        <EmptyState icon="clock" title={t('history.empty')} />
      ) : (
        <div className="stack">
          {!withValues && readable.length ? (
            <div>
              <Button icon="eye" onClick={() => setWithValues(true)} data-testid="history-values">
                {t('history.showValues')}
              </Button>
            </div>
          ) : null}
          <DataTable
            caption={t('history.caption')}
            columns={[
              t('history.version'),
              t('history.changedAt'),
              t('history.changedBy'),
              t('history.fields'),
              withValues && t('history.previous'),
            ]}
            testId="history-table"
          >
            {history.data.items.map((entry) => (
              <tr key={entry.version}>
                <th scope="row">{entry.version}</th>
                <td>
                  <FormattedDate value={entry.changedAt} dateStyle="medium" timeStyle="short" />
                </td>
                <td>{entry.changedByName ?? '—'}</td>
                <td>{entry.fields.map(label).join(', ')}</td>
                {withValues ? (
                  <td>
                    {FIELD_CLASSES.filter((c) => entry.previous[c] !== undefined).map((c) => (
                      <div key={c}>
                        <strong>{label(c)}</strong>
                        <ClassView cls={c} value={entry.previous[c] as Required<RevealedT>[FieldClass]} />
                      </div>
                    ))}
                    {entry.previous.statistics ? (
                      <ul className="value-list">
                        {Object.entries(entry.previous.statistics).map(([k, v]) => (
                          <li key={k}>
                            {label(k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))}:{' '}
                            {v === null || v === undefined
                              ? '—'
                              : Array.isArray(v)
                                ? v.join(', ')
                                : typeof v === 'boolean'
                                  ? t(v ? 'dsar.pdf.yes' : 'dsar.pdf.no')
                                  : k === 'sex'
                                    ? t(`sex.${v}` as MessageKey)
                                    : String(v)}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </DataTable>
        </div>
      )}
    </Card>
  );
}
