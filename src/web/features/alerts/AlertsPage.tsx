import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api/client.js';
import { Badge, type Tone } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { DateTimeCell, MonoOrDash, QueryTable } from '../../components/DataTable.js';
import { useErrorMessage } from '../../components/ErrorText.js';
import { PageHeader } from '../../components/PageHeader.js';
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
  identifying_export: 'warning',
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
        <QueryTable
          query={alerts}
          empty={t('alerts.empty')}
          caption={t('alerts.title')}
          count={(count) => t('alerts.count', { count })}
          columns={[
            t('alerts.time'),
            t('alerts.kind'),
            t('alerts.user'),
            t('alerts.agency'),
            t('alerts.person'),
          ]}
          actions
          testId="alert-table"
          row={(alert) => (
            <tr key={alert.id} data-testid="alert-row">
              <DateTimeCell value={alert.createdAt} />
              <td>
                <Badge tone={KIND_TONE[alert.kind]}>{t(`alertKind.${alert.kind}`)}</Badge>
                <span className="cell-sub">{t(`alertKindDesc.${alert.kind}`)}</span>
              </td>
              <td>
                <MonoOrDash value={alert.username} />
              </td>
              <td>{agencyLabel(alert.agencyId)}</td>
              <td>
                <MonoOrDash value={alert.personRef} nowrap />
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
          )}
        />
      </Card>
    </>
  );
}
