import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { FormattedDate } from 'react-intl';
import type { z } from 'zod';
import type { BreakGlassEvent } from '../../../shared/contracts/break-glass.js';
import { get } from '../../api/client.js';
import { Badge } from '../../components/Badge.js';
import { Card } from '../../components/Card.js';
import { SelectField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, LoadError, Loading } from '../../components/Status.js';
import { useT } from '../../i18n/useT.js';
import { useAgencyLabel } from '../persons/queries.js';
import '../persons/persons.css';

type EventT = z.infer<typeof BreakGlassEvent>;
type Status = 'active' | 'expired' | 'all';
const STATUSES: readonly Status[] = ['all', 'active', 'expired'];

/**
 * Break-the-glass grants for the data protection officer: who opened whom (pseudonymous reference), why,
 * until when, and how many audited reads happened under each grant. Reading the list is itself audited.
 */
export function BreakGlassPage() {
  const t = useT();
  const agencyLabel = useAgencyLabel();
  const [status, setStatus] = useState<Status>('all');
  const events = useQuery({
    queryKey: ['break-glass', status],
    queryFn: ({ signal }) => get<{ items: EventT[] }>('/api/break-glass', { status }, signal),
    // reasons may name someone: not kept once the page is left
    gcTime: 0,
  });
  return (
    <>
      <PageHeader title={t('breakGlassLog.title')} description={t('breakGlassLog.lead')} />
      <Card testId="break-glass-log">
        <div className="form-grid">
          <SelectField
            label={t('breakGlassLog.filter')}
            value={status}
            onChange={(e) => setStatus(e.target.value as Status)}
            data-testid="break-glass-status"
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`breakGlassLog.status.${s}`)}
              </option>
            ))}
          </SelectField>
        </div>
        {events.isPending ? (
          <Loading />
        ) : events.isError ? (
          <LoadError error={events.error} onRetry={() => void events.refetch()} />
        ) : events.data.items.length === 0 ? (
          <EmptyState icon="check" title={t('breakGlassLog.empty')} />
        ) : (
          <>
            <p className="result-count">{t('breakGlassLog.count', { count: events.data.items.length })}</p>
            <div className="table-wrap">
              <table className="table" data-testid="break-glass-table">
                <caption className="visually-hidden">{t('breakGlassLog.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('breakGlassLog.opened')}</th>
                    <th scope="col">{t('breakGlassLog.user')}</th>
                    <th scope="col">{t('breakGlassLog.person')}</th>
                    <th scope="col">{t('breakGlassLog.reason')}</th>
                    <th scope="col">{t('breakGlassLog.until')}</th>
                    <th scope="col">{t('breakGlassLog.reads')}</th>
                  </tr>
                </thead>
                <tbody>
                  {events.data.items.map((e) => (
                    <tr key={e.id} data-testid="break-glass-row">
                      <td className="nowrap">
                        <FormattedDate value={e.createdAt} dateStyle="medium" timeStyle="short" />
                      </td>
                      <td>
                        {e.username ? (
                          <span className="mono">{e.username}</span>
                        ) : (
                          <span className="muted">—</span>
                        )}
                        <span className="cell-sub">{agencyLabel(e.agencyId)}</span>
                      </td>
                      <td>
                        <span className="mono nowrap">{e.personRef}</span>
                        <span className="cell-sub">{agencyLabel(e.personAgencyId)}</span>
                      </td>
                      <td>{e.reason ?? <span className="muted">{t('breakGlassLog.reasonErased')}</span>}</td>
                      <td className="nowrap">
                        <FormattedDate value={e.expiresAt} dateStyle="medium" timeStyle="short" />
                        <span className="cell-sub">
                          <Badge tone={e.active ? 'danger' : 'neutral'}>
                            {t(e.active ? 'breakGlassLog.status.active' : 'breakGlassLog.status.expired')}
                          </Badge>
                        </span>
                      </td>
                      <td>{String(e.reads)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Card>
    </>
  );
}
