import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormattedDate } from 'react-intl';
import { get, post } from '../../api/client.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ErrorText } from '../../components/ErrorText.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, LoadError, Loading } from '../../components/Status.js';
import { useToast } from '../../components/Toasts.js';
import { useT } from '../../i18n/useT.js';
import type { TaskT } from '../persons/api.js';
import { useAgencyLabel } from '../persons/queries.js';
import { MergeActions, MergesCard } from './MergeActions.js';
import '../persons/persons.css';

type Resolution = 'not_duplicate' | 'same_person';
const tasksKey = ['tasks', 'duplicate_review', 'open'] as const;

const tasksApi = {
  open: (signal?: AbortSignal) =>
    get<{ items: TaskT[] }>('/api/tasks', { kind: 'duplicate_review', status: 'open' }, signal),
  resolve: (id: string, resolution: Resolution) =>
    post<TaskT>(`/api/tasks/${encodeURIComponent(id)}/resolve`, { resolution }),
};

function RecordCell({ reference, agencyId }: { reference: string | null; agencyId: string | null }) {
  const agencyLabel = useAgencyLabel();
  return (
    <>
      <span className="mono nowrap">{reference ?? '—'}</span>
      <span className="cell-sub">{agencyLabel(agencyId)}</span>
    </>
  );
}

/**
 * Possible duplicates across agencies, for the national coordinator: two pseudonymous references and
 * their agencies, never names. The reviewer decides whether they are the same person.
 */
export function DuplicateReviewPage() {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [deciding, setDeciding] = useState<{ task: TaskT; resolution: Resolution } | null>(null);
  const tasks = useQuery({ queryKey: tasksKey, queryFn: ({ signal }) => tasksApi.open(signal) });
  const resolve = useMutation({
    mutationFn: (d: { task: TaskT; resolution: Resolution }) => tasksApi.resolve(d.task.id, d.resolution),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: tasksKey });
      toast(t('tasks.resolved'));
      setDeciding(null);
    },
  });

  return (
    <>
      <PageHeader title={t('tasks.title')} description={t('tasks.lead')} />
      <Card testId="duplicate-queue">
        {tasks.isPending ? (
          <Loading />
        ) : tasks.isError ? (
          <LoadError error={tasks.error} onRetry={() => void tasks.refetch()} />
        ) : tasks.data.items.length === 0 ? (
          <EmptyState icon="check" title={t('tasks.empty')} />
        ) : (
          <>
            <p className="result-count">{t('tasks.count', { count: tasks.data.items.length })}</p>
            <div className="table-wrap">
              <table className="table" data-testid="task-table">
                <caption className="visually-hidden">{t('tasks.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('tasks.raised')}</th>
                    <th scope="col">{t('tasks.record')}</th>
                    <th scope="col">{t('tasks.possibleMatch')}</th>
                    <th scope="col">{t('tasks.decision')}</th>
                  </tr>
                </thead>
                <tbody>
                  {tasks.data.items.map((task) => (
                    <tr key={task.id} data-testid="task-row">
                      <td className="nowrap">
                        <FormattedDate value={task.createdAt} dateStyle="medium" timeStyle="short" />
                      </td>
                      <td>
                        <RecordCell reference={task.personRef} agencyId={task.personAgencyId} />
                      </td>
                      <td>
                        <RecordCell reference={task.relatedPersonRef} agencyId={task.relatedAgencyId} />
                      </td>
                      <td className="cell-actions">
                        <div className="inline-actions row-actions">
                          <Button
                            size="sm"
                            onClick={() => setDeciding({ task, resolution: 'not_duplicate' })}
                            data-testid="task-not-duplicate"
                          >
                            {t('tasks.notDuplicate')}
                          </Button>
                          <Button
                            size="sm"
                            variant="primary"
                            onClick={() => setDeciding({ task, resolution: 'same_person' })}
                            data-testid="task-same-person"
                          >
                            {t('tasks.samePerson')}
                          </Button>
                          <MergeActions task={task} />
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Card>
      <ConfirmDialog
        open={deciding !== null}
        title={deciding?.resolution === 'same_person' ? t('tasks.sameTitle') : t('tasks.notSameTitle')}
        body={
          deciding
            ? t(deciding.resolution === 'same_person' ? 'tasks.sameBody' : 'tasks.notSameBody', {
                a: deciding.task.personRef ?? '—',
                b: deciding.task.relatedPersonRef ?? '—',
              })
            : ''
        }
        confirmLabel={
          deciding?.resolution === 'same_person' ? t('tasks.samePerson') : t('tasks.notDuplicate')
        }
        busy={resolve.isPending}
        error={resolve.error ? <ErrorText error={resolve.error} /> : null}
        onConfirm={() => deciding && resolve.mutate(deciding)}
        onClose={() => {
          resolve.reset();
          setDeciding(null);
        }}
        testId="task-confirm"
      />
      <MergesCard />
    </>
  );
}
