import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { FormattedDate, useIntl } from 'react-intl';
import { Link } from 'react-router';
import { endpoints } from '../../api/endpoints.js';
import type { AuditEventT, AuditQueryT } from '../../api/types.js';
import { useCan } from '../../app/session.js';
import { Badge, type Tone } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { DataTable } from '../../components/DataTable.js';
import { SelectField, TextField } from '../../components/Field.js';
import { Icon } from '../../components/Icon.js';
import { PageHeader } from '../../components/PageHeader.js';
import { QueryState } from '../../components/QueryState.js';
import { EmptyState } from '../../components/Status.js';
import { useActionLabel, useT } from '../../i18n/useT.js';
import { useUsers } from '../users/queries.js';

type Outcome = AuditEventT['outcome'];
const OUTCOME_TONE: Record<Outcome, Tone> = { success: 'success', denied: 'danger', failure: 'warning' };
const PAGE_SIZE = 50;

interface Filters {
  action: string;
  actorUserId: string;
  entityType: string;
  entityId: string;
  outcome: '' | Outcome;
  from: string;
  to: string;
}

const EMPTY: Filters = {
  action: '',
  actorUserId: '',
  entityType: '',
  entityId: '',
  outcome: '',
  from: '',
  to: '',
};

/** `datetime-local` values are in the browser's zone; the API wants an instant. */
function toInstant(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function toQuery(filters: Filters, before: number | undefined): AuditQueryT {
  return {
    action: filters.action.trim() || undefined,
    actorUserId: filters.actorUserId || undefined,
    entityType: filters.entityType.trim() || undefined,
    entityId: filters.entityId.trim() || undefined,
    outcome: filters.outcome || undefined,
    from: toInstant(filters.from),
    to: toInstant(filters.to),
    limit: PAGE_SIZE,
    before,
  };
}

function EntityCell({ event }: { event: AuditEventT }) {
  const intl = useIntl();
  if (!event.entityType) return <span className="muted">—</span>;
  const typeId = `entityType.${event.entityType}`;
  const typeLabel = typeId in intl.messages ? intl.formatMessage({ id: typeId }) : event.entityType;
  const id = event.entityId;
  const href =
    id && event.entityType === 'user'
      ? `/users/${id}`
      : id && event.entityType === 'agency'
        ? `/agencies/${id}`
        : null;
  return (
    <span className="entity-cell">
      <span className="entity-type">{typeLabel}</span>
      {id ? (
        href ? (
          <Link to={href} className="mono id-cell" title={id}>
            {id}
          </Link>
        ) : (
          <span className="mono id-cell" title={id}>
            {id}
          </span>
        )
      ) : null}
    </span>
  );
}

export function AuditPage() {
  const t = useT();
  const can = useCan();
  const actionLabel = useActionLabel();
  const intl = useIntl();
  const knownActions = Object.keys(intl.messages)
    .filter((id) => id.startsWith('auditAction.'))
    .map((id) => id.slice('auditAction.'.length));
  const [filters, setFilters] = useState<Filters>(EMPTY);
  // The cursor history, so "newer" can step back.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const form = useForm<Filters>({ defaultValues: EMPTY });
  const users = useUsers({});
  const showActorSelect = can('user.read') && !!users.data;

  const page = useQuery({
    queryKey: ['audit', filters, before],
    queryFn: ({ signal }) => endpoints.audit(toQuery(filters, before), signal),
    placeholderData: (previous) => previous,
  });

  const apply = form.handleSubmit((values) => {
    setFilters(values);
    setCursors([undefined]);
  });

  return (
    <>
      <PageHeader title={t('audit.title')} description={t('audit.lead')} />
      <Card title={t('audit.filters')} className="card-filters">
        <form onSubmit={apply} noValidate className="filter-form" data-testid="audit-filters">
          <TextField
            label={t('audit.action')}
            list="audit-action-codes"
            autoComplete="off"
            spellCheck={false}
            data-testid="audit-action"
            {...form.register('action')}
          />
          <datalist id="audit-action-codes">
            {knownActions.map((code) => (
              <option key={code} value={code}>
                {actionLabel(code)}
              </option>
            ))}
          </datalist>
          <SelectField label={t('audit.outcome')} data-testid="audit-outcome" {...form.register('outcome')}>
            <option value="">{t('audit.anyOutcome')}</option>
            <option value="success">{t('outcome.success')}</option>
            <option value="denied">{t('outcome.denied')}</option>
            <option value="failure">{t('outcome.failure')}</option>
          </SelectField>
          {showActorSelect ? (
            <SelectField label={t('audit.actor')} data-testid="audit-actor" {...form.register('actorUserId')}>
              <option value="">{t('audit.anyActor')}</option>
              {users.data?.items.map((user) => (
                <option key={user.id} value={user.id}>
                  {user.username}
                </option>
              ))}
            </SelectField>
          ) : (
            <TextField
              label={t('audit.actorId')}
              className="input input-mono"
              {...form.register('actorUserId')}
            />
          )}
          <TextField label={t('audit.entityType')} {...form.register('entityType')} />
          <TextField
            label={t('audit.entityId')}
            className="input input-mono"
            {...form.register('entityId')}
          />
          <TextField
            label={t('audit.from')}
            type="datetime-local"
            data-testid="audit-from"
            {...form.register('from')}
          />
          <TextField
            label={t('audit.to')}
            type="datetime-local"
            data-testid="audit-to"
            {...form.register('to')}
          />
          <div className="filter-actions">
            <Button type="submit" variant="primary" icon="search" data-testid="audit-apply">
              {t('audit.apply')}
            </Button>
            <Button
              onClick={() => {
                form.reset(EMPTY);
                setFilters(EMPTY);
                setCursors([undefined]);
              }}
            >
              {t('audit.reset')}
            </Button>
          </div>
        </form>
      </Card>
      <Card title={t('audit.events')}>
        <QueryState query={page} empty={<EmptyState icon="audit" title={t('audit.empty')} />}>
          {(data) => (
            <DataTable
              caption={t('audit.events')}
              columns={[
                t('audit.time'),
                t('audit.actor'),
                t('audit.action'),
                t('audit.outcome'),
                t('audit.entity'),
                t('audit.fields'),
                t('audit.requestId'),
              ]}
              compact
              busy={page.isFetching}
              testId="audit-table"
            >
              {data.items.map((event) => (
                <tr key={event.seq}>
                  <td className="nowrap">
                    <FormattedDate
                      value={event.at}
                      year="numeric"
                      month="short"
                      day="numeric"
                      hour="2-digit"
                      minute="2-digit"
                      second="2-digit"
                    />
                  </td>
                  <td>
                    {event.actorUsername ? (
                      <span className="mono">{event.actorUsername}</span>
                    ) : (
                      <span className="muted">{t('audit.system')}</span>
                    )}
                  </td>
                  <td>
                    <span className="action-label">{actionLabel(event.action)}</span>
                    {actionLabel(event.action) !== event.action ? (
                      <span className="cell-sub mono">{event.action}</span>
                    ) : null}
                  </td>
                  <td>
                    <Badge tone={OUTCOME_TONE[event.outcome]}>{t(`outcome.${event.outcome}`)}</Badge>
                  </td>
                  <td>
                    <EntityCell event={event} />
                  </td>
                  <td>
                    {event.fields.length ? (
                      <span className="field-names">{event.fields.join(', ')}</span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    {event.requestId ? (
                      <span className="mono small id-cell" title={event.requestId}>
                        {event.requestId}
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </QueryState>
        <nav className="pager" aria-label={t('audit.paging')}>
          <Button
            icon="chevronLeft"
            disabled={cursors.length <= 1}
            onClick={() => setCursors((list) => list.slice(0, -1))}
            data-testid="audit-newer"
          >
            {t('audit.newer')}
          </Button>
          <span className="pager-info">{t('audit.pageNumber', { page: cursors.length })}</span>
          <Button
            disabled={!page.data?.nextBefore}
            onClick={() => {
              const next = page.data?.nextBefore;
              if (next) setCursors((list) => [...list, next]);
            }}
            data-testid="audit-older"
          >
            {t('audit.older')}
            <Icon name="chevronRight" />
          </Button>
        </nav>
      </Card>
    </>
  );
}
