import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormattedDate, useIntl } from 'react-intl';
import { Badge, type Tone } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { QueryState } from '../../components/QueryState.js';
import { useToast } from '../../components/Toasts.js';
import { useT } from '../../i18n/useT.js';
import type { PersonViewT } from '../persons/api.js';
import { personsKey, SENSITIVE_MUTATION } from '../persons/queries.js';
import { type ErasureRequestT, erasureApi, erasureKey } from './api.js';
import { ReasonDialog } from './ReasonDialog.js';

export const STATUS_TONE: Record<ErasureRequestT['status'], Tone> = {
  pending: 'warning',
  approved: 'danger',
  rejected: 'neutral',
};

/** On the person page, for holders of erasure.request in the owning agency: past requests and a new one. */
export function PersonErasureCard({ person }: { person: PersonViewT }) {
  const t = useT();
  const intl = useIntl();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const key = [...erasureKey, 'person', person.id];
  const requests = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => erasureApi.ofPerson(person.id, signal),
  });
  const request = useMutation({
    ...SENSITIVE_MUTATION,
    mutationFn: (reason: string) => erasureApi.request(person.id, reason),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: key });
      await queryClient.invalidateQueries({ queryKey: [...personsKey, 'one', person.id] });
      toast(t('erasure.requestedToast'));
      setAsking(false);
    },
  });
  const pending = requests.data?.some((r) => r.status === 'pending') ?? true;
  return (
    <Card
      title={t('erasure.cardTitle')}
      description={t('erasure.cardLead')}
      testId="person-erasure"
      actions={
        person.erased || pending ? null : (
          <Button
            size="sm"
            variant="danger"
            icon="x"
            onClick={() => {
              request.reset();
              setAsking(true);
            }}
            data-testid="erasure-open"
          >
            {t('erasure.request')}
          </Button>
        )
      }
    >
      <QueryState query={requests} inline empty={<p className="muted">{t('erasure.none')}</p>}>
        {(data) => (
          <ul className="plain-list" data-testid="erasure-history">
            {data.map((r) => (
              <li key={r.id}>
                <Badge tone={STATUS_TONE[r.status]}>{t(`erasure.status.${r.status}`)}</Badge>{' '}
                <FormattedDate value={r.requestedAt} dateStyle="medium" />
                {r.completedAt ? (
                  <span className="cell-sub">
                    {t('erasure.completedOn', {
                      date: intl.formatDate(r.completedAt, { dateStyle: 'long' }),
                    })}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      <ReasonDialog
        open={asking}
        title={t('erasure.requestTitle', { ref: person.ref })}
        label={t('erasure.reason')}
        warning={t('erasure.requestWarning')}
        submitLabel={t('erasure.request')}
        busy={request.isPending}
        error={request.error}
        onSubmit={(reason) => request.mutate(reason)}
        onClose={() => setAsking(false)}
        testId="erasure-request"
      />
    </Card>
  );
}
