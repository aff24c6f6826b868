import { EmptyState, LoadError, Loading } from '../../components/Status.js';
import { useT } from '../../i18n/useT.js';
import { useUsers } from './queries.js';
import { UsersTable } from './UsersTable.js';

/** The users holding a role in one agency (on the agency's page). */
export function AgencyUsers({ agencyId }: { agencyId: string }) {
  const t = useT();
  const users = useUsers({ agencyId });
  if (users.isPending) return <Loading />;
  if (users.isError) return <LoadError error={users.error} onRetry={() => void users.refetch()} />;
  if (users.data.items.length === 0) return <EmptyState icon="users" title={t('users.emptyAgency')} />;
  return <UsersTable users={users.data.items} agencyId={agencyId} />;
}
