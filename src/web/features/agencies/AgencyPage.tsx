import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { LOCALES } from '../../../shared/domain/locales.js';
import { isApiError } from '../../api/client.js';
import { endpoints } from '../../api/endpoints.js';
import { NotFoundPage } from '../../app/NotFoundPage.js';
import { useCan } from '../../app/session.js';
import { Badge } from '../../components/Badge.js';
import { Button, ButtonLink } from '../../components/Button.js';
import { Card, DetailList } from '../../components/Card.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ErrorText } from '../../components/ErrorText.js';
import { PageHeader } from '../../components/PageHeader.js';
import { LoadError, Loading } from '../../components/Status.js';
import { useToast } from '../../components/Toasts.js';
import { LOCALE_NAMES } from '../../i18n/messages.js';
import { agencyTypeKey, useLocalized, useT } from '../../i18n/useT.js';
import { AgencyUsers } from '../users/AgencyUsers.js';
import { AgencyFormDialog } from './AgencyFormDialog.js';
import { agenciesKey, useAgency } from './queries.js';

export function AgencyPage() {
  const { id = '' } = useParams();
  const t = useT();
  const can = useCan();
  const toast = useToast();
  const localized = useLocalized();
  const queryClient = useQueryClient();
  const agency = useAgency(id);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);

  const toggle = useMutation({
    mutationFn: (active: boolean) => endpoints.patchAgency(id, { active }, agency.data?.version ?? 0),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: agenciesKey });
      setConfirming(false);
      toast(saved.active ? t('agencies.activated') : t('agencies.deactivated'));
    },
  });

  if (agency.isPending) return <Loading />;
  if (agency.isError) {
    if (isApiError(agency.error) && agency.error.status === 404) return <NotFoundPage />;
    return <LoadError error={agency.error} onRetry={() => void agency.refetch()} />;
  }
  const a = agency.data;
  const manage = can('agency.manage');

  return (
    <>
      <PageHeader
        title={localized(a.name)}
        back={{ to: '/agencies', label: t('agencies.back') }}
        meta={
          <>
            <code className="code-chip">{a.code}</code>
            {a.active ? (
              <Badge tone="success">{t('common.active')}</Badge>
            ) : (
              <Badge tone="neutral">{t('common.inactive')}</Badge>
            )}
          </>
        }
        actions={
          manage ? (
            <>
              <Button icon="edit" onClick={() => setEditing(true)} data-testid="agency-edit">
                {t('common.edit')}
              </Button>
              <Button
                variant={a.active ? 'danger' : 'secondary'}
                onClick={() => setConfirming(true)}
                data-testid="agency-toggle"
              >
                {a.active ? t('agencies.deactivate') : t('agencies.activate')}
              </Button>
            </>
          ) : null
        }
      />
      <div className="grid grid-2">
        <Card title={t('agencies.details')}>
          <DetailList
            items={[
              { key: 'type', label: t('agencies.type'), value: t(agencyTypeKey(a.type)) },
              { key: 'code', label: t('agencies.code'), value: <code className="code-chip">{a.code}</code> },
              {
                key: 'region',
                label: t('agencies.region'),
                value: a.region ?? <span className="muted">—</span>,
              },
              {
                key: 'status',
                label: t('common.status'),
                value: a.active ? t('common.active') : t('common.inactive'),
              },
            ]}
          />
        </Card>
        <Card title={t('agencies.names')}>
          <DetailList
            items={LOCALES.map((locale) => ({
              key: locale,
              label: LOCALE_NAMES[locale],
              value: <span lang={locale}>{a.name[locale]}</span>,
            }))}
          />
        </Card>
      </div>
      {can('user.read') ? (
        <Card
          title={t('agencies.usersTitle')}
          actions={
            <ButtonLink to={`/users?agencyId=${a.id}`} size="sm" icon="users">
              {t('agencies.openUsers')}
            </ButtonLink>
          }
        >
          <AgencyUsers agencyId={a.id} />
        </Card>
      ) : null}
      {manage ? (
        <>
          <AgencyFormDialog open={editing} onClose={() => setEditing(false)} agency={a} />
          <ConfirmDialog
            open={confirming}
            title={a.active ? t('agencies.deactivateTitle') : t('agencies.activateTitle')}
            body={a.active ? t('agencies.deactivateBody') : t('agencies.activateBody')}
            confirmLabel={a.active ? t('agencies.deactivate') : t('agencies.activate')}
            danger={a.active}
            busy={toggle.isPending}
            error={toggle.error ? <ErrorText error={toggle.error} /> : null}
            onConfirm={() => toggle.mutate(!a.active)}
            onClose={() => {
              toggle.reset();
              setConfirming(false);
            }}
            testId="agency-toggle-dialog"
          />
        </>
      ) : null}
    </>
  );
}
