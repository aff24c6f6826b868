import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { z } from 'zod';
import type { BreakGlassEvent } from '../../../shared/contracts/break-glass.js';
import { get } from '../../api/client.js';
import { Badge } from '../../components/Badge.js';
import { Card } from '../../components/Card.js';
import { DateTime, DateTimeCell, MonoOrDash, QueryTable, RefWithSub } from '../../components/DataTable.js';
import { ChoiceField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
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
          <ChoiceField
            label={t('breakGlassLog.filter')}
            value={status}
            onChange={(e) => setStatus(e.target.value as Status)}
            data-testid="break-glass-status"
            options={STATUSES}
            optionLabel={(s) => t(`breakGlassLog.status.${s}`)}
          />
        </div>
        <QueryTable
          query={events}
          empty={t('breakGlassLog.empty')}
          caption={t('breakGlassLog.title')}
          count={(count) => t('breakGlassLog.count', { count })}
          columns={[
            t('breakGlassLog.opened'),
            t('breakGlassLog.user'),
            t('breakGlassLog.person'),
            t('breakGlassLog.reason'),
            t('breakGlassLog.until'),
            t('breakGlassLog.reads'),
          ]}
          testId="break-glass-table"
          row={(e) => (
            <tr key={e.id} data-testid="break-glass-row">
              <DateTimeCell value={e.createdAt} />
              <td>
                <MonoOrDash value={e.username} />
                <span className="cell-sub">{agencyLabel(e.agencyId)}</span>
              </td>
              <td>
                <RefWithSub reference={e.personRef} sub={agencyLabel(e.personAgencyId)} />
              </td>
              <td>{e.reason ?? <span className="muted">{t('breakGlassLog.reasonErased')}</span>}</td>
              <td className="nowrap">
                <DateTime value={e.expiresAt} />
                <span className="cell-sub">
                  <Badge tone={e.active ? 'danger' : 'neutral'}>
                    {t(e.active ? 'breakGlassLog.status.active' : 'breakGlassLog.status.expired')}
                  </Badge>
                </span>
              </td>
              <td>{String(e.reads)}</td>
            </tr>
          )}
        />
      </Card>
    </>
  );
}
