import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormattedDate } from 'react-intl';
import type { z } from 'zod';
import type { MergeView } from '../../../shared/contracts/merge.js';
import { get, post } from '../../api/client.js';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DateTimeCell, QueryTable, RefWithSub } from '../../components/DataTable.js';
import { ErrorText } from '../../components/ErrorText.js';
import { SelectField } from '../../components/Field.js';
import { useToast } from '../../components/Toasts.js';
import { useT } from '../../i18n/useT.js';
import type { TaskT } from '../persons/api.js';
import { useAgencyLabel } from '../persons/queries.js';

type MergeT = z.infer<typeof MergeView>;
type Survivor = 'record' | 'match';
const mergesKey = ['merges'] as const;
const tasksPrefix = ['tasks'] as const;

const mergeApi = {
  link: (taskId: string) => post<{ taskId: string }>(`/api/tasks/${encodeURIComponent(taskId)}/link`, {}),
  merge: (taskId: string, survivor: Survivor) =>
    post<MergeT>(`/api/tasks/${encodeURIComponent(taskId)}/merge`, { survivor }),
  unmerge: (mergeId: string) => post<MergeT>(`/api/merges/${encodeURIComponent(mergeId)}/unmerge`, {}),
  list: (signal?: AbortSignal) => get<{ items: MergeT[] }>('/api/merges', undefined, signal),
};

/**
 * Link or merge the two records of a duplicate-review task, each after a confirmation (and a step-up,
 * asked by the client when the server wants one). The coordinator works on references only.
 */
export function MergeActions({ task }: { task: TaskT }) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<'link' | 'merge' | null>(null);
  const [survivor, setSurvivor] = useState<Survivor>('match');
  const done = async (message: string) => {
    await queryClient.invalidateQueries({ queryKey: tasksPrefix });
    await queryClient.invalidateQueries({ queryKey: mergesKey });
    toast(message);
    setDialog(null);
  };
  const link = useMutation({
    mutationFn: () => mergeApi.link(task.id),
    onSuccess: () => done(t('merge.linked')),
  });
  const merge = useMutation({
    mutationFn: () => mergeApi.merge(task.id, survivor),
    onSuccess: () => done(t('merge.merged')),
  });
  const a = task.personRef ?? '—';
  const b = task.relatedPersonRef ?? '—';
  const close = () => {
    link.reset();
    merge.reset();
    setDialog(null);
  };
  return (
    <>
      <Button size="sm" icon="merge" onClick={() => setDialog('link')} data-testid="task-link">
        {t('merge.link')}
      </Button>
      <Button size="sm" variant="danger" onClick={() => setDialog('merge')} data-testid="task-merge">
        {t('merge.merge')}
      </Button>
      <ConfirmDialog
        open={dialog === 'link'}
        title={t('merge.linkTitle')}
        body={t('merge.linkBody', { a, b })}
        confirmLabel={t('merge.link')}
        busy={link.isPending}
        error={link.error ? <ErrorText error={link.error} /> : null}
        onConfirm={() => link.mutate()}
        onClose={close}
        testId="task-link-confirm"
      />
      <ConfirmDialog
        open={dialog === 'merge'}
        title={t('merge.mergeTitle')}
        body={
          <div className="stack">
            <p>{t('merge.mergeBody')}</p>
            <SelectField
              label={t('merge.survivor')}
              value={survivor}
              onChange={(e) => setSurvivor(e.target.value as Survivor)}
              data-testid="task-merge-survivor"
            >
              <option value="match">{t('merge.keep', { ref: b })}</option>
              <option value="record">{t('merge.keep', { ref: a })}</option>
            </SelectField>
          </div>
        }
        confirmLabel={t('merge.merge')}
        danger
        busy={merge.isPending}
        error={merge.error ? <ErrorText error={merge.error} /> : null}
        onConfirm={() => merge.mutate()}
        onClose={close}
        testId="task-merge-confirm"
      />
    </>
  );
}

/** Recent merges, each undoable (with confirmation) until the end of its undo period. */
export function MergesCard() {
  const t = useT();
  const toast = useToast();
  const agencyLabel = useAgencyLabel();
  const queryClient = useQueryClient();
  const [undoing, setUndoing] = useState<MergeT | null>(null);
  const merges = useQuery({ queryKey: mergesKey, queryFn: ({ signal }) => mergeApi.list(signal) });
  const unmerge = useMutation({
    mutationFn: (m: MergeT) => mergeApi.unmerge(m.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: mergesKey });
      toast(t('merge.unmerged'));
      setUndoing(null);
    },
  });
  return (
    <Card title={t('merge.listTitle')} description={t('merge.listLead')} testId="merge-list">
      <QueryTable
        query={merges}
        empty={t('merge.empty')}
        caption={t('merge.listTitle')}
        columns={[t('merge.when'), t('merge.kept'), t('merge.mergedRecord'), t('merge.undoUntil')]}
        actions
        testId="merge-table"
        row={(m) => (
          <tr key={m.id} data-testid="merge-row">
            <DateTimeCell value={m.createdAt} />
            <td>
              <RefWithSub reference={m.survivorRef} sub={agencyLabel(m.survivorAgencyId)} />
            </td>
            <td>
              <RefWithSub reference={m.mergedRef} sub={agencyLabel(m.mergedAgencyId)} />
            </td>
            <td className="nowrap">
              {m.undoneAt ? (
                <Badge tone="neutral">{t('merge.undone')}</Badge>
              ) : (
                <FormattedDate value={m.keepUntil} dateStyle="medium" />
              )}
            </td>
            <td className="cell-actions">
              {m.undoable ? (
                <Button size="sm" onClick={() => setUndoing(m)} data-testid="merge-undo">
                  {t('merge.unmerge')}
                </Button>
              ) : null}
            </td>
          </tr>
        )}
      />
      <ConfirmDialog
        open={undoing !== null}
        title={t('merge.unmergeTitle')}
        body={undoing ? t('merge.unmergeBody', { a: undoing.survivorRef, b: undoing.mergedRef }) : ''}
        confirmLabel={t('merge.unmerge')}
        busy={unmerge.isPending}
        error={unmerge.error ? <ErrorText error={unmerge.error} /> : null}
        onConfirm={() => undoing && unmerge.mutate(undoing)}
        onClose={() => {
          unmerge.reset();
          setUndoing(null);
        }}
        testId="merge-undo-confirm"
      />
    </Card>
  );
}
