import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../../api/client.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DateTimeCell, QueryTable, RefWithSub } from '../../components/DataTable.js';
import { ErrorText } from '../../components/ErrorText.js';
import { PageHeader } from '../../components/PageHeader.js';
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

/**
 * Possible duplicates across agencies, for the national coordinator: two pseudonymous references and
 * their agencies, never names. The reviewer decides whether they are the same person.
 */
export function DuplicateReviewPage() {
  const t = useT();
  const toast = useToast();
  const agencyLabel = useAgencyLabel();
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
        <QueryTable
          query={tasks}
          empty={t('tasks.empty')}
          caption={t('tasks.title')}
          count={(count) => t('tasks.count', { count })}
          columns={[t('tasks.raised'), t('tasks.record'), t('tasks.possibleMatch'), t('tasks.decision')]}
          testId="task-table"
          row={(task) => (
            <tr key={task.id} data-testid="task-row">
              <DateTimeCell value={task.createdAt} />
              <td>
                <RefWithSub reference={task.personRef} sub={agencyLabel(task.personAgencyId)} />
              </td>
              <td>
                <RefWithSub reference={task.relatedPersonRef} sub={agencyLabel(task.relatedAgencyId)} />
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
          )}
        />
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
