import { useQuery } from '@tanstack/react-query';
import { FormattedDate } from 'react-intl';
import type { z } from 'zod';
import type { AgencyTaskView } from '../../../shared/contracts/coming-of-age.js';
import { get } from '../../api/client.js';
import { ButtonLink } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, LoadError, Loading } from '../../components/Status.js';
import { useT } from '../../i18n/useT.js';
import { useAgencyLabel } from '../persons/queries.js';
import '../persons/persons.css';

type AgencyTaskT = z.infer<typeof AgencyTaskView>;

/**
 * The agency's tasks for its case managers. Today: consent at 18 — a person registered as a child is now an
 * adult; their guardian's consents no longer count, and their own consent is needed. Recording it closes
 * the task.
 */
export function AgencyTasksPage() {
  const t = useT();
  const agencyLabel = useAgencyLabel();
  const tasks = useQuery({
    queryKey: ['agency-tasks', 'open'],
    queryFn: ({ signal }) => get<{ items: AgencyTaskT[] }>('/api/agency-tasks', { status: 'open' }, signal),
  });
  return (
    <>
      <PageHeader title={t('agencyTasks.title')} description={t('agencyTasks.lead')} />
      <Card testId="agency-tasks">
        {tasks.isPending ? (
          <Loading />
        ) : tasks.isError ? (
          <LoadError error={tasks.error} onRetry={() => void tasks.refetch()} />
        ) : tasks.data.items.length === 0 ? (
          <EmptyState icon="check" title={t('agencyTasks.empty')} />
        ) : (
          <>
            <p className="result-count">{t('agencyTasks.count', { count: tasks.data.items.length })}</p>
            <div className="table-wrap">
              <table className="table" data-testid="agency-task-table">
                <caption className="visually-hidden">{t('agencyTasks.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('tasks.raised')}</th>
                    <th scope="col">{t('agencyTasks.kind')}</th>
                    <th scope="col">{t('tasks.record')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('common.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {tasks.data.items.map((task) => (
                    <tr key={task.id} data-testid="agency-task-row">
                      <td className="nowrap">
                        <FormattedDate value={task.createdAt} dateStyle="medium" timeStyle="short" />
                      </td>
                      <td>
                        {t(`agencyTasks.kind.${task.kind}`)}
                        <span className="cell-sub">{t(`agencyTasks.kindDesc.${task.kind}`)}</span>
                      </td>
                      <td>
                        <span className="mono nowrap">{task.personRef ?? '—'}</span>
                        <span className="cell-sub">{agencyLabel(task.personAgencyId)}</span>
                      </td>
                      <td className="cell-actions">
                        {task.personId ? (
                          <ButtonLink
                            size="sm"
                            to={`/persons/${encodeURIComponent(task.personId)}`}
                            data-testid="agency-task-open"
                          >
                            {t('agencyTasks.open')}
                          </ButtonLink>
                        ) : null}
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
