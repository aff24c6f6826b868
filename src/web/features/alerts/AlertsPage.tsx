import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormattedDate } from 'react-intl';
import { get, post } from '../../api/client.js';
import { Badge, type Tone } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { useErrorMessage } from '../../components/ErrorText.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, LoadError, Loading } from '../../components/Status.js';
import { useToast } from '../../components/Toasts.js';
import { useT } from '../../i18n/useT.js';
import type { AlertT } from '../persons/api.js';
import { useAgencyLabel } from '../persons/queries.js';
import '../persons/persons.css';

const alertsKey = ['alerts', 'open'] as const;

const alertsApi = {
  open: (signal?: AbortSignal) => get<{ items: AlertT[] }>('/api/alerts', { open: 'true' }, signal),
  acknowledge: (id: string) => post<AlertT>(`/api/alerts/${encodeURIComponent(id)}/acknowledge`),
};

const KIND_TONE: Record<AlertT['kind'], Tone> = {
  consent_override: 'warning',
  break_glass: 'danger',
  bulk_access: 'danger',
};

/** Alerts for the data protection officer: disclosures without consent, break-the-glass, bulk access. */
export function AlertsPage() {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const agencyLabel = useAgencyLabel();
  const alerts = useQuery({ queryKey: alertsKey, queryFn: ({ signal }) => alertsApi.open(signal) });
  const acknowledge = useMutation({
    mutationFn: (alert: AlertT) => alertsApi.acknowledge(alert.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: alertsKey });
      toast(t('alerts.acknowledged'));
    },
    onError: (error) => toast(errorMessage(error), 'error'),
  });

  return (
    <>
      <PageHeader title={t('alerts.title')} description={t('alerts.lead')} />
      <Card testId="alert-list">
        {alerts.isPending ? (
          <Loading />
        ) : alerts.isError ? (
          <LoadError error={alerts.error} onRetry={() => void alerts.refetch()} />
        ) : alerts.data.items.length === 0 ? (
          <EmptyState icon="check" title={t('alerts.empty')} />
        ) : (
          <>
            <p className="result-count">{t('alerts.count', { count: alerts.data.items.length })}</p>
            <div className="table-wrap">
              <table className="table" data-testid="alert-table">
                <caption className="visually-hidden">{t('alerts.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('alerts.time')}</th>
                    <th scope="col">{t('alerts.kind')}</th>
                    <th scope="col">{t('alerts.user')}</th>
                    <th scope="col">{t('alerts.agency')}</th>
                    <th scope="col">{t('alerts.person')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('common.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {alerts.data.items.map((alert) => (
                    <tr key={alert.id} data-testid="alert-row">
                      <td className="nowrap">
                        <FormattedDate value={alert.createdAt} dateStyle="medium" timeStyle="short" />
                      </td>
                      <td>
                        <Badge tone={KIND_TONE[alert.kind]}>{t(`alertKind.${alert.kind}`)}</Badge>
                        <span className="cell-sub">{t(`alertKindDesc.${alert.kind}`)}</span>
                      </td>
                      <td>
                        {alert.username ? (
                          <span className="mono">{alert.username}</span>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td>{agencyLabel(alert.agencyId)}</td>
                      <td>
                        {alert.personRef ? (
                          <span className="mono nowrap">{alert.personRef}</span>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td className="cell-actions">
                        <Button
                          size="sm"
                          icon="check"
                          busy={acknowledge.isPending && acknowledge.variables?.id === alert.id}
                          onClick={() => acknowledge.mutate(alert)}
                          data-testid="alert-acknowledge"
                        >
                          {t('alerts.acknowledge')}
                        </Button>
                      </td>
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
