import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { AgencyTaskView } from '../../../shared/contracts/coming-of-age.js';
import { get } from '../../api/client.js';
import { ButtonLink } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { DateTimeCell, QueryTable, RefWithSub } from '../../components/DataTable.js';
import { PageHeader } from '../../components/PageHeader.js';
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
        <QueryTable
          query={tasks}
          empty={t('agencyTasks.empty')}
          caption={t('agencyTasks.title')}
          count={(count) => t('agencyTasks.count', { count })}
          columns={[t('tasks.raised'), t('agencyTasks.kind'), t('tasks.record')]}
          actions
          testId="agency-task-table"
          row={(task) => (
            <tr key={task.id} data-testid="agency-task-row">
              <DateTimeCell value={task.createdAt} />
              <td>
                {t(`agencyTasks.kind.${task.kind}`)}
                <span className="cell-sub">{t(`agencyTasks.kindDesc.${task.kind}`)}</span>
              </td>
              <td>
                <RefWithSub reference={task.personRef} sub={agencyLabel(task.personAgencyId)} />
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
          )}
        />
      </Card>
    </>
  );
}
