import { Link } from 'react-router';
import type { UserT } from '../../api/types.js';
import { BadgeRow } from '../../components/Badge.js';
import { DataTable } from '../../components/DataTable.js';
import { roleKey, useT } from '../../i18n/useT.js';
import { useAgencyNames } from './queries.js';
import { UserStateBadge } from './UserStateBadge.js';

/** Users with their agencies and roles; with `agencyId`, only the roles held in that agency. */
export function UsersTable({ users, agencyId }: { users: UserT[]; agencyId?: string }) {
  const t = useT();
  const { nameOf } = useAgencyNames();
  return (
    <DataTable
      caption={t('users.title')}
      columns={[
        t('users.displayName'),
        t('users.username'),
        agencyId ? t('users.roles') : t('users.agenciesAndRoles'),
        t('common.status'),
      ]}
      testId="user-table"
    >
      {users.map((user) => {
        const memberships = agencyId
          ? user.memberships.filter((m) => m.agencyId === agencyId)
          : user.memberships;
        return (
          <tr key={user.id}>
            <th scope="row" className="cell-primary">
              <Link to={`/users/${user.id}`}>{user.displayName}</Link>
            </th>
            <td>
              <span className="mono">{user.username}</span>
            </td>
            <td>
              {memberships.length === 0 ? (
                <span className="muted">—</span>
              ) : (
                <ul className="cell-memberships">
                  {memberships.map((m) => (
                    <li key={m.id}>
                      {agencyId ? null : (
                        <span className="cell-agency">{nameOf(m.agencyId, m.agencyCode)}</span>
                      )}
                      <BadgeRow items={m.roles} label={(role) => t(roleKey(role))} />
                    </li>
                  ))}
                </ul>
              )}
            </td>
            <td>
              <UserStateBadge user={user} />
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
